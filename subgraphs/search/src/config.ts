import { z } from 'zod';
// Narrow imports: npm start checks every service's config before it loads any service.
import { baseConfigShape, env } from '@traveloure/platform/config';

const amadeusHosts: Record<string, string> = {
  test: 'https://test.api.amadeus.com',
  production: 'https://api.amadeus.com',
};

export const searchConfigSchema = z
  .object({
    ...baseConfigShape,
    /** Port of the search subgraph when it runs alone. */
    SEARCH_PORT: env.port(4003),
    /** Amadeus Self-Service API key and secret; without both the demo provider answers. */
    AMADEUS_CLIENT_ID: z.string().min(1).optional(),
    AMADEUS_CLIENT_SECRET: z.string().min(1).optional(),
    /** `test`, `production` or a base URL (the emulator in tests). */
    AMADEUS_HOST: z
      .string()
      .default('test')
      .transform((value, context) => {
        const resolved = amadeusHosts[value] ?? value;
        if (!/^https?:\/\/[^\s]+$/.test(resolved)) {
          context.addIssue({ code: 'custom', message: 'must be "test", "production" or an http(s) URL' });
          return z.NEVER;
        }
        return resolved.replace(/\/+$/, '');
      }),
    /** Requests per second allowed to Amadeus (the test host allows 10). */
    AMADEUS_TPS: env.int(10, 1, 1000),
    /** Per-attempt timeout of an Amadeus call. */
    AMADEUS_TIMEOUT_MS: env.int(10_000, 100),
    /** Attempts per Amadeus call, the first included. */
    AMADEUS_MAX_ATTEMPTS: env.int(3, 1, 10),
    AMADEUS_RETRY_BASE_MS: env.int(200, 1),
    AMADEUS_RETRY_MAX_MS: env.int(5_000, 1),
    /** Breaker: share of failed calls in the window that opens it (percent). */
    AMADEUS_BREAKER_FAILURE_PERCENT: env.int(50, 1, 99),
    AMADEUS_BREAKER_MIN_CALLS: env.int(10, 1),
    AMADEUS_BREAKER_WINDOW_MS: env.int(30_000, 1_000),
    AMADEUS_BREAKER_HALF_OPEN_MS: env.int(15_000, 10),
    AMADEUS_MAX_CONCURRENT: env.int(20, 1),
    AMADEUS_MAX_QUEUE: env.int(100, 0),
    /** How long a search result is fresh. */
    SEARCH_CACHE_TTL_SECONDS: env.int(300, 1),
    /** How old (since fetched) a result may be and still be served (meta.stale) while the upstream fails. */
    SEARCH_STALE_TTL_SECONDS: env.int(86_400, 0),
    /** The hotel list of a city changes rarely. */
    SEARCH_HOTEL_LIST_TTL_SECONDS: env.int(86_400, 1),
    SEARCH_L1_TTL_MS: env.int(5_000, 0),
    SEARCH_L1_MAX_ENTRIES: env.int(2_000, 1),
    /** Deprecated: read as REDIS_KEY_PREFIX. */
    SEARCH_REDIS_PREFIX: env.deprecated('REDIS_KEY_PREFIX'),
    /** Cache warming: how often (0 turns it off), how many searches per run, looking back how many days. */
    SEARCH_WARM_INTERVAL_MS: env.int(240_000, 0),
    SEARCH_WARM_TOP: env.int(10, 1, 100),
    SEARCH_WARM_LOOKBACK_DAYS: env.int(7, 1, 365),
    /** Search log write-behind: flush interval, rows per INSERT, rows buffered at most (then dropped, counted). */
    SEARCH_LOG_FLUSH_MS: env.int(1_000, 10, 60_000),
    SEARCH_LOG_BATCH_SIZE: env.int(500, 1, 5_000),
    SEARCH_LOG_MAX_BUFFERED: env.int(20_000, 1, 1_000_000),
  })
  .superRefine((config, context) => {
    if (Boolean(config.AMADEUS_CLIENT_ID) !== Boolean(config.AMADEUS_CLIENT_SECRET)) {
      context.addIssue({
        code: 'custom',
        path: [config.AMADEUS_CLIENT_ID ? 'AMADEUS_CLIENT_SECRET' : 'AMADEUS_CLIENT_ID'],
        message: 'set both AMADEUS_CLIENT_ID and AMADEUS_CLIENT_SECRET, or neither (demo provider)',
      });
    }
  });

export type SearchConfig = z.infer<typeof searchConfigSchema>;
