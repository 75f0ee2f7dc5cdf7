import type { CacheResult, DataCache } from './data-cache.ts';

const fresh = <T>(value: T): CacheResult<T> => ({
  value,
  cached: false,
  stale: false,
  fetchedAt: new Date(),
});

/**
 * A DataCache that keeps nothing: every lookup runs its loader. Code written against a cache
 * takes this where nothing may be cached (tests that count statements, a source that must be
 * read), so there is one code path with a cache and without.
 */
export function passThroughCache(): DataCache {
  return {
    get: async (_key, loader) => fresh(await loader()),
    getMany: async (keys, loadMany) => {
      const loaded = await loadMany([...keys]);
      return keys.map((key) => (loaded.has(key) ? fresh(loaded.get(key)!) : undefined));
    },
    invalidateTags: async () => {},
    delete: async () => {},
    close: async () => {},
  };
}
