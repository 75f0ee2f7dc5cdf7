import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createLogger, type Redis } from '@traveloure/platform';
import { connectedRedis, startPrivateRedis, type PrivateRedis } from '@traveloure/platform/testing';
import { createEdgeRateLimiter } from './rate-limit.ts';

describe('edge rate limiter over Redis', () => {
  let server: PrivateRedis;
  let redis: Redis;
  beforeAll(async () => {
    server = await startPrivateRedis();
    redis = await connectedRedis(server.url);
  });
  afterAll(async () => {
    redis?.disconnect();
    await server?.stop();
  });

  const limiterWith = (user: number, client: Redis = redis) =>
    createEdgeRateLimiter({
      settings: { windowSeconds: 60, anonymous: 5, user, apiKeyDefault: 5 },
      redis: client,
      logger: createLogger('test', { level: 'silent' }),
      keyPrefix: `test:edge:${Math.random().toString(36).slice(2)}`,
    });
  const caller = (id: string) => ({
    requestId: 'req-ratelimit-1',
    user: { id, roles: ['TRAVELER' as const] },
  });

  it('counts in Redis, shared by every replica', async () => {
    const prefix = `test:edge:shared`;
    const make = () =>
      createEdgeRateLimiter({
        settings: { windowSeconds: 60, anonymous: 5, user: 3, apiKeyDefault: 5 },
        redis,
        logger: createLogger('test', { level: 'silent' }),
        keyPrefix: prefix,
      });
    const [one, two] = [make(), make()];
    expect((await one.consume(caller('shared'))).allowed).toBe(true);
    expect((await two.consume(caller('shared'))).allowed).toBe(true);
    const third = await one.consume(caller('shared'));
    expect(third).toMatchObject({ allowed: true, headers: { 'RateLimit-Remaining': '0' } });
    expect((await two.consume(caller('shared'))).allowed).toBe(false);
  });

  it('refuses a caller who spent the budget from memory, without asking Redis again', async () => {
    const limiter = limiterWith(2);
    expect((await limiter.consume(caller('flood'))).allowed).toBe(true);
    expect((await limiter.consume(caller('flood'))).allowed).toBe(true);
    const sent = vi.spyOn(redis, 'sendCommand');
    try {
      for (let index = 0; index < 20; index++) {
        const decision = await limiter.consume(caller('flood'));
        expect(decision).toMatchObject({ allowed: false, headers: { 'RateLimit-Remaining': '0' } });
        if (!decision.allowed) expect(decision.retryAfterSeconds).toBeGreaterThan(50);
      }
      expect(sent).not.toHaveBeenCalled();
      // Others are still counted in Redis.
      expect((await limiter.consume(caller('someone-else'))).allowed).toBe(true);
      expect(sent).toHaveBeenCalled();
    } finally {
      sent.mockRestore();
    }
  });
});
