import { testSigningSecret } from './identity.ts';

/**
 * The settings every service reads to start against a throwaway database and Redis, so a test
 * stack names only what it changes. The signing secret is the test one unless given (a stack
 * that mints its own keeps them out of the shared test secret).
 */
export function serviceEnv(options: {
  /** None: the embedded default (PGlite). */
  databaseUrl?: string;
  redisUrl?: string;
  jwtSecret?: string;
  signingSecret?: string;
  nodeEnv?: string;
  logLevel?: string;
  /** Connections each service's PostgreSQL pool may open (PG_POOL_MAX). */
  poolMax?: number;
}): Record<string, string> {
  return {
    NODE_ENV: options.nodeEnv ?? 'test',
    LOG_LEVEL: options.logLevel ?? process.env.LOG_LEVEL ?? 'silent',
    ...(options.databaseUrl ? { DATABASE_URL: options.databaseUrl } : {}),
    ...(options.redisUrl ? { REDIS_URL: options.redisUrl } : {}),
    GATEWAY_SIGNING_SECRET: options.signingSecret ?? testSigningSecret,
    ...(options.jwtSecret ? { JWT_SECRET: options.jwtSecret } : {}),
    ...(options.poolMax === undefined ? {} : { PG_POOL_MAX: String(options.poolMax) }),
  };
}

/**
 * The settings of a stack run as in production (NODE_ENV=production, logs at info unless told)
 * on secrets of its own, so nothing it signs is valid against the shared test secret.
 */
export function productionServiceEnv(options: {
  databaseUrl: string;
  redisUrl: string;
  jwtSecret: string;
  signingSecret: string;
  logLevel?: string;
  poolMax?: number;
}): Record<string, string> {
  return serviceEnv({ ...options, nodeEnv: 'production', logLevel: options.logLevel ?? 'info' });
}
