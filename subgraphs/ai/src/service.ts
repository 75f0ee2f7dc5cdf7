import type { Kysely } from 'kysely';
import {
  createDataCache,
  createEventSubscription,
  createServiceServer,
  readTypeDefs,
  createUpstream,
  startOutboxRelay,
  upstreamPoliciesOf,
  type ServiceDefinition,
} from '@traveloure/platform';
import { aiConfigSchema, type AiConfig } from './config.ts';
import { createContext, type AiServices } from './context.ts';
import type { Database } from './db/database.ts';
import { migrations } from './db/migrations/index.ts';
import { seed } from './db/seed/index.ts';
import { createLlmClient } from './llm/client.ts';
import { generationLimits, rateLimitTransformer } from './rate-limit.ts';
import { resolvers } from './resolvers/index.ts';
import { createTripEventHandler } from './trip-projection/trip-projection.service.ts';

export const typeDefs = readTypeDefs(new URL('./schema.graphql', import.meta.url));

/** The ai subgraph: itinerary suggestions (LLM + built-in planner), experts and chat. */
export const aiService: ServiceDefinition<AiConfig> = {
  name: 'ai',
  schema: 'ai',
  defaultPort: 4002,
  portVariable: 'AI_PORT',
  configSchema: aiConfigSchema,
  migrations,
  seed,

  async create(runtime) {
    const db = runtime.db as Kysely<Database>;
    const { config, logger, health, redis } = runtime;
    // Publishes ai.outbox (conversation messages) to the notification service's event queue.
    const relay = startOutboxRelay(runtime, 'ai', { consumers: ['notification'] });
    // Keeps ai.trip_projection (owners and facts of trips) from the trip subgraph's events.
    const tripEvents = createEventSubscription(runtime, {
      consumer: 'ai',
      concurrency: config.EVENTS_CONCURRENCY,
      handle: createTripEventHandler(logger),
    });
    const tripEventsWorker = tripEvents.start();
    const llmUpstream = createUpstream({
      name: 'llm',
      logger,
      health,
      service: 'ai',
      // LLM_MAX_ATTEMPTS 1 means no retry; the backoff between attempts is not a setting.
      ...upstreamPoliciesOf('LLM', config, { baseDelayMs: 250, maxDelayMs: 2_000 }),
    });
    const llm = createLlmClient(
      {
        baseUrl: config.LLM_BASE_URL,
        apiKey: config.LLM_API_KEY,
        model: config.LLM_MODEL,
        deadlineMs: config.LLM_DEADLINE_MS || config.LLM_TIMEOUT_MS,
      },
      llmUpstream,
      logger,
    );
    const suggestionCache = createDataCache({
      service: 'ai',
      namespace: 'itinerary',
      redis,
      logger,
      keyPrefix: `${config.REDIS_KEY_PREFIX}:cache`,
    });
    logger.info(
      {
        llm: llm.enabled
          ? { baseUrl: config.LLM_BASE_URL, model: config.LLM_MODEL }
          : 'disabled (planner only)',
      },
      'ai itinerary source',
    );
    const services: AiServices = {
      db,
      config,
      llm,
      suggestionCache,
      generationLimits: generationLimits(typeDefs, { redis, keyPrefix: `${config.REDIS_KEY_PREFIX}:ai` }),
    };

    const server = await createServiceServer(runtime, {
      typeDefs,
      resolvers,
      transformSchema: rateLimitTransformer({ redis, keyPrefix: `${config.REDIS_KEY_PREFIX}:ai` }),
      createContext: ({ identity }) => createContext(services, identity),
      onShutdown: async () => {
        await tripEventsWorker.close();
        await tripEvents.close();
        await relay.stop();
        await suggestionCache.close();
      },
    });
    return { server };
  },
};
