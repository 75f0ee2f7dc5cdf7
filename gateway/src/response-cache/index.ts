import { randomUUID } from 'node:crypto';
import {
  counter,
  invalidationChannel,
  subscribeInvalidations,
  type Logger,
  type Redis,
} from '@traveloure/platform';
import type { GatewayConfig } from '../config.ts';
import type { EdgeRateLimiter } from '../edge/rate-limit.ts';
import { subgraphsOf } from '../supergraph.ts';
import type { responseCacheConfigShape } from './config.ts';
import { entityKeyFieldsOf } from './entity-tags.ts';
import { responseCacheMiddleware, responseCachePlugin } from './http.ts';
import { ResponseStore } from './store.ts';
import { SubgraphFetchCache } from './subgraph-fetches.ts';

export { responseCacheConfigShape } from './config.ts';
export { parseCacheControl, SubgraphFetchCache } from './subgraph-fetches.ts';
export { entityKeyFieldsOf, entityTagsOf } from './entity-tags.ts';
export { partitionOf } from './http.ts';
export { ResponseStore } from './store.ts';

type ResponseCacheConfig = Pick<GatewayConfig, keyof typeof responseCacheConfigShape | 'REDIS_KEY_PREFIX'>;

const invalidations = counter(
  'gateway_response_cache_invalidated_total',
  'Gateway response cache entries dropped by entity-tag invalidations',
  ['service'] as const,
);

/**
 * The gateway's response cache: answers repeated cacheable GET persisted queries before the
 * GraphQL pipeline (edge checks still run in front of it), keeps them per caller class for
 * min(maxAge, RESPONSE_CACHE_MAX_TTL_SECONDS), and drops them when a subgraph cache
 * invalidates a tag of an entity they hold (the same Redis channels the subgraph caches use).
 *
 * Written here rather than taken from a library: the response-cache plugins for Apollo Server
 * (and envelop/yoga) run inside the pipeline, after parsing; a hit here costs no parse,
 * validation, planning or subgraph call.
 */
export function createGatewayResponseCache(options: {
  config: ResponseCacheConfig;
  redis?: Redis;
  logger: Logger;
  limiter: EdgeRateLimiter;
}) {
  const { config, redis, logger } = options;
  const store = new ResponseStore({
    maxEntries: config.RESPONSE_CACHE_MAX_ENTRIES,
    maxBytes: config.RESPONSE_CACHE_MAX_BYTES,
    maxEntryBytes: config.RESPONSE_CACHE_MAX_ENTRY_BYTES,
  });
  const fetchStore = new ResponseStore({
    maxEntries: config.SUBGRAPH_FETCH_CACHE_MAX_ENTRIES,
    maxBytes: config.SUBGRAPH_FETCH_CACHE_MAX_BYTES,
    maxEntryBytes: config.SUBGRAPH_FETCH_CACHE_MAX_ENTRY_BYTES,
  });
  const writable = () => !redis || redis.status === 'ready';
  const origin = randomUUID();
  // The subgraphs' response caches announce on `<REDIS_KEY_PREFIX>:cache:<subgraph>:invalidate`.
  const channelPrefix = `${config.REDIS_KEY_PREFIX}:cache`;
  const ownChannel = invalidationChannel('gateway', channelPrefix);
  let keyFields: ReadonlyMap<string, string> = new Map();
  const subscriptions = new Map<string, () => void>();

  const invalidateLocally = (tags: string[]) => {
    const dropped = store.invalidate(tags) + fetchStore.invalidate(tags);
    if (dropped) invalidations.inc({ service: 'gateway' }, dropped);
  };
  const listen = (channel: string) => {
    if (!redis || subscriptions.has(channel)) return;
    subscriptions.set(
      channel,
      subscribeInvalidations(redis, channel, (raw) => {
        try {
          const message = JSON.parse(raw) as { origin?: string; tags?: unknown };
          if (message.origin === origin || !Array.isArray(message.tags)) return;
          invalidateLocally(message.tags.filter((tag): tag is string => typeof tag === 'string'));
        } catch {
          // Not an invalidation message.
        }
      }),
    );
  };
  listen(ownChannel);

  // While Redis is away, invalidations published meanwhile never arrive: forget everything and
  // keep nothing new until it is back.
  const forget = () => {
    store.clear();
    fetchStore.clear();
  };
  redis?.on('close', forget);

  return {
    store,
    /** Whole answers to GET persisted queries, before the pipeline (RESPONSE_CACHE_ENABLED). */
    ...(config.RESPONSE_CACHE_ENABLED
      ? {
          middleware: responseCacheMiddleware({
            store,
            limiter: options.limiter,
            privateEntries: config.RESPONSE_CACHE_PRIVATE,
            writable,
          }),
          plugin: responseCachePlugin({
            maxTtlSeconds: config.RESPONSE_CACHE_MAX_TTL_SECONDS,
            privateEntries: config.RESPONSE_CACHE_PRIVATE,
            keyFields: () => keyFields,
          }),
        }
      : {}),
    /** Subgraph answers, below the planner (SUBGRAPH_FETCH_CACHE_ENABLED). */
    fetches: config.SUBGRAPH_FETCH_CACHE_ENABLED
      ? new SubgraphFetchCache(fetchStore, {
          maxTtlSeconds: config.SUBGRAPH_FETCH_CACHE_MAX_TTL_SECONDS,
          keyFields: () => keyFields,
          writable,
          invalidateLocally,
        })
      : undefined,
    /** On every supergraph (re)load: entity keys for tags, and each subgraph's invalidations. */
    onSupergraph(supergraphSdl: string) {
      try {
        keyFields = entityKeyFieldsOf(supergraphSdl);
      } catch (error) {
        logger.warn({ err: error }, 'response cache: entity keys unreadable; tagging by type only');
      }
      for (const { name } of subgraphsOf(supergraphSdl)) listen(invalidationChannel(name, channelPrefix));
      forget();
    },
    /** Drops entries holding these entities here and on every other gateway replica. */
    async invalidateTags(tags: string[]) {
      invalidateLocally(tags);
      await redis?.publish(ownChannel, JSON.stringify({ origin, tags })).catch((error: unknown) => {
        logger.warn({ err: error }, 'response cache: invalidation not published');
      });
    },
    close() {
      redis?.off('close', forget);
      for (const stop of subscriptions.values()) stop();
      subscriptions.clear();
      forget();
    },
  };
}

export type GatewayResponseCache = ReturnType<typeof createGatewayResponseCache>;
