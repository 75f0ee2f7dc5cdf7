import { LRUCache } from 'lru-cache';

/** One stored answer: the exact body Apollo sent and the headers that describe it. */
export interface CachedResponse {
  body: string;
  contentType?: string;
  cacheControl?: string;
  vary?: string;
  etag?: string;
  /** Epoch ms, for `Age`. */
  storedAt: number;
  /** Rate-limit points the operation costs beyond the request's own (root fields past the first). */
  extraPoints: number;
  tags: string[];
}

export interface ResponseStoreLimits {
  maxEntries: number;
  maxBytes: number;
  maxEntryBytes: number;
}

/**
 * Entries in an LRU bounded by count and bytes, with an index from entity tag to keys so an
 * invalidation drops exactly the answers that hold the entity. `generation` moves on every
 * invalidation: an execution that began before one must not store what it read.
 */
export class ResponseStore {
  generation = 0;
  private readonly byTag = new Map<string, Set<string>>();
  private readonly entries: LRUCache<string, CachedResponse>;

  constructor(limits: ResponseStoreLimits) {
    this.entries = new LRUCache<string, CachedResponse>({
      max: limits.maxEntries,
      maxSize: limits.maxBytes,
      maxEntrySize: limits.maxEntryBytes,
      sizeCalculation: (entry, key) => entry.body.length + key.length,
      dispose: (entry, key) => this.unindex(key, entry.tags),
    });
  }

  get size() {
    return this.entries.size;
  }

  get(key: string): CachedResponse | undefined {
    return this.entries.get(key);
  }

  /** Stores unless an invalidation happened since `generation` was read; says whether it did. */
  set(key: string, entry: CachedResponse, ttlSeconds: number, generation: number): boolean {
    if (generation !== this.generation || ttlSeconds <= 0) return false;
    this.entries.set(key, entry, { ttl: ttlSeconds * 1000 });
    if (!this.entries.has(key)) return false; // over maxEntrySize
    for (const tag of entry.tags) {
      let keys = this.byTag.get(tag);
      if (!keys) this.byTag.set(tag, (keys = new Set()));
      keys.add(key);
    }
    return true;
  }

  /**
   * Drops every entry tagged with one of `tags` (`trip:42`), or with its type-wide tag
   * (`trip:*`, an entry that held a trip without its id); `trip:*` drops every trip. Returns how
   * many entries went.
   */
  invalidate(tags: readonly string[]): number {
    this.generation++;
    const doomed = new Set<string>();
    for (const tag of tags) {
      const separator = tag.indexOf(':');
      if (separator < 0) continue;
      const prefix = tag.slice(0, separator + 1);
      if (tag.endsWith(':*')) {
        for (const [indexed, keys] of this.byTag) if (indexed.startsWith(prefix)) add(keys);
      } else {
        add(this.byTag.get(tag));
        add(this.byTag.get(`${prefix}*`));
      }
    }
    for (const key of doomed) this.entries.delete(key);
    return doomed.size;

    function add(keys: Set<string> | undefined) {
      for (const key of keys ?? []) doomed.add(key);
    }
  }

  clear() {
    this.generation++;
    this.entries.clear();
  }

  private unindex(key: string, tags: readonly string[]) {
    for (const tag of tags) {
      const keys = this.byTag.get(tag);
      if (!keys) continue;
      keys.delete(key);
      if (keys.size === 0) this.byTag.delete(tag);
    }
  }
}
