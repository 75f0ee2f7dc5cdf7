import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import { createLogger } from './logger.ts';
import { isRedisConnectionError, Redis, RedisOutageReporter } from './redis.ts';
import { createRateLimiter } from './rate-limit.ts';
import { connectedRedis, startPrivateRedis, type PrivateRedis } from './testing/index.ts';

describe('a Redis that stops answering', () => {
  let server: PrivateRedis;
  let redis: Redis;
  beforeAll(async () => {
    server = await startPrivateRedis();
    redis = await connectedRedis(server.url);
    await redis.ping();
  });
  afterAll(async () => {
    server.resume();
    redis?.disconnect();
    await server?.stop();
  });

  it('fails commands after the command timeout instead of hanging', async () => {
    server.pause();
    try {
      await expect(redis.get('anything')).rejects.toThrow(/timed out/i);
    } finally {
      server.resume();
    }
    expect(await redis.ping()).toBe('PONG');
  });

  it('hands rate limiting to the in-process insurance limiter, with the same budget', async () => {
    const limiter = createRateLimiter({ keyPrefix: 'test:frozen', points: 2, durationSeconds: 60, redis });
    server.pause();
    try {
      await limiter.consume('caller');
      await limiter.consume('caller');
      await expect(limiter.consume('caller')).rejects.toMatchObject({ remainingPoints: 0 });
    } finally {
      server.resume();
    }
  });
});

describe('a Redis outage, told once per service', () => {
  let server: PrivateRedis;
  beforeAll(async () => {
    server = await startPrivateRedis();
  });
  afterAll(async () => {
    await server?.stop();
  });

  const waitFor = async (condition: () => boolean, timeoutMs = 15_000) => {
    const deadline = Date.now() + timeoutMs;
    while (!condition()) {
      if (Date.now() > deadline) throw new Error('timed out waiting');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };

  it('says unreachable once, reminds at most once a minute, and says when it is back', async () => {
    const lines: Record<string, any>[] = [];
    const logger = createLogger('trip', {
      level: 'info',
      destination: new Writable({
        write(chunk, _encoding, callback) {
          lines.push(JSON.parse(chunk.toString()));
          callback();
        },
      }),
    });
    let clock = 1_000_000;
    const reporter = new RedisOutageReporter(
      logger,
      `127.0.0.1:${server.port}`,
      'caches in process',
      () => clock,
    );
    // Two connections of one service (its client and a queue's): one voice for both.
    const retryFast = { retryStrategy: () => 50, maxRetriesPerRequest: 1, enableOfflineQueue: false };
    const clients = [new Redis(server.url, retryFast), new Redis(server.url, retryFast)];
    const errors: Error[] = [];
    for (const client of clients) {
      reporter.track(client);
      client.on('error', (error) => errors.push(error));
    }
    try {
      await waitFor(() => clients.every((client) => client.status === 'ready'));
      await server.stop();
      await waitFor(() => errors.length >= 10);
      const said = () => lines.map((line) => line.msg as string);
      expect(said().filter((msg) => /unreachable/.test(msg))).toEqual([
        `Redis at 127.0.0.1:${server.port} is unreachable (ECONNREFUSED): running degraded: caches in process`,
      ]);
      expect(lines.every((line) => line.err === undefined)).toBe(true);
      expect(reporter.isDown).toBe(true);

      clock += 61_000;
      const seen = errors.length;
      await waitFor(() => errors.length >= seen + 10);
      expect(said().filter((msg) => /still unreachable after 61 s/.test(msg))).toHaveLength(1);
      clock += 30_000;
      const seenAgain = errors.length;
      await waitFor(() => errors.length >= seenAgain + 10);
      expect(said().filter((msg) => /still unreachable/.test(msg))).toHaveLength(1);

      clock += 5_000;
      await server.start();
      await waitFor(() => said().some((msg) => /is back/.test(msg)));
      await waitFor(() => clients.every((client) => client.status === 'ready'));
      expect(said().filter((msg) => /is back/.test(msg))).toEqual([
        `Redis at 127.0.0.1:${server.port} is back after 96 s: shared caches and limits again`,
      ]);
      expect(reporter.isDown).toBe(false);
      expect(lines).toHaveLength(3);
    } finally {
      for (const client of clients) client.disconnect();
    }
  });

  it('recognizes the errors a lost connection raises, and no others', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
    expect(isRedisConnectionError(refused)).toBe(true);
    expect(
      isRedisConnectionError(new Error("Stream isn't writeable and enableOfflineQueue options is false")),
    ).toBe(true);
    expect(isRedisConnectionError(new Error('WRONGTYPE Operation against a key'))).toBe(false);
  });
});
