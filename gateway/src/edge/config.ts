import { z } from 'zod';
import { env } from '@traveloure/platform/config';

/**
 * Settings of the edge (identity, partner keys, limits, persisted queries, explorer). Spread into
 * the gateway's config schema, so a bad value stops the gateway with the variable named.
 */
export const edgeConfigShape = {
  /** Verify user tokens against this JWK set (RS256/ES256/...) instead of the HS256 secret. */
  JWT_JWKS_URL: z.url().optional(),
  /** Algorithms accepted; defaults to HS256 with a secret, asymmetric ones with a JWKS URL. */
  JWT_ALGORITHMS: env.list().optional(),
  JWT_CLOCK_TOLERANCE_SECONDS: env.int(5, 0, 300),

  /** How long a verified API key is trusted before it is looked up again (revocation delay). */
  API_KEY_CACHE_TTL_MS: env.int(10_000, 0, 600_000),
  API_KEY_DEFAULT_RATE_LIMIT: env.int(600, 1),

  RATE_LIMIT_WINDOW_SECONDS: env.int(60, 1, 86_400),
  /** Points per window: one per request, plus one per root field beyond the first. */
  RATE_LIMIT_ANONYMOUS: env.int(120, 1),
  RATE_LIMIT_USER: env.int(600, 1),

  MAX_DEPTH: env.int(6, 1, 100),
  MAX_ALIASES: env.int(15, 0, 1000),
  MAX_DIRECTIVES: env.int(50, 0, 1000),
  MAX_TOKENS: env.int(1000, 10, 100_000),
  /** GraphQL Armor's structural cost (objects, scalars, depth). */
  MAX_COST: env.int(5000, 1),
  /** Largest `first` / `last` / `maxResults` / `limit` one field may ask for. */
  MAX_LIST_SIZE: env.int(100, 1),
  /** Fields fetched once list sizes multiply out (`first: 50` of `first: 50` is 2500). */
  MAX_LIST_COST: env.int(10_000, 1),
  BODY_LIMIT_BYTES: env.int(102_400, 1024),
  /** Introspection for everyone (default: ADMIN, partner keys and development only). */
  INTROSPECTION_PUBLIC: env.boolean(false),
  /** "Did you mean" hints in validation errors (default: development only, so no default here). */
  FIELD_SUGGESTIONS: z
    .enum(['true', 'false', '1', '0', 'yes', 'no'])
    .transform((value) => value === 'true' || value === '1' || value === 'yes')
    .optional(),

  /**
   * Which proxies in front of the gateway to believe about the client address (express's
   * `trust proxy`: `loopback`, a hop count, or names/CIDRs). Anonymous callers are rate limited
   * by that address.
   */
  TRUST_PROXY: z.string().default('loopback'),

  /** Origins allowed by CORS; `*` allows any (credentials are never allowed cross-origin). */
  CORS_ORIGINS: env.list().default([]),

  /** `allow`: any operation; `safelist`: only the manifest, except for ADMIN. */
  PERSISTED_QUERIES_MODE: z.enum(['allow', 'safelist']).default('allow'),
  PERSISTED_OPERATIONS_PATH: z.string().optional(),
  APQ_TTL_SECONDS: env.int(86_400, 0),

  /** Serve the schema explorer at GET / . */
  EXPLORER_ENABLED: env.boolean(true),
};
