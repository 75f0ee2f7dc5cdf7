import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedis, type Redis } from './redis.ts';
import { createRateLimiter } from './rate-limit.ts';
import { startPrivateRedis, type PrivateRedis } from './testing/index.ts';

describe('a Redis that stops answering', () => {
  let server: PrivateRedis;
  let redis: Redis;
  beforeAll(async () => {
    server = await startPrivateRedis();
    redis = createRedis(server.url);
    // No offline queue: commands before the connection is ready fail at once, by design.
    for (let attempt = 0; attempt < 100 && redis.status !== 'ready'; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
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
