import { env } from '@traveloure/platform/config';

/** Settings of the gateway's response cache; spread into the gateway's config schema. */
export const responseCacheConfigShape = {
  /** Answer repeated cacheable GET persisted queries from memory, before the GraphQL pipeline. */
  RESPONSE_CACHE_ENABLED: env.boolean(true),
  /** Per-identity entries for answers whose cache hints say `private` (signed-in callers, keys). */
  RESPONSE_CACHE_PRIVATE: env.boolean(true),
  RESPONSE_CACHE_MAX_ENTRIES: env.int(10_000, 1, 10_000_000),
  /** Memory bound of all entries' bodies together. */
  RESPONSE_CACHE_MAX_BYTES: env.int(64 * 1024 * 1024, 1024),
  /** A larger answer is not kept. */
  RESPONSE_CACHE_MAX_ENTRY_BYTES: env.int(256 * 1024, 256),
  /** Cap on an entry's life, whatever maxAge the cache hints allow. */
  RESPONSE_CACHE_MAX_TTL_SECONDS: env.int(300, 1, 86_400),
  /**
   * Keep subgraph answers whose Cache-Control allows it (per caller when `private`) and answer
   * identical fetches from memory; see subgraph-fetches.ts.
   */
  SUBGRAPH_FETCH_CACHE_ENABLED: env.boolean(true),
  SUBGRAPH_FETCH_CACHE_MAX_ENTRIES: env.int(50_000, 1, 10_000_000),
  SUBGRAPH_FETCH_CACHE_MAX_BYTES: env.int(64 * 1024 * 1024, 1024),
  SUBGRAPH_FETCH_CACHE_MAX_ENTRY_BYTES: env.int(256 * 1024, 256),
  /** Cap on a kept subgraph answer's life, whatever max-age the subgraph sent. */
  SUBGRAPH_FETCH_CACHE_MAX_TTL_SECONDS: env.int(60, 1, 86_400),
};
