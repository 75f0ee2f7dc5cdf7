import type { Kysely } from 'kysely';
import { UpstreamUnavailableError, counter, type Logger, type Redis } from '@traveloure/platform';
import type { Database } from '../db/database.ts';
import { popularHotelSearches } from '../db/search-log.repository.ts';
import { hotelSearchInput } from '../hotels/hotels.input.ts';
import type { SearchService } from '../search/search.service.ts';
import { parseSearchInput, todayUtc } from '../search/search.input.ts';

export interface CacheWarmingOptions {
  db: Kysely<Database>;
  search: SearchService;
  logger: Logger;
  /** With Redis, one replica warms per interval (a lock), not every replica. */
  redis?: Redis;
  lockKey?: string;
  /** How long to wait for Redis to grant the lock before warming without it. */
  lockTimeoutMs?: number;
  intervalMs: number;
  /** Searches per run: the budget that keeps warming well inside the upstream's rate. */
  top: number;
  lookbackDays: number;
}

export interface WarmingReport {
  skipped?: 'locked';
  warmed: number;
  failed: number;
}

const warmedTotal = counter(
  'search_cache_warm_total',
  'Hotel searches pre-fetched by cache warming, by outcome',
  ['service', 'outcome'],
);

/**
 * Pre-fetches the most searched hotel searches of the last days so travelers find them in the
 * cache. Searches run one after another through the same client (and so the same throttle and
 * breaker) as travelers' searches, at most `top` per run; an open breaker ends the run.
 */
export function createCacheWarming(options: CacheWarmingOptions) {
  const { db, search, logger, redis } = options;
  const lockKey = options.lockKey ?? 'traveloure:search:cache-warming:lock';
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<WarmingReport> | undefined;

  async function acquireLock(): Promise<boolean> {
    if (!redis || redis.status !== 'ready') return true;
    let timer: NodeJS.Timeout | undefined;
    try {
      const ttl = Math.max(1_000, Math.floor(options.intervalMs * 0.9));
      // A Redis that hangs must not hold the run (and shutdown, which waits for it) forever.
      const silent = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('redis did not answer')), options.lockTimeoutMs ?? 1_000);
      });
      return (
        (await Promise.race([redis.set(lockKey, String(process.pid), 'PX', ttl, 'NX'), silent])) === 'OK'
      );
    } catch {
      // Without Redis every replica warms on its own: more calls, never none.
      return true;
    } finally {
      clearTimeout(timer);
    }
  }

  async function runOnce(): Promise<WarmingReport> {
    if (!(await acquireLock())) return { skipped: 'locked', warmed: 0, failed: 0 };
    const today = todayUtc();
    const popular = await popularHotelSearches(db, {
      lookbackDays: options.lookbackDays,
      limit: options.top,
      today,
    });
    const report: WarmingReport = { warmed: 0, failed: 0 };
    for (const candidate of popular) {
      try {
        const query = parseSearchInput(hotelSearchInput({ today }), candidate);
        await search.searchHotels(query, { warming: true });
        report.warmed++;
        warmedTotal.inc({ service: 'search', outcome: 'warmed' });
      } catch (error) {
        report.failed++;
        warmedTotal.inc({ service: 'search', outcome: 'failed' });
        if (error instanceof UpstreamUnavailableError) {
          logger.warn({ reason: error.reason }, 'cache warming stopped: upstream unavailable');
          break;
        }
        logger.warn({ err: error, cityCode: candidate.cityCode }, 'cache warming of one search failed');
      }
    }
    logger.info(report, 'search cache warmed');
    return report;
  }

  return {
    /** One run now (also what the timer does). Concurrent calls share the run. */
    runOnce(): Promise<WarmingReport> {
      running ??= runOnce().finally(() => {
        running = undefined;
      });
      return running;
    },
    start() {
      if (options.intervalMs <= 0 || timer) return;
      timer = setInterval(() => {
        this.runOnce().catch((error: unknown) => logger.warn({ err: error }, 'cache warming failed'));
      }, options.intervalMs);
      timer.unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
      await running?.catch(() => undefined);
    },
  };
}

export type CacheWarming = ReturnType<typeof createCacheWarming>;
