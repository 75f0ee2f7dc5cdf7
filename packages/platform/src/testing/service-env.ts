import { testSigningSecret } from './identity.ts';

/**
 * The settings every service under test starts from: test mode, logs silent unless LOG_LEVEL
 * asks for them, the secret the test identities are signed with, and its stores (Redis only
 * when it has one). A harness adds its own settings over these.
 */
export function testServiceEnv(stores: { databaseUrl: string; redisUrl?: string }): Record<string, string> {
  return {
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent',
    DATABASE_URL: stores.databaseUrl,
    ...(stores.redisUrl ? { REDIS_URL: stores.redisUrl } : {}),
    GATEWAY_SIGNING_SECRET: testSigningSecret,
  };
}
