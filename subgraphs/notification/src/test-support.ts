/**
 * Test support for the notification service: the service on a fresh PostgreSQL database with
 * its queues under a key prefix of its own, a stand-in `trip.outbox` that events are written to
 * (as the trip subgraph does) and the relay that carries them.
 */
import { randomBytes } from 'node:crypto';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import {
  createLogger,
  createRedis,
  startOutboxRelay,
  startService,
  writeOutboxEvent,
  type Clock,
  type EgressResolver,
  type Role,
  type StartedService,
} from '@traveloure/platform';
import {
  createTestDatabase,
  postSigned,
  testRedisUrl,
  testSigningSecret,
  type TestDatabase,
} from '@traveloure/platform/testing';
import type { NotificationServices } from './services.ts';
import type { NotificationConfig } from './config.ts';
import { defineNotificationService } from './service.ts';

export interface SubgraphForTest {
  service: StartedService<NotificationConfig>;
  services: NotificationServices;
  database: TestDatabase;
  db: Kysely<any>;
  env: Record<string, string>;
  relay: ReturnType<typeof startOutboxRelay>;
  graphql<T = any>(
    query: string,
    variables?: Record<string, unknown>,
    user?: { id: string; roles?: Role[] },
  ): Promise<{ data?: T; errors?: { message: string; extensions?: Record<string, unknown> }[] }>;
  /** Writes an event to the stand-in trip outbox, as the trip subgraph would. */
  emit(eventType: string, payload: Record<string, unknown>): Promise<string>;
  /** Polls until `check` returns a truthy value. */
  until<T>(check: () => Promise<T | undefined | null | false>, what: string, timeoutMs?: number): Promise<T>;
  close(): Promise<void>;
}

export async function startSubgraphForTest(
  label: string,
  options: {
    env?: Record<string, string>;
    clock?: Clock;
    redisUrl?: string | null;
    relay?: boolean;
    /** DNS for webhook hosts (the egress policy's resolver). */
    egressResolver?: EgressResolver;
  } = {},
): Promise<SubgraphForTest> {
  const database = await createTestDatabase(label);
  const prefix = `test-${label}-${randomBytes(4).toString('hex')}`;
  const redisUrl = options.redisUrl === null ? undefined : (options.redisUrl ?? testRedisUrl);
  const env: Record<string, string> = {
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent',
    DATABASE_URL: database.url,
    ...(redisUrl ? { REDIS_URL: redisUrl } : {}),
    GATEWAY_SIGNING_SECRET: testSigningSecret,
    QUEUE_PREFIX: prefix,
    REDIS_KEY_PREFIX: `${prefix}-keys`,
    QUEUE_BACKOFF_MS: '50',
    PUSH_BACKOFF_MS: '50',
    OUTBOX_POLL_MS: '50',
    OUTBOX_ACK_TIMEOUT_MS: '2000',
    PG_POOL_MAX: '5',
    ...options.env,
  };
  const pool = new pg.Pool({ connectionString: database.url, max: 3 });
  pool.on('error', () => {});
  const db = new Kysely<any>({ dialect: new PostgresDialect({ pool }) });
  await sql`create schema trip`.execute(db);
  await sql`create table trip.outbox (
    id uuid primary key default gen_random_uuid(), aggregate_type text not null, aggregate_id text not null,
    event_type text not null, payload jsonb not null, created_at timestamptz not null default now(),
    published_at timestamptz, attempts int not null default 0)`.execute(db);

  let services!: NotificationServices;
  const service = await startService(
    defineNotificationService({
      clock: options.clock,
      egressResolver: options.egressResolver,
      onServices: (created) => (services = created),
    }),
    {
      env,
      port: 0,
      host: '127.0.0.1',
    },
  );
  const logger = createLogger('test-relay', { level: 'silent' });
  const relayRedis = redisUrl ? createRedis(redisUrl, logger) : undefined;
  const relay = startOutboxRelay(
    { config: { ...env, REDIS_URL: redisUrl }, redis: relayRedis, db, logger },
    'trip',
    { consumers: ['notification'], clock: options.clock },
  );
  if (options.relay === false) await relay.stop();

  return {
    service,
    services,
    database,
    db,
    env,
    relay,
    async graphql(query, variables, user) {
      return (await postSigned<never>('notification', service.url, query, variables, user)).body;
    },
    emit: (eventType, payload) =>
      writeOutboxEvent(db, 'trip', {
        aggregateType: eventType.split('.')[0]!,
        aggregateId: String(payload.tripId ?? payload.userId),
        eventType,
        payload,
      }),
    async until(check, what, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const value = await check();
        if (value) return value;
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    async close() {
      await relay.stop();
      relayRedis?.disconnect();
      await service.close();
      await db.destroy();
      await database.drop();
    },
  };
}

/** A `User` entity's inbox fields, fetched as the gateway would (`_entities`). */
export const inboxQuery = `query Inbox($id: ID!, $unreadOnly: Boolean) {
  _entities(representations: [{ __typename: "User", id: $id }]) {
    ... on User {
      unreadNotificationCount
      notifications(first: 50, unreadOnly: $unreadOnly) {
        totalCount
        edges { node { id kind severity title body readAt deliveries { channel status attempts lastError } } }
      }
    }
  }
}`;

export interface InboxEntry {
  id: string;
  kind: string;
  severity: string;
  title: string;
  body: string;
  readAt: string | null;
  deliveries: { channel: string; status: string; attempts: number; lastError: string | null }[];
}

export async function inboxOf(harness: SubgraphForTest, userId: string, unreadOnly = false) {
  const result = await harness.graphql<{
    _entities: {
      unreadNotificationCount: number;
      notifications: { totalCount: number; edges: { node: InboxEntry }[] };
    }[];
  }>(inboxQuery, { id: userId, unreadOnly }, { id: userId });
  if (result.errors) throw new Error(JSON.stringify(result.errors));
  const user = result.data!._entities[0]!;
  return {
    unread: user.unreadNotificationCount,
    total: user.notifications.totalCount,
    entries: user.notifications.edges.map((edge) => edge.node),
  };
}

export const isoDay = (time: number) => new Date(time).toISOString().slice(0, 10);
export const DAY_MS = 86_400_000;

/** A trip.created payload as the trip subgraph writes it, its dates counted in days from `from`. */
export function tripCreated(
  trip: {
    tripId: string;
    userId: string;
    destinationCode: string;
    title?: string;
    startInDays: number;
    endInDays: number;
  },
  from: number,
) {
  return {
    tripId: trip.tripId,
    userId: trip.userId,
    title: trip.title ?? trip.tripId,
    destinationCode: trip.destinationCode,
    startDate: isoDay(from + trip.startInDays * DAY_MS),
    endDate: isoDay(from + trip.endInDays * DAY_MS),
  };
}
