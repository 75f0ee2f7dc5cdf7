import { describe, expect, it } from 'vitest';
import { passThroughCache } from './pass-through.ts';

describe('passThroughCache', () => {
  it('runs the loader on every lookup and keeps nothing', async () => {
    const cache = passThroughCache();
    let loads = 0;
    const loader = async () => ++loads;
    expect((await cache.get('k', loader, { ttlSeconds: 60 })).value).toBe(1);
    const again = await cache.get('k', loader, { ttlSeconds: 60 });
    expect(again).toMatchObject({ value: 2, cached: false, stale: false });
  });

  it('getMany loads every key in one call; keys the loader leaves out are undefined', async () => {
    const cache = passThroughCache();
    const calls: string[][] = [];
    const results = await cache.getMany(
      ['a', 'missing', 'b'],
      async (keys) => {
        calls.push(keys);
        return new Map(keys.filter((key) => key !== 'missing').map((key) => [key, key.toUpperCase()]));
      },
      { ttlSeconds: 60 },
    );
    expect(calls).toEqual([['a', 'missing', 'b']]);
    expect(results.map((result) => result?.value)).toEqual(['A', undefined, 'B']);
    await cache.invalidateTags(['x']);
    expect(
      (await cache.getMany(['a'], async () => new Map([['a', 'again']]), { ttlSeconds: 60 }))[0]?.value,
    ).toBe('again');
  });
});
