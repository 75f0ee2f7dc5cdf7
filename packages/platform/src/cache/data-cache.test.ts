import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../logger.ts';
import { createRedis, type Redis } from '../redis.ts';
import { metricsRegistry } from '../metrics.ts';
import { badUserInput } from '../errors.ts';
import { UpstreamUnavailableError } from '../upstream/errors.ts';
import { startPrivateRedis, testRedisUrl, type PrivateRedis } from '../testing/redis-server.ts';
import { createDataCache, normalizeCacheKey, type DataCache, type DataCacheOptions } from './data-cache.ts';

const logger = createLogger('cache-test', { level: 'silent' });
const keyPrefix = `test-cache-${randomUUID()}`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
let redis: Redis;
const caches: DataCache[] = [];

function makeCache(overrides: Partial<DataCacheOptions> = {}) {
  const cache = createDataCache({
    service: 'cache-test',
    namespace: 'ns',
    redis,
    logger,
    keyPrefix,
    ...overrides,
  });
  caches.push(cache);
  return cache;
}

async function waitReady(client: Redis) {
  for (let i = 0; i < 100 && client.status !== 'ready'; i++) await sleep(20);
  expect(client.status).toBe('ready');
}

async function counterValue(result: string, namespace: string) {
  const metric = await metricsRegistry.getSingleMetric('cache_requests_total')!.get();
  return metric.values
    .filter((value) => value.labels.result === result && value.labels.namespace === namespace)
    .reduce((sum, value) => sum + value.value, 0);
}

beforeAll(async () => {
  redis = createRedis(testRedisUrl, logger);
  await waitReady(redis);
});

afterEach(async () => {
  await Promise.all(caches.splice(0).map((cache) => cache.close()));
});

afterAll(async () => {
  // Only this file's keys: the shared Redis is never flushed.
  const keys = await redis.keys(`${keyPrefix}:*`);
  if (keys.length) await redis.del(...keys);
  redis.disconnect();
});

describe('normalizeCacheKey', () => {
  it('ignores property order in object keys', () => {
    expect(normalizeCacheKey({ a: 1, b: [2, 3] })).toBe(normalizeCacheKey({ b: [2, 3], a: 1 }));
    expect(normalizeCacheKey({ a: 1 })).not.toBe(normalizeCacheKey({ a: 2 }));
  });
});

describe('createDataCache', () => {
  it('misses, then hits L1, then L2 from another instance', async () => {
    const namespace = `basic-${randomUUID()}`;
    const first = makeCache({ namespace });
    let loads = 0;
    const loader = async () => ({ n: ++loads });
    const miss = await first.get({ q: 'PAR' }, loader, { ttlSeconds: 60 });
    expect(miss).toMatchObject({ value: { n: 1 }, cached: false, stale: false });
    const hit = await first.get({ q: 'PAR' }, loader, { ttlSeconds: 60 });
    expect(hit).toMatchObject({ value: { n: 1 }, cached: true, stale: false });
    expect(hit.fetchedAt.getTime()).toBe(miss.fetchedAt.getTime());
    // A second replica has an empty L1 and finds the entry in Redis.
    const second = makeCache({ namespace });
    const fromL2 = await second.get({ q: 'PAR' }, loader, { ttlSeconds: 60 });
    expect(fromL2).toMatchObject({ value: { n: 1 }, cached: true });
    expect(loads).toBe(1);
    expect(await counterValue('hit', namespace)).toBe(2);
    expect(await counterValue('miss', namespace)).toBe(1);
  });

  it('coalesces 100 concurrent identical misses into one loader call', async () => {
    const cache = makeCache({ namespace: `flight-${randomUUID()}` });
    let loads = 0;
    const loader = async () => {
      loads++;
      await sleep(20);
      return 'offers';
    };
    const results = await Promise.all(
      Array.from({ length: 100 }, () =>
        cache.get({ origin: 'NYC', destination: 'PAR' }, loader, { ttlSeconds: 60 }),
      ),
    );
    expect(loads).toBe(1);
    expect(results.every((result) => result.value === 'offers')).toBe(true);
  });

  it('serves the last good value as stale when the loader fails after expiry', async () => {
    const namespace = `stale-${randomUUID()}`;
    const cache = makeCache({ namespace, l1TtlMs: 10 });
    await cache.get('k', async () => 'good', { ttlSeconds: 0.05, staleTtlSeconds: 60 });
    await sleep(80);
    const stale = await cache.get(
      'k',
      async () => Promise.reject(new UpstreamUnavailableError('amadeus', 'breaker-open')),
      {
        ttlSeconds: 0.05,
        staleTtlSeconds: 60,
      },
    );
    expect(stale).toMatchObject({ value: 'good', cached: true, stale: true });
    expect(await counterValue('stale', namespace)).toBe(1);
    // Another replica (empty L1) serves the stale entry from Redis too.
    const other = makeCache({ namespace });
    const fromL2 = await other.get('k', async () => Promise.reject(new Error('down')), { ttlSeconds: 0.05 });
    expect(fromL2).toMatchObject({ value: 'good', stale: true });
  });

  it('does not serve stale past the stale window, nor for the client’s own mistakes', async () => {
    const cache = makeCache({ namespace: `nostale-${randomUUID()}` });
    await cache.get('k', async () => 'good', { ttlSeconds: 0.02, staleTtlSeconds: 0.03 });
    await sleep(80);
    await expect(
      cache.get('k', async () => Promise.reject(new Error('down')), { ttlSeconds: 1 }),
    ).rejects.toThrow('down');

    await cache.get('j', async () => 'good', { ttlSeconds: 0.02, staleTtlSeconds: 60 });
    await sleep(40);
    const input = badUserInput('bad', ['x']);
    await expect(cache.get('j', async () => Promise.reject(input), { ttlSeconds: 1 })).rejects.toBe(input);
  });

  it('listens on one pub/sub connection per Redis client, however many caches, and hears other replicas', async () => {
    const service = `bus-${randomUUID()}`;
    const channel = `${keyPrefix}:${service}:invalidate`;
    const trips = makeCache({ service, namespace: 'trips', l1TtlMs: 60_000 });
    const others = [makeCache({ service, namespace: 'items' }), makeCache({ service, namespace: 'users' })];
    await sleep(100);
    const subscribers = async () => ((await redis.pubsub('NUMSUB', channel)) as [string, number])[1];
    expect(await subscribers()).toBe(1);

    let version = 1;
    const load = async () => `v${version}`;
    await trips.get('k', load, { ttlSeconds: 60, tags: ['trip:9'] });
    version = 2;
    // Only L1 holds v1 now; an invalidation published by another replica must drop it.
    await redis.del(...(await redis.keys(`${keyPrefix}:{${service}}:*`)));
    expect((await trips.get('k', load, { ttlSeconds: 60 })).value).toBe('v1');
    await redis.publish(channel, JSON.stringify({ origin: 'another-replica', tags: ['trip:9'] }));
    await sleep(100);
    expect((await trips.get('k', load, { ttlSeconds: 60 })).value).toBe('v2');

    await Promise.all([trips, ...others].map((cache) => cache.close()));
    await sleep(50);
    expect(await subscribers()).toBe(0);
  });

  it('invalidates by tag in this instance, in Redis and in other replicas', async () => {
    const namespace = `tags-${randomUUID()}`;
    const writer = makeCache({ namespace, l1TtlMs: 60_000 });
    const reader = makeCache({ namespace, l1TtlMs: 60_000 });
    await sleep(100); // let the subscribers connect
    let version = 1;
    const loader = async () => `trip v${version}`;
    await writer.get('trip:1', loader, { ttlSeconds: 60, tags: ['trip:1'] });
    await writer.get('trip:2', async () => 'other', { ttlSeconds: 60, tags: ['trip:2'] });
    expect((await reader.get('trip:1', loader, { ttlSeconds: 60, tags: ['trip:1'] })).value).toBe('trip v1');
    version = 2;
    await writer.invalidateTags(['trip:1']);
    expect((await writer.get('trip:1', loader, { ttlSeconds: 60, tags: ['trip:1'] })).value).toBe('trip v2');
    // The reader's L1 was dropped by the pub/sub message; it sees the reloaded value.
    for (let i = 0; i < 50; i++) {
      if ((await reader.get('trip:1', loader, { ttlSeconds: 60, tags: ['trip:1'] })).value === 'trip v2')
        break;
      await sleep(20);
    }
    expect((await reader.get('trip:1', loader, { ttlSeconds: 60, tags: ['trip:1'] })).value).toBe('trip v2');
    // Untagged entries survive.
    expect(await writer.get('trip:2', async () => 'reloaded', { ttlSeconds: 60 })).toMatchObject({
      value: 'other',
      cached: true,
    });
  });

  describe('a load that started before an invalidation is not written back', () => {
    /** A loader the test finishes by hand, with the row as it was when the load began. */
    function heldLoad<T>() {
      let finish!: (value: T) => void;
      let started = false;
      const loader = () => {
        started = true;
        return new Promise<T>((resolve) => (finish = resolve));
      };
      return { loader, finish: (value: T) => finish(value), started: () => started };
    }

    it('by get, after a tag invalidation in this replica', async () => {
      const namespace = `guard-get-${randomUUID()}`;
      const cache = makeCache({ namespace, l1TtlMs: 60_000 });
      const held = heldLoad<string>();
      const reading = cache.get('trip:7', held.loader, { ttlSeconds: 60, tags: ['trip:7'] });
      for (let i = 0; i < 50 && !held.started(); i++) await sleep(5);
      // The trip changes (and its invalidation runs) while the read still holds the old row.
      await cache.invalidateTags(['trip:7']);
      held.finish('before the change');
      // The caller that asked before the change still gets what it read...
      expect((await reading).value).toBe('before the change');
      // ...but neither L1 nor Redis keeps it: the next read loads the changed row.
      expect(await redis.exists(`${keyPrefix}:{cache-test}:${namespace}:trip:7`)).toBe(0);
      expect(await cache.get('trip:7', async () => 'after the change', { ttlSeconds: 60 })).toMatchObject({
        value: 'after the change',
        cached: false,
      });
      expect(
        (await makeCache({ namespace }).get('trip:7', async () => 'after the change', { ttlSeconds: 60 }))
          .value,
      ).toBe('after the change');
    });

    it('by get, after a delete', async () => {
      const namespace = `guard-delete-${randomUUID()}`;
      const cache = makeCache({ namespace, l1TtlMs: 60_000 });
      const held = heldLoad<string>();
      const reading = cache.get('k', held.loader, { ttlSeconds: 60 });
      for (let i = 0; i < 50 && !held.started(); i++) await sleep(5);
      await cache.delete('k');
      held.finish('old');
      await reading;
      expect((await cache.get('k', async () => 'new', { ttlSeconds: 60 })).value).toBe('new');
    });

    it('by getMany (a DataLoader batch), after a tag invalidation', async () => {
      const namespace = `guard-many-${randomUUID()}`;
      const cache = makeCache({ namespace, l1TtlMs: 60_000 });
      const held = heldLoad<Map<string, string>>();
      const options = { ttlSeconds: 60, keyOf: (id: string) => `item:${id}`, tagsOf: () => ['trip:8'] };
      const reading = cache.getMany(['a', 'b'], held.loader, options);
      for (let i = 0; i < 50 && !held.started(); i++) await sleep(5);
      await cache.invalidateTags(['trip:8']);
      held.finish(
        new Map([
          ['a', 'old a'],
          ['b', 'old b'],
        ]),
      );
      expect((await reading).map((entry) => entry?.value)).toEqual(['old a', 'old b']);
      const again = await cache.getMany(
        ['a', 'b'],
        async (missing) => new Map(missing.map((id) => [id, `new ${id}`])),
        options,
      );
      expect(again.map((entry) => entry?.value)).toEqual(['new a', 'new b']);
    });

    it('by get, after another replica invalidated the tag over the bus', async () => {
      const service = `guard-bus-${randomUUID()}`;
      const cache = makeCache({ service, namespace: 'trips', l1TtlMs: 60_000 });
      await sleep(100); // let the subscriber connect
      const held = heldLoad<string>();
      const reading = cache.get('trip:9', held.loader, { ttlSeconds: 60, tags: ['trip:9'] });
      for (let i = 0; i < 50 && !held.started(); i++) await sleep(5);
      // What another replica's invalidateTags sends after deleting the Redis entries.
      await redis.publish(
        `${keyPrefix}:${service}:invalidate`,
        JSON.stringify({ origin: 'another-replica', tags: ['trip:9'] }),
      );
      await sleep(100); // delivered
      held.finish('before the change');
      await reading;
      expect(await redis.exists(`${keyPrefix}:{${service}}:trips:trip:9`)).toBe(0);
      expect((await cache.get('trip:9', async () => 'after the change', { ttlSeconds: 60 })).value).toBe(
        'after the change',
      );
    });
  });

  it('delete drops one key', async () => {
    const cache = makeCache({ namespace: `delete-${randomUUID()}` });
    await cache.get({ id: 1 }, async () => 'a', { ttlSeconds: 60 });
    await cache.delete({ id: 1 });
    expect(await cache.get({ id: 1 }, async () => 'b', { ttlSeconds: 60 })).toMatchObject({
      value: 'b',
      cached: false,
    });
  });

  it('getMany serves hits from L1 and Redis and loads only the misses, in one call', async () => {
    const namespace = `many-${randomUUID()}`;
    const first = makeCache({ namespace });
    const calls: string[][] = [];
    const loadMany = async (missing: string[]) => {
      calls.push(missing);
      // "zz" does not exist: left out, so not cached.
      return new Map(missing.filter((id) => id !== 'zz').map((id) => [id, { id, v: calls.length }]));
    };
    const options = {
      ttlSeconds: 60,
      keyOf: (id: string) => `row:${id}`,
      tagsOf: (id: string) => [`row:${id}`],
    };
    const one = await first.getMany(['a', 'b', 'zz'], loadMany, options);
    expect(one.map((entry) => entry?.value)).toEqual([{ id: 'a', v: 1 }, { id: 'b', v: 1 }, undefined]);
    expect(one.map((entry) => entry?.cached)).toEqual([false, false, undefined]);
    // Another replica: a and b from Redis, c loaded; zz asked again.
    const second = makeCache({ namespace });
    const two = await second.getMany(['c', 'a', 'b', 'zz'], loadMany, options);
    expect(two.map((entry) => entry?.cached)).toEqual([false, true, true, undefined]);
    expect(calls).toEqual([
      ['a', 'b', 'zz'],
      ['c', 'zz'],
    ]);
    // Tags reach entries written by getMany.
    await second.invalidateTags(['row:a']);
    const three = await second.getMany(['a', 'b'], loadMany, options);
    expect(three.map((entry) => entry?.cached)).toEqual([false, true]);
    expect(calls[2]).toEqual(['a']);
    // The loader fails: stale entries answer when every missing key has one.
    const stale = makeCache({ namespace, l1TtlMs: 10 });
    const shortOptions = { ...options, ttlSeconds: 0.02 };
    await stale.getMany(['s1', 's2'], loadMany, shortOptions);
    await sleep(40);
    const failing = async () => Promise.reject(new Error('database down'));
    const served = await stale.getMany(['s1', 's2'], failing, shortOptions);
    expect(served.map((entry) => entry?.stale)).toEqual([true, true]);
    await expect(stale.getMany(['s1', 'never'], failing, shortOptions)).rejects.toThrow('database down');
  });

  it('a tag invalidation clears every namespace of the service in this process, without Redis', async () => {
    const service = `local-${randomUUID()}`;
    const trips = makeCache({ service, namespace: 'trips', redis: undefined });
    const items = makeCache({ service, namespace: 'items', redis: undefined });
    let version = 1;
    await trips.get('t1', async () => `trip v${version}`, { ttlSeconds: 60, tags: ['trip:1'] });
    await items.get('t1', async () => `items v${version}`, { ttlSeconds: 60, tags: ['trip:1'] });
    version = 2;
    await trips.invalidateTags(['trip:1']);
    expect(
      (await items.get('t1', async () => `items v${version}`, { ttlSeconds: 60, tags: ['trip:1'] })).value,
    ).toBe('items v2');
    expect(
      (await trips.get('t1', async () => `trip v${version}`, { ttlSeconds: 60, tags: ['trip:1'] })).value,
    ).toBe('trip v2');
  });

  it('works without Redis (embedded mode)', async () => {
    const cache = makeCache({ namespace: 'embedded', redis: undefined });
    let loads = 0;
    await cache.get('x', async () => ++loads, { ttlSeconds: 60 });
    expect(await cache.get('x', async () => ++loads, { ttlSeconds: 60 })).toMatchObject({
      value: 1,
      cached: true,
    });
    await cache.invalidateTags([]);
    await cache.delete('x');
    expect(await cache.get('x', async () => ++loads, { ttlSeconds: 60 })).toMatchObject({
      value: 2,
      cached: false,
    });
  });
});

describe('createDataCache with a Redis that dies', () => {
  let privateRedis: PrivateRedis;
  let client: Redis;

  beforeAll(async () => {
    privateRedis = await startPrivateRedis();
    client = createRedis(privateRedis.url, logger);
    await waitReady(client);
  });

  afterAll(async () => {
    client.disconnect();
    await privateRedis.stop();
  });

  it('keeps answering from L1 and the loader, never throwing, then uses Redis again', async () => {
    const cache = createDataCache({
      service: 'cache-test',
      namespace: 'outage',
      redis: client,
      logger,
      l1TtlMs: 10,
    });
    caches.push(cache);
    let loads = 0;
    const loader = async () => `v${++loads}`;
    expect((await cache.get('a', loader, { ttlSeconds: 60 })).value).toBe('v1');

    await privateRedis.stop();
    for (let i = 0; i < 100 && client.status === 'ready'; i++) await sleep(20);
    // L1 is trusted for the full TTL while Redis is away: no reload, no error.
    expect(await cache.get('a', loader, { ttlSeconds: 60 })).toMatchObject({ value: 'v1', cached: true });
    // New keys load and are cached in L1.
    expect((await cache.get('b', loader, { ttlSeconds: 60 })).value).toBe('v2');
    expect(await cache.get('b', loader, { ttlSeconds: 60 })).toMatchObject({ value: 'v2', cached: true });
    await cache.invalidateTags(['t']);
    await cache.delete('b');
    // Stale-on-error still works from L1 alone.
    await cache.get('c', loader, { ttlSeconds: 0.02 });
    await sleep(40);
    expect(
      await cache.get('c', async () => Promise.reject(new Error('down')), { ttlSeconds: 0.02 }),
    ).toMatchObject({
      stale: true,
    });

    await privateRedis.start();
    await waitReady(client);
    expect((await cache.get('d', loader, { ttlSeconds: 60 })).value).toBe(`v${loads}`);
    expect(await client.exists(`cache:{cache-test}:outage:d`)).toBe(1);
  });
});
