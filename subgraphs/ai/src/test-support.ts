import { startService, type StartedService } from '@traveloure/platform';
import {
  createTestDatabase,
  postSigned,
  startPrivateRedis,
  testSigningSecret,
  type PrivateRedis,
  type TestDatabase,
} from '@traveloure/platform/testing';
import type { Role } from '@traveloure/platform';
import { startOpenAiEmulator, type OpenAiEmulator } from '../../../tests/emulators/openai/server.ts';
import type { AiConfig } from './config.ts';
import { aiService } from './service.ts';

export interface AiHarness {
  service: StartedService<AiConfig>;
  llm: OpenAiEmulator;
  database: TestDatabase;
  redis: PrivateRedis;
  /** Calls the subgraph as the gateway would, for this user (or anonymously). */
  graphql<T = any>(
    query: string,
    variables?: Record<string, unknown>,
    user?: { id: string; roles?: Role[]; name?: string },
  ): Promise<{ data?: T; errors?: { message: string; extensions?: Record<string, any> }[] }>;
  close(): Promise<void>;
}

/**
 * The ai subgraph on a fresh PostgreSQL database, a private redis-server (rate limits, cache and
 * the outbox relay's event queue stay out of the shared Redis) and an LLM emulator.
 */
export async function startAiHarness(label: string, env: Record<string, string> = {}): Promise<AiHarness> {
  const database = await createTestDatabase(label);
  const redis = await startPrivateRedis();
  const llm = await startOpenAiEmulator({ apiKey: 'test-llm-key' });
  const service = await startService(aiService, {
    port: 0,
    host: '127.0.0.1',
    env: {
      NODE_ENV: 'test',
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent',
      DATABASE_URL: database.url,
      REDIS_URL: redis.url,
      GATEWAY_SIGNING_SECRET: testSigningSecret,
      LLM_BASE_URL: llm.url,
      LLM_API_KEY: 'test-llm-key',
      LLM_MODEL: 'emulated-model',
      LLM_TIMEOUT_MS: '1000',
      ...env,
    },
  });
  return {
    service,
    llm,
    database,
    redis,
    async graphql(query, variables, user) {
      return (await postSigned<never>('ai', service.url, query, variables, user)).body;
    },
    async close() {
      await service.close();
      await llm.close();
      await redis.stop();
      await database.drop();
    },
  };
}
