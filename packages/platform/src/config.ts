import { z } from 'zod';
import { logFormats } from './logger.ts';
import { parseRedisUrl } from './redis.ts';

/**
 * One zod-validated config per service. A bad or missing variable stops startup with a
 * message that names the variable, so an operator never has to guess which one is wrong.
 */
export interface ConfigIssue {
  variable: string;
  message: string;
  /** The services that refused it, when several were checked together (npm start). */
  services?: string[];
}

export class ConfigError extends Error {
  constructor(public readonly issues: ConfigIssue[]) {
    super(
      'Invalid configuration:\n' +
        issues
          .map(
            (issue) =>
              `  ${issue.variable}${issue.services?.length ? ` (${issue.services.join(', ')})` : ''}: ${issue.message}`,
          )
          .join('\n'),
    );
    this.name = 'ConfigError';
  }
}

// Values of these are never echoed back in a message: they may hold a password or a key.
const confidentialVariable = /SECRET|KEY|PASSWORD|TOKEN|DSN|URL|AUTH|CREDENTIAL/i;

/**
 * Checks several services' configurations against one environment and reports every problem of
 * all of them at once (npm start hosts them all: one bad variable must stop it before anything
 * migrates, naming the variable and the services that use it).
 */
export function checkConfigs(
  checks: { service: string; load: (source: Record<string, string | undefined>) => unknown }[],
  source: Record<string, string | undefined> = process.env,
): void {
  const issues = new Map<string, ConfigIssue>();
  for (const check of checks) {
    try {
      check.load(source);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      for (const issue of error.issues) {
        const key = `${issue.variable}\u0000${issue.message}`;
        const known = issues.get(key);
        if (known) known.services!.push(check.service);
        else issues.set(key, { ...issue, services: [check.service] });
      }
    }
  }
  if (issues.size) throw new ConfigError([...issues.values()]);
}

const booleanFromEnv = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((value) => value === 'true' || value === '1' || value === 'yes');

/** What a deprecated setting's old name is still read as: its successor, in the successor's unit. */
interface Deprecation {
  successor: string;
  convert?: (value: string) => string;
}
const deprecations = z.registry<Deprecation>();
const warnedDeprecations = new Set<string>();

/** Helpers for schemas built from string environment variables. */
export const env = {
  string: () => z.string().min(1),
  url: () => z.url(),
  port: (fallback: number) =>
    z.coerce
      .number({ error: 'must be a port number (0 to 65535)' })
      .int('must be a port number (0 to 65535)')
      .min(0, 'must be a port number (0 to 65535)')
      .max(65535, 'must be a port number (0 to 65535)')
      .default(fallback),
  int: (fallback: number, min = 0, max = Number.MAX_SAFE_INTEGER) =>
    z.coerce.number().int().min(min).max(max).default(fallback),
  boolean: (fallback: boolean) => booleanFromEnv.default(fallback),
  list: () =>
    z.string().transform((value) =>
      value
        .split(',')
        .map((item) => item.trim())
        .filter(Boolean),
    ),
  /**
   * A setting's old name, kept working while deployments move to `successor`: loadConfig reads
   * it as the successor (through `convert` where the unit changed) when the successor is unset,
   * and emits a DeprecationWarning naming both. The service reads only the successor.
   */
  deprecated: (successor: string, convert?: (value: string) => string) =>
    z.string().optional().register(deprecations, { successor, convert }),
};

/**
 * Hands each deprecated setting that is set to its successor (see env.deprecated). A successor
 * set as well wins: the old name is then only warned about.
 */
function applyDeprecatedSettings(schema: z.ZodType, source: Record<string, string>) {
  const shape = (schema as { shape?: Record<string, z.ZodType> }).shape;
  if (!shape) return;
  for (const [name, field] of Object.entries(shape)) {
    const deprecation = deprecations.get(field);
    const value = source[name];
    if (!deprecation || value === undefined) continue;
    const { successor, convert } = deprecation;
    const ignored = source[successor] !== undefined;
    if (!ignored) source[successor] = convert ? convert(value) : value;
    if (warnedDeprecations.has(name)) continue;
    warnedDeprecations.add(name);
    process.emitWarning(
      ignored
        ? `${name} is deprecated and ignored, since ${successor} is set: remove ${name}.`
        : `${name} is deprecated: set ${successor} instead (read as ${successor}=${source[successor]}).`,
      { type: 'DeprecationWarning', code: 'TRAVELOURE_DEPRECATED_SETTING' },
    );
  }
}

/** Settings every service shares. */
export const baseConfigShape = {
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** `pretty` for people, `json` for collectors; unset: pretty when stdout is a terminal (logger.ts). */
  LOG_FORMAT: z.enum(logFormats).optional(),
  SERVICE_VERSION: z.string().default(process.env.npm_package_version ?? '0.1.0'),
  DATABASE_URL: z.url().optional(),
  DATABASE_READ_URL: z.url().optional(),
  /**
   * One server (`redis://host:6379`), or a Redis Cluster by several comma-separated seed hosts
   * (`redis://:secret@10.0.0.1:6379,10.0.0.2:6379,10.0.0.3:6379`); see parseRedisUrl.
   */
  REDIS_URL: z
    .string()
    .superRefine((url, context) => {
      try {
        parseRedisUrl(url);
      } catch (error) {
        context.addIssue({
          code: 'custom',
          message: `${(error as Error).message}: expected redis://[user:password@]host:port[,host:port...]`,
        });
      }
    })
    .optional(),
  /**
   * Prefix of every Redis key and channel a service writes beside its queues (caches, rate
   * limits, locks, invalidations), the same for every service of one deployment, so that
   * environments can share a Redis and the gateway hears the subgraphs' cache invalidations.
   */
  REDIS_KEY_PREFIX: z
    .string()
    .regex(/^[\w:.-]+$/, 'letters, digits and _ : . - only')
    .default('traveloure'),
  PGLITE_DATA_DIR: z.string().default('.data/pglite'),
  PG_POOL_MAX: env.int(10, 1, 500),
  PG_IDLE_TIMEOUT_MS: env.int(30_000, 0),
  PG_CONNECT_TIMEOUT_MS: env.int(5_000, 100),
  PG_STATEMENT_TIMEOUT_MS: env.int(15_000, 0),
  GATEWAY_SIGNING_SECRET: z
    .string()
    .min(32, 'must be at least 32 characters')
    .default('development-only-gateway-signing-secret-change-me'),
  SENTRY_DSN: z.url().optional(),
  SHUTDOWN_GRACE_MS: env.int(10_000, 0),
  /**
   * HTTP limits of every server (gateway and subgraphs; see http-hardening.ts). A request must
   * deliver its headers within HTTP_HEADERS_TIMEOUT_MS and all of it, body included, within
   * HTTP_REQUEST_TIMEOUT_MS; an idle keep-alive connection is closed after HTTP_KEEP_ALIVE_TIMEOUT_MS.
   */
  HTTP_HEADERS_TIMEOUT_MS: env.int(10_000, 100, 300_000),
  HTTP_REQUEST_TIMEOUT_MS: env.int(10_000, 100, 600_000),
  HTTP_KEEP_ALIVE_TIMEOUT_MS: env.int(5_000, 0, 600_000),
  /** Bigger request headers are refused with 431. */
  HTTP_MAX_HEADER_BYTES: env.int(16_384, 1_024, 1_048_576),
  /** How deeply a JSON request body (variables, extensions) may nest; deeper ones are refused with 400. */
  JSON_MAX_DEPTH: env.int(32, 2, 1_000),
  /**
   * Where /metrics is served: its own listener on this port, never the public one. Unset: 9464
   * in production, the service's own port otherwise (npm start, tests). See metricsPortOf.
   */
  METRICS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  METRICS_HOST: z.string().min(1).default('0.0.0.0'),
  /**
   * Demo users, trips and experts on start (reference data such as destinations and places is
   * always loaded). Defaults to on, except in production.
   */
  SEED_DEMO_DATA: booleanFromEnv.optional(),
};

export const baseConfigSchema = z.object(baseConfigShape);
export type BaseConfig = z.infer<typeof baseConfigSchema>;

/** Parses `source` (the environment by default) against `schema`, or throws ConfigError. */
export function loadConfig<S extends z.ZodType>(
  schema: S,
  source: Record<string, string | undefined> = process.env,
): z.infer<S> {
  // Empty strings mean "unset" (docker-compose passes `FOO=` for blanks).
  const cleaned = Object.fromEntries(
    Object.entries(source).filter(([, value]) => value !== undefined && value !== ''),
  ) as Record<string, string>;
  applyDeprecatedSettings(schema, cleaned);
  const result = schema.safeParse(cleaned);
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.map((issue) => {
        const variable = issue.path.join('.') || '(root)';
        const given = cleaned[variable];
        // The value given helps spot a typo (GATEWAY_PORT=40OO), unless it may be confidential.
        const echo = given !== undefined && !confidentialVariable.test(variable) && given.length <= 64;
        return { variable, message: echo ? `${issue.message} (got "${given}")` : issue.message };
      }),
    );
  }
  const config = result.data as z.infer<S> & Partial<BaseConfig>;
  if ('NODE_ENV' in config && config.SEED_DEMO_DATA === undefined) {
    (config as Partial<BaseConfig>).SEED_DEMO_DATA = config.NODE_ENV !== 'production';
  }
  if (
    config.NODE_ENV === 'production' &&
    config.GATEWAY_SIGNING_SECRET === baseConfigShape.GATEWAY_SIGNING_SECRET.parse(undefined)
  ) {
    throw new ConfigError([{ variable: 'GATEWAY_SIGNING_SECRET', message: 'must be set in production' }]);
  }
  return config;
}

/** True when the service runs without external PostgreSQL/Redis (the embedded default). */
export function isEmbedded(config: Pick<BaseConfig, 'DATABASE_URL'>): boolean {
  return !config.DATABASE_URL;
}
