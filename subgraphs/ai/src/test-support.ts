import { sql, type Kysely } from 'kysely';
import { startService, type Clock, type StartedService } from '@traveloure/platform';
import {
  createTestDatabase,
  signedGraphQL,
  startOutboxStandIn,
  startPrivateRedis,
  serviceEnv,
  type OutboxStandIn,
  type PrivateRedis,
  type SignedGraphQL,
  type TestDatabase,
  waitFor,
} from '@traveloure/platform/testing';
import type { TripChanged } from '@traveloure/platform/events/contracts';
import { startOpenAiEmulator, type OpenAiEmulator } from '@traveloure/testing';
import type { AiConfig } from './config.ts';
import { aiService } from './service.ts';

export interface SubgraphForTest {
  service: StartedService<AiConfig>;
  llm: OpenAiEmulator;
  database: TestDatabase;
  redis: PrivateRedis;
  /** The test database (ai tables and the stand-in `trip.outbox`). */
  db: Kysely<any>;
  /** Relays the stand-in `trip.outbox` to the ai consumer, as the trip service does. */
  relay: OutboxStandIn['relay'];
  /** Calls the subgraph as the gateway would, for this user (or anonymously): `{ status, body }`. */
  graphql: SignedGraphQL;
  /** Writes a trip event to the stand-in trip outbox, as the trip subgraph would; returns its id. */
  emitTrip(
    eventType: 'trip.created' | 'trip.updated' | 'trip.deleted',
    payload: TripEventPayload,
  ): Promise<string>;
  /** Resolves once the ai consumer applied the event (its id is in ai.processed_events). */
  applied(eventId: string): Promise<void>;
  close(): Promise<void>;
}

/** A trip event's payload as a test writes it: any part may be missing, to test what ai skips. */
export type TripEventPayload = Partial<TripChanged> & Pick<TripChanged, 'tripId' | 'userId'>;

/**
 * The ai subgraph on a fresh PostgreSQL database, a private redis-server (rate limits, cache and
 * the event queues stay out of the shared Redis), an LLM emulator, and a stand-in `trip.outbox`
 * with its relay, so trip events reach the ai projection through the real pipeline.
 */
export async function startSubgraphForTest(
  label: string,
  env: Record<string, string> = {},
  options: { clock?: Clock } = {},
): Promise<SubgraphForTest> {
  const database = await createTestDatabase(label);
  const redis = await startPrivateRedis();
  const llm = await startOpenAiEmulator({ apiKey: 'test-llm-key' });
  const aiEnv: Record<string, string> = {
    ...serviceEnv({ databaseUrl: database.url, redisUrl: redis.url }),
    LLM_BASE_URL: llm.url,
    LLM_API_KEY: 'test-llm-key',
    LLM_MODEL: 'emulated-model',
    LLM_TIMEOUT_MS: '1000',
    QUEUE_BACKOFF_MS: '50',
    OUTBOX_POLL_MS: '50',
    OUTBOX_ACK_TIMEOUT_MS: '2000',
    ...env,
  };
  const tripOutbox = await startOutboxStandIn({
    databaseUrl: database.url,
    schema: 'trip',
    consumers: ['ai'],
    env: aiEnv,
    redisUrl: redis.url,
    clock: options.clock,
  });
  const { db, relay } = tripOutbox;
  const service = await startService(aiService, { port: 0, host: '127.0.0.1', env: aiEnv });
  return {
    service,
    llm,
    database,
    redis,
    db,
    relay,
    graphql: signedGraphQL('ai', service.url),
    emitTrip: (eventType, payload) =>
      tripOutbox.emit({
        aggregateType: 'trip',
        aggregateId: payload.tripId,
        eventType,
        payload:
          eventType === 'trip.deleted' ? { tripId: payload.tripId, userId: payload.userId } : { ...payload },
      }),
    async applied(eventId) {
      await waitFor(
        async () =>
          (await sql`select 1 from ai.processed_events where event_id = ${eventId}`.execute(db)).rows.length >
          0,
        `event ${eventId} to be applied`,
      );
    },
    async close() {
      await tripOutbox.close();
      await service.close();
      await llm.close();
      await redis.stop();
      await database.drop();
    },
  };
}

/** A trip.created payload as the trip subgraph writes it. */
export function tripCreated(
  tripId: string,
  userId: string,
  overrides: Partial<TripChanged> = {},
): TripChanged {
  return {
    tripId,
    userId,
    title: 'Paris in spring',
    destinationCode: 'PAR',
    startDate: '2027-04-10',
    endDate: '2027-04-14',
    travelers: 2,
    budget: 'MIDRANGE',
    pace: 'RELAXED',
    ...overrides,
  };
}
