import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import { Cluster } from 'ioredis';
import { z } from 'zod';
import { createDataCache } from './cache/index.ts';
import { baseConfigShape, loadConfig } from './config.ts';
import { subscribeInvalidations } from './cache/invalidation-bus.ts';
import { redisAckChannel } from './events/acks.ts';
import { createRateLimiter } from './rate-limit.ts';
import { connectRedis, createRedis, parseRedisUrl, queueKeyPrefix, type Redis } from './redis.ts';
import { startRedisCluster, type PrivateRedisCluster } from './testing/index.ts';

const logger = pino({ level: 'silent' });
let cluster: PrivateRedisCluster;
let redis: Redis;
const until = async (check: () => Promise<boolean> | boolean, what: string) => {
  const deadline = Date.now() + 10_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};

/** The port of the master that holds `key`: proves where the cluster put it. */
async function nodeOf(key: string): Promise<number> {
  const slot = (await (redis as unknown as Cluster).cluster('KEYSLOT', key)) as number;
  const slots = await (redis as unknown as Cluster).cluster('SLOTS');
  const [, , master] = slots.find(([from, to]) => slot >= from && slot <= to)!;
  return master![1];
}

beforeAll(async () => {
  cluster = await startRedisCluster();
  redis = createRedis(cluster.url, logger);
  await until(() => redis.status === 'ready', 'the cluster client');
});
afterAll(async () => {
  redis?.disconnect();
  await cluster?.stop();
});

describe('REDIS_URL with several hosts', () => {
  it('names the seeds of a cluster, with the credentials for every node', () => {
    expect(parseRedisUrl('redis://:s%40cret@10.0.0.1:7000,10.0.0.2,[::1]:7002')).toEqual({
      cluster: true,
      nodes: [
        { host: '10.0.0.1', port: 7000 },
        { host: '10.0.0.2', port: 6379 },
        { host: '::1', port: 7002 },
      ],
      options: { password: 's@cret' },
    });
    expect(parseRedisUrl('rediss://user:pw@cache.internal:6380/2')).toMatchObject({
      cluster: false,
      options: { username: 'user', password: 'pw', db: 2, tls: {} },
    });
    expect(() => parseRedisUrl('redis://a:1,b:2/3')).toThrow(/only database 0/);
    expect(() => parseRedisUrl('http://a:1')).toThrow(/redis:\/\//);
  });

  it('is accepted as REDIS_URL, and a wrong one is refused at start naming the setting', () => {
    const schema = z.object(baseConfigShape);
    expect(loadConfig(schema, { REDIS_URL: cluster.url }).REDIS_URL).toBe(cluster.url);
    expect(loadConfig(schema, { REDIS_URL: 'redis://127.0.0.1:6379' }).REDIS_URL).toBeDefined();
    expect(() => loadConfig(schema, { REDIS_URL: 'redis://a:1,b:2/3' })).toThrow(
      /REDIS_URL.*only database 0/,
    );
    expect(() => loadConfig(schema, { REDIS_URL: '127.0.0.1:6379' })).toThrow(/REDIS_URL/);
  });

  it('connects a Cluster client and wraps the queue prefix in a hash tag only on a cluster', () => {
    expect(redis).toBeInstanceOf(Cluster);
    expect(queueKeyPrefix('traveloure', cluster.url)).toBe('{traveloure}');
    expect(queueKeyPrefix('{traveloure}', cluster.url)).toBe('{traveloure}');
    expect(queueKeyPrefix('traveloure', 'redis://127.0.0.1:6379')).toBe('traveloure');
  });
});

describe('on a three-node Redis Cluster', () => {
  it('the data cache writes, batch-reads and invalidates by tag with no CROSSSLOT error', async () => {
    const keyPrefix = `test-${randomBytes(4).toString('hex')}`;
    const services = ['trip', 'search', 'notification', 'ai', 'gateway', 'edge'];
    const caches = services.map((service) =>
      createDataCache({ service, namespace: 'rows', redis, logger, keyPrefix, l1TtlMs: 0 }),
    );
    const warnings: unknown[] = [];
    const watched = createDataCache({
      service: 'trip',
      namespace: 'other',
      redis,
      keyPrefix,
      l1TtlMs: 0,
      logger: { ...logger, warn: (...args: unknown[]) => warnings.push(args) } as unknown as pino.Logger,
    });
    let loads = 0;
    const loadMany = async (ids: string[]) => {
      loads += ids.length;
      return new Map(ids.map((id) => [id, { id }]));
    };
    for (const cache of caches) {
      const ids = Array.from({ length: 20 }, (_, index) => `id-${index}`);
      await cache.getMany(ids, loadMany, { ttlSeconds: 60, tagsOf: (id) => [`row:${id}`, 'rows'] });
    }
    await watched.getMany(['a', 'b', 'c'], loadMany, { ttlSeconds: 60, tagsOf: (id) => [`row:${id}`] });
    expect(loads).toBe(services.length * 20 + 3);

    // Read back from Redis (L1 trusted for 0 ms): one MGET per service, every one a hit.
    loads = 0;
    for (const cache of caches) {
      const results = await cache.getMany(['id-1', 'id-2', 'id-3'], loadMany, { ttlSeconds: 60 });
      expect(results.every((result) => result?.cached)).toBe(true);
    }
    expect(loads).toBe(0);

    const keys: string[] = [];
    for (const port of cluster.ports) {
      const node = connectRedis(`redis://127.0.0.1:${port}`);
      keys.push(...(await node.keys(`${keyPrefix}:*`)).map((key) => `${port} ${key}`));
      node.disconnect();
    }
    const nodesUsed = new Set(keys.map((line) => line.split(' ')[0]));
    expect(nodesUsed.size).toBeGreaterThan(1);
    // One service's entries and tag sets share a slot, so they sit on one node together.
    const tripNodes = new Set(
      keys.filter((line) => line.includes(':{trip}:')).map((line) => line.split(' ')[0]),
    );
    expect(tripNodes.size).toBe(1);

    await caches[0]!.invalidateTags(['rows']);
    await watched.invalidateTags(['row:a']);
    const afterInvalidation = await caches[0]!.getMany(['id-1', 'id-2'], loadMany, { ttlSeconds: 60 });
    expect(afterInvalidation.map((result) => result?.cached)).toEqual([false, false]);
    expect((await watched.getMany(['a', 'b'], loadMany, { ttlSeconds: 60 })).map((r) => r?.cached)).toEqual([
      false,
      true,
    ]);
    // Another service's entries are untouched.
    expect((await caches[1]!.getMany(['id-1'], loadMany, { ttlSeconds: 60 }))[0]?.cached).toBe(true);
    expect(warnings).toEqual([]);
    await Promise.all([...caches, watched].map((cache) => cache.close()));
  });

  it('carries invalidations between replicas over pub/sub', async () => {
    const other = createRedis(cluster.url, logger);
    await until(() => other.status === 'ready', 'a second client');
    const received: string[] = [];
    const stop = subscribeInvalidations(other, 'test:cache:trip:invalidate', (raw) => received.push(raw));
    await until(async () => {
      await redis.publish('test:cache:trip:invalidate', 'hello');
      return received.length > 0;
    }, 'the message');
    expect(received[0]).toBe('hello');
    stop();
    other.disconnect();
  });

  it('shares a rate limit between clients', async () => {
    const keyPrefix = `test-rl-${randomBytes(4).toString('hex')}`;
    const second = createRedis(cluster.url, logger);
    await until(() => second.status === 'ready', 'a second client');
    const limiters = [redis, second].map((client) =>
      createRateLimiter({ redis: client, keyPrefix, points: 5, durationSeconds: 60 }),
    );
    const outcomes: boolean[] = [];
    for (let call = 0; call < 8; call++) {
      outcomes.push(
        await limiters[call % 2]!.consume('caller-1').then(
          () => true,
          (refusal: unknown) => {
            if (refusal instanceof Error) throw refusal;
            return false;
          },
        ),
      );
    }
    expect(outcomes).toEqual([true, true, true, true, true, false, false, false]);
    // Different callers hash to different slots: counters spread over the nodes.
    const callers = Array.from({ length: 30 }, (_, index) => `caller-${index}`);
    await Promise.all(callers.map((caller) => limiters[0]!.consume(caller).catch(() => undefined)));
    const nodes = new Set(await Promise.all(callers.map((caller) => nodeOf(`${keyPrefix}:${caller}`))));
    expect(nodes.size).toBeGreaterThan(1);
    second.disconnect();
  });

  it('records outbox acks of a source in one slot (MULTI, pipeline, DEL of many)', async () => {
    const acks = redisAckChannel(redis, `test-acks-${randomBytes(4).toString('hex')}`);
    for (const source of ['trip', 'search', 'notification']) {
      await acks.acknowledge(source, 'email', ['e1', 'e2', 'e3']);
      await acks.acknowledge(source, 'push', ['e1', 'e2']);
      expect([...(await acks.acknowledgedBy(source, ['e1', 'e3'])).entries()]).toEqual([
        ['e1', new Set(['email', 'push'])],
        ['e3', new Set(['email'])],
      ]);
      expect(await acks.take(source, ['email', 'push'], 10)).toEqual({ taken: 5, complete: ['e1', 'e2'] });
    }
  });
});
