import { createHash, randomUUID } from 'node:crypto';
import stableStringify from 'fast-json-stable-stringify';
import { GraphQLError } from 'graphql';
import type { Redis } from 'ioredis';
import { invalidationChannel, subscribeInvalidations } from './invalidation-bus.ts';
import { LRUCache } from 'lru-cache';
import type { Logger } from 'pino';
import { ErrorCode } from '../errors.ts';
import { counter } from '../metrics.ts';
import { redisErrorFields } from '../redis.ts';

export interface DataCacheOptions {
  /** The `service` metric label and part of every Redis key. */
  service: string;
  /** What is cached (e.g. `flights`, `destinations`); keys and metrics are per namespace. */
  namespace: string;
  /** L2. Without it (embedded mode) the cache is L1 only. */
  redis?: Redis;
  logger: Logger;
  /** How long L1 trusts an entry before asking L2 again (bounds cross-replica staleness). */
  l1TtlMs?: number;
  l1MaxEntries?: number;
  /** Prefix of every Redis key and channel (tests use their own). Default `cache`. */
  keyPrefix?: string;
  /** A Redis command slower than this counts as a Redis failure (answer from L1/loader). */
  l2TimeoutMs?: number;
  /** Which loader errors may be answered with a stale entry. Default: upstream and internal failures. */
  staleIf?: (error: unknown) => boolean;
}

export interface CacheGetOptions {
  /** How long an entry is fresh. */
  ttlSeconds: number;
  /** How long past freshness an entry may still be served when the loader fails. Default 24 h. */
  staleTtlSeconds?: number;
  /** Invalidation handles: invalidateTags(['trip:42']) drops every entry tagged so. */
  tags?: string[];
  /** Load even when a fresh entry exists, and store the result (cache warming). */
  forceRefresh?: boolean;
  /**
   * Turns a value read back from Redis (JSON) into what the loader returns (e.g. Dates), once
   * as it enters L1, so L1 hits hand out ready values.
   */
  revive?: (value: any) => unknown;
}

export interface CacheResult<T> {
  value: T;
  /** True when the value came from the cache rather than from this call's loader. */
  cached: boolean;
  /** True when the loader failed and an expired (but not too old) entry was served instead. */
  stale: boolean;
  /** When the value was loaded from its source. */
  fetchedAt: Date;
}

export interface CacheGetManyOptions<K> extends Omit<CacheGetOptions, 'tags'> {
  /** The cache key of each item key (default: the key itself). */
  keyOf?: (key: K) => string | object;
  tagsOf?: (key: K) => string[];
}

export interface DataCache {
  get<T>(key: string | object, loader: () => Promise<T>, options: CacheGetOptions): Promise<CacheResult<T>>;
  /**
   * Many keys at once, for DataLoader batches: L1, then one Redis MGET, then one `loadMany`
   * call for whatever is still missing. Keys loadMany leaves out resolve undefined and are not
   * cached. If loadMany fails, stale entries answer when every missing key has one.
   */
  getMany<K, T>(
    keys: readonly K[],
    loadMany: (missing: K[]) => Promise<Map<K, T>>,
    options: CacheGetManyOptions<K>,
  ): Promise<(CacheResult<T> | undefined)[]>;
  invalidateTags(tags: string[]): Promise<void>;
  delete(key: string | object): Promise<void>;
  /** Stops listening for invalidations from other replicas. */
  close(): Promise<void>;
}

/** What is stored, in L1 and (as JSON) in L2. */
interface Entry<T = unknown> {
  v: T;
  /** fetched at (epoch ms) */
  t: number;
  /** fresh until */
  f: number;
  /** servable as stale until */
  s: number;
  g?: string[];
}

interface L1Slot {
  entry: Entry;
  storedAt: number;
}

const DEFAULT_STALE_TTL_SECONDS = 24 * 60 * 60;

/** fetchedAt is made only when read: DataLoader batches take thousands of results and read none. */
class Result<T> implements CacheResult<T> {
  constructor(
    readonly value: T,
    readonly cached: boolean,
    readonly stale: boolean,
    private readonly fetchedAtMs: number,
  ) {}
  get fetchedAt(): Date {
    return new Date(this.fetchedAtMs);
  }
}

/**
 * The caches of one service (same key prefix) in this process share tag invalidation: a trip
 * change clears the trip's entries from every namespace's L1 at once, Redis or not, and stops
 * their in-flight loads from writing back what they read before the change.
 */
interface LocalGroup {
  /** Names this process on the bus: the group already applied its own invalidations. */
  origin: string;
  generation: number;
  members: Set<(message: { tags?: string[]; keys?: string[] }) => void>;
}
const localGroups = new Map<string, LocalGroup>();

const requestsTotal = counter(
  'cache_requests_total',
  'Data cache lookups by result (hit, miss, stale) and layer',
  ['service', 'namespace', 'result', 'layer'],
);
const l2ErrorsTotal = counter('cache_l2_errors_total', 'Redis (L2) operations that failed or timed out', [
  'service',
  'namespace',
  'operation',
]);

/** Stale answers stand in for failures of the source, never for the client's own mistakes. */
export function defaultStaleIf(error: unknown): boolean {
  if (!(error instanceof GraphQLError)) return true;
  const code = error.extensions?.code;
  return (
    code === undefined || code === ErrorCode.UPSTREAM_UNAVAILABLE || code === ErrorCode.INTERNAL_SERVER_ERROR
  );
}

/** A cache key from a string or from a query object (property order does not matter). */
export function normalizeCacheKey(key: string | object): string {
  const text = typeof key === 'string' ? key : stableStringify(key);
  return text.length <= 120 && /^[\w:.,=-]*$/.test(text)
    ? text
    : createHash('sha256').update(text).digest('base64url');
}

/**
 * The cache of the data a service reads: rows from its database (trips, items, users, inbox
 * pages) and upstream results (flight and hotel searches, suggestions), not GraphQL responses
 * (the gateway's response cache is gateway/src/response-cache).
 *
 * L1 (in-process LRU, seconds) over L2 (Redis, the entry's TTL plus its stale window).
 * A miss is single-flight per key: concurrent callers share one loader call. When the loader
 * fails, the last good entry (up to staleTtlSeconds past freshness) is served with stale: true.
 * Redis failures are logged and counted, never thrown: the cache then runs on L1 alone, and
 * trusts L1 entries for their full TTL since there is no L2 to refresh from.
 */
export function createDataCache(options: DataCacheOptions): DataCache {
  const { service, namespace, redis, logger } = options;
  const prefix = `${options.keyPrefix ?? 'cache'}:${service}`;
  // Every key of one service's cache (entries of all namespaces and the tag sets) carries the
  // hash tag `{service}`, so on a Redis Cluster they share a slot: an entry and its tag sets are
  // written in one MULTI, a batch read is one MGET and a tag's entries are deleted in one DEL.
  // Services spread over the cluster's nodes; one service's cache lives on one node.
  const keyBase = `${options.keyPrefix ?? 'cache'}:{${service}}`;
  const l1TtlMs = options.l1TtlMs ?? 5_000;
  const l2TimeoutMs = options.l2TimeoutMs ?? 500;
  const staleIf = options.staleIf ?? defaultStaleIf;
  const group = localGroups.get(prefix) ?? { origin: randomUUID(), generation: 0, members: new Set() };
  localGroups.set(prefix, group);
  const channel = invalidationChannel(service, options.keyPrefix);
  const l1 = new LRUCache<string, L1Slot>({ max: options.l1MaxEntries ?? 1_000 });
  const inflight = new Map<string, Promise<CacheResult<unknown>>>();

  const entryKey = (key: string | object) => `${keyBase}:${namespace}:${normalizeCacheKey(key)}`;
  const tagKey = (tag: string) => `${keyBase}:tag:${tag}`;
  // Bound once per outcome: a DataLoader batch counts dozens of lookups, and prom-client hashes
  // the labels of every unbound inc.
  const outcomes = new Map<string, { inc(value?: number): void }>();
  const count = (result: 'hit' | 'miss' | 'stale', layer: 'l1' | 'l2' | 'none', times = 1) => {
    if (times === 0) return;
    const outcome = `${result}:${layer}`;
    let child = outcomes.get(outcome);
    if (!child) {
      child = requestsTotal.labels({ service, namespace, result, layer });
      outcomes.set(outcome, child);
    }
    child.inc(times);
  };
  const l2Ready = () => redis !== undefined && redis.status === 'ready';

  let lastL2Error = '';
  async function l2<R>(operation: string, run: (client: Redis) => Promise<R>): Promise<R | undefined> {
    if (!redis || !l2Ready()) return undefined;
    let timer: NodeJS.Timeout | undefined;
    try {
      const result = await Promise.race([
        run(redis),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`redis ${operation} timed out`)), l2TimeoutMs);
        }),
      ]);
      lastL2Error = '';
      return result;
    } catch (error) {
      l2ErrorsTotal.inc({ service, namespace, operation });
      const message = error instanceof Error ? error.message : String(error);
      if (message !== lastL2Error)
        logger.warn({ ...redisErrorFields(error), namespace, operation }, 'cache L2 unavailable; using L1');
      lastL2Error = message;
      return undefined;
    } finally {
      clearTimeout(timer);
    }
  }

  function dropFromL1(predicate: (key: string, slot: L1Slot) => boolean) {
    for (const [key, slot] of l1.entries()) if (predicate(key, slot)) l1.delete(key);
  }

  function applyInvalidation(message: { tags?: string[]; keys?: string[] }) {
    const tags = new Set(message.tags ?? []);
    const keys = new Set(message.keys ?? []);
    dropFromL1((key, slot) => keys.has(key) || (slot.entry.g ?? []).some((tag) => tags.has(tag)));
  }
  group.members.add(applyInvalidation);

  /** Bumped by every invalidation: a load that began before it must not write its result back. */
  function invalidateLocally(message: { tags?: string[]; keys?: string[] }) {
    group.generation++;
    for (const apply of group.members) apply(message);
  }

  // Other replicas' invalidations reach this L1 through Redis pub/sub. They bump the generation
  // too: a load this replica started before another replica's change must not write back what
  // it read (the other replica has already deleted the Redis entries it would overwrite).
  const stopListening = redis
    ? subscribeInvalidations(redis, channel, (raw) => {
        try {
          const message = JSON.parse(raw) as { origin: string; tags?: string[]; keys?: string[] };
          if (message.origin === group.origin) return;
          group.generation++;
          applyInvalidation(message);
        } catch {
          // Not ours to understand; ignore.
        }
      })
    : undefined;

  function storeL1(key: string, entry: Entry, now: number) {
    const remaining = entry.s - now;
    if (remaining > 0) l1.set(key, { entry, storedAt: now }, { ttl: remaining });
  }

  function result<T>(entry: Entry, cached: boolean, stale: boolean): CacheResult<T> {
    return new Result<T>(entry.v as T, cached, stale, entry.t);
  }

  /** An entry as Redis holds it, its value revived; undefined when unreadable. */
  function parseEntry(raw: string, revive: ((value: any) => unknown) | undefined): Entry | undefined {
    try {
      const entry = JSON.parse(raw) as Entry;
      if (revive) entry.v = revive(entry.v);
      return entry;
    } catch {
      return undefined;
    }
  }

  async function readL2(key: string, revive?: (value: any) => unknown): Promise<Entry | undefined> {
    const raw = await l2('get', (client) => client.get(key));
    return raw ? parseEntry(raw, revive) : undefined;
  }

  /** Entries and their tag sets in one MULTI, each living until its stale horizon. */
  async function writeL2(entries: [string, Entry][], now: number) {
    await l2('set', (client) => {
      const multi = client.multi();
      for (const [key, entry] of entries) {
        const ttlMs = Math.max(1, entry.s - now);
        multi.set(key, JSON.stringify(entry), 'PX', ttlMs);
        for (const tag of entry.g ?? []) multi.sadd(tagKey(tag), key).pexpire(tagKey(tag), ttlMs);
      }
      return multi.exec();
    });
  }

  async function load<T>(
    key: string,
    loader: () => Promise<T>,
    getOptions: CacheGetOptions,
  ): Promise<CacheResult<T>> {
    const fromL2 = await readL2(key, getOptions.revive);
    const now = Date.now();
    if (fromL2 && now < fromL2.f && !getOptions.forceRefresh) {
      storeL1(key, fromL2, now);
      count('hit', 'l2');
      return result<T>(fromL2, true, false);
    }
    const startGeneration = group.generation;
    try {
      const entry = makeEntry(await loader(), getOptions, getOptions.tags);
      count('miss', 'none');
      if (group.generation === startGeneration && getOptions.ttlSeconds > 0) {
        storeL1(key, entry, entry.t);
        await writeL2([[key, entry]], entry.t);
      }
      return result<T>(entry, false, false);
    } catch (error) {
      const fallback = [l1.get(key)?.entry, fromL2]
        .filter((entry): entry is Entry => entry !== undefined && Date.now() < entry.s)
        .sort((a, b) => b.t - a.t)[0];
      if (!fallback || !staleIf(error)) throw error;
      count('stale', 'none');
      logger.warn(
        { err: error, namespace, fetchedAt: new Date(fallback.t).toISOString() },
        'serving stale cache entry',
      );
      return result<T>(fallback, true, true);
    }
  }

  function makeEntry<T>(value: T, options: CacheGetOptions, tags: string[] | undefined): Entry<T> {
    const fetchedAt = Date.now();
    return {
      v: value,
      t: fetchedAt,
      f: fetchedAt + options.ttlSeconds * 1000,
      s: fetchedAt + (options.ttlSeconds + (options.staleTtlSeconds ?? DEFAULT_STALE_TTL_SECONDS)) * 1000,
      ...(tags?.length ? { g: tags } : {}),
    };
  }

  /** L1 entry if this replica may answer from it now (see get). */
  function trustedL1(key: string, now: number): Entry | undefined {
    const slot = l1.get(key);
    if (!slot) return undefined;
    const trustedUntil = l2Ready() ? Math.min(slot.storedAt + l1TtlMs, slot.entry.f) : slot.entry.f;
    return now < trustedUntil ? slot.entry : undefined;
  }

  async function publish(message: { tags?: string[]; keys?: string[] }) {
    await l2('publish', (client) =>
      client.publish(channel, JSON.stringify({ origin: group.origin, ...message })),
    );
  }

  return {
    async get<T>(rawKey: string | object, loader: () => Promise<T>, getOptions: CacheGetOptions) {
      const key = entryKey(rawKey);
      // Without L2 there is nothing fresher to ask, so L1 is trusted for the entry's full TTL.
      const fromL1 = getOptions.forceRefresh ? undefined : trustedL1(key, Date.now());
      if (fromL1) {
        count('hit', 'l1');
        return result<T>(fromL1, true, false);
      }
      const pending = inflight.get(key);
      if (pending) return pending as Promise<CacheResult<T>>;
      const promise = load(key, loader, getOptions).finally(() => inflight.delete(key));
      inflight.set(key, promise);
      return promise;
    },

    async getMany<K, T>(
      keys: readonly K[],
      loadMany: (missing: K[]) => Promise<Map<K, T>>,
      options: CacheGetManyOptions<K>,
    ) {
      const keyOf = options.keyOf ?? ((key: K) => key as unknown as string | object);
      const cacheKeys = keys.map((key) => entryKey(keyOf(key)));
      const results: (CacheResult<T> | undefined)[] = new Array(keys.length).fill(undefined);
      const now = Date.now();
      let pending: number[] = [];
      for (let index = 0; index < cacheKeys.length; index++) {
        const entry = options.forceRefresh ? undefined : trustedL1(cacheKeys[index]!, now);
        if (entry) results[index] = result<T>(entry, true, false);
        else pending.push(index);
      }
      count('hit', 'l1', keys.length - pending.length);
      if (pending.length === 0) return results;

      const fromL2 = new Map<number, Entry>();
      const raw = await l2('mget', (client) => client.mget(...pending.map((index) => cacheKeys[index]!)));
      raw?.forEach((text, position) => {
        // An unreadable entry is a miss.
        const entry = text ? parseEntry(text, options.revive) : undefined;
        if (entry) fromL2.set(pending[position]!, entry);
      });
      if (!options.forceRefresh) {
        pending = pending.filter((index) => {
          const entry = fromL2.get(index);
          if (!entry || Date.now() >= entry.f) return true;
          storeL1(cacheKeys[index]!, entry, Date.now());
          count('hit', 'l2');
          results[index] = result<T>(entry, true, false);
          return false;
        });
      }
      if (pending.length === 0) return results;

      const startGeneration = group.generation;
      let loaded: Map<K, T>;
      try {
        loaded = await loadMany(pending.map((index) => keys[index]!));
      } catch (error) {
        const fallbacks = pending.map(
          (index) =>
            [l1.get(cacheKeys[index]!)?.entry, fromL2.get(index)]
              .filter((entry): entry is Entry => entry !== undefined && Date.now() < entry.s)
              .sort((a, b) => b.t - a.t)[0],
        );
        if (!staleIf(error) || fallbacks.some((entry) => entry === undefined)) throw error;
        pending.forEach((index, position) => {
          count('stale', 'none');
          results[index] = result<T>(fallbacks[position]!, true, true);
        });
        logger.warn({ err: error, namespace, keys: pending.length }, 'serving stale cache entries');
        return results;
      }
      const writes: [string, Entry][] = [];
      for (const index of pending) {
        count('miss', 'none');
        const key = keys[index]!;
        if (!loaded.has(key)) continue;
        const entry = makeEntry(loaded.get(key) as T, options, options.tagsOf?.(key));
        results[index] = result<T>(entry, false, false);
        writes.push([cacheKeys[index]!, entry]);
      }
      if (group.generation === startGeneration && options.ttlSeconds > 0 && writes.length > 0) {
        const writtenAt = Date.now();
        for (const [key, entry] of writes) storeL1(key, entry, writtenAt);
        await writeL2(writes, writtenAt);
      }
      return results;
    },

    async invalidateTags(tags: string[]) {
      if (tags.length === 0) return;
      invalidateLocally({ tags });
      await l2('invalidate', async (client) => {
        const members = await Promise.all(tags.map((tag) => client.smembers(tagKey(tag))));
        const keys = [...new Set(members.flat()), ...tags.map(tagKey)];
        await client.del(...keys);
      });
      await publish({ tags });
    },

    async delete(rawKey: string | object) {
      const key = entryKey(rawKey);
      invalidateLocally({ keys: [key] });
      await l2('delete', (client) => client.del(key));
      await publish({ keys: [key] });
    },

    async close() {
      group.members.delete(applyInvalidation);
      stopListening?.();
      l1.clear();
    },
  };
}
