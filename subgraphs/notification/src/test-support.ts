/**
 * Test support for the notification service: the service on a fresh PostgreSQL database with
 * its queues under a key prefix of its own, a stand-in `trip.outbox` that events are written to
 * (as the trip subgraph does) and the relay that carries them.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { Kysely } from 'kysely';
import { startService, type Clock, type EgressResolver, type StartedService } from '@traveloure/platform';
import {
  createTestDatabase,
  freePort,
  signedGraphQL,
  startOutboxStandIn,
  waitFor,
  testRedisUrl,
  serviceEnv,
  type OutboxStandIn,
  type SignedGraphQL,
  type TestDatabase,
} from '@traveloure/platform/testing';
import type { TripChanged } from '@traveloure/platform/events/contracts';
import type { NotificationServices } from './services.ts';
import type { NotificationConfig } from './config.ts';
import { defineNotificationService } from './service.ts';

export interface SubgraphForTest {
  service: StartedService<NotificationConfig>;
  services: NotificationServices;
  database: TestDatabase;
  db: Kysely<any>;
  env: Record<string, string>;
  relay: OutboxStandIn['relay'];
  /** Calls the subgraph as the gateway would, for this user (or anonymously): `{ status, body }`. */
  graphql: SignedGraphQL;
  /** Writes an event to the stand-in trip outbox, as the trip subgraph would. */
  emit(eventType: string, payload: Record<string, unknown>): Promise<string>;
  /** Polls until `check` returns a truthy value. */
  until<T>(check: () => Promise<T | undefined | null | false>, what: string, timeoutMs?: number): Promise<T>;
  /**
   * Starts the worker (`npm run worker`) as a process of its own on this harness's settings and
   * resolves once it reports ready; the caller kills it. DEBUG_WORKER=1 shows its logs.
   */
  startWorkerProcess(): Promise<ChildProcess>;
  close(): Promise<void>;
}

const workerEntry = fileURLToPath(new URL('./worker.ts', import.meta.url));
const repositoryRoot = fileURLToPath(new URL('../../..', import.meta.url));

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
    ...serviceEnv({ databaseUrl: database.url, redisUrl }),
    QUEUE_PREFIX: prefix,
    REDIS_KEY_PREFIX: `${prefix}-keys`,
    QUEUE_BACKOFF_MS: '50',
    PUSH_BACKOFF_MS: '50',
    OUTBOX_POLL_MS: '50',
    OUTBOX_ACK_TIMEOUT_MS: '2000',
    PG_POOL_MAX: '5',
    ...options.env,
  };
  const tripOutbox = await startOutboxStandIn({
    databaseUrl: database.url,
    schema: 'trip',
    consumers: ['notification'],
    env,
    redisUrl,
    clock: options.clock,
  });
  if (options.relay === false) await tripOutbox.relay.stop();
  const { db, relay } = tripOutbox;

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

  return {
    service,
    services,
    database,
    db,
    env,
    relay,
    graphql: signedGraphQL('notification', service.url),
    emit: (eventType, payload) =>
      tripOutbox.emit({
        aggregateType: eventType.split('.')[0]!,
        aggregateId: String(payload.tripId ?? payload.userId),
        eventType,
        payload,
      }),
    until: waitFor,
    async startWorkerProcess() {
      const healthPort = await freePort();
      const worker = spawn(process.execPath, ['--import', 'tsx', workerEntry], {
        cwd: repositoryRoot,
        env: {
          ...process.env,
          ...env,
          WORKER_HEALTH_PORT: String(healthPort),
          LOG_LEVEL: process.env.DEBUG_WORKER ? 'info' : 'silent',
        },
        stdio: process.env.DEBUG_WORKER ? 'inherit' : 'ignore',
      });
      await waitFor(
        () =>
          fetch(`http://127.0.0.1:${healthPort}/health/ready`).then(
            (response) => response.ok,
            () => false,
          ),
        'the worker process to be ready',
        45_000,
      );
      return worker;
    },
    async close() {
      await tripOutbox.close();
      await service.close();
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
  if (result.body.errors) throw new Error(JSON.stringify(result.body.errors));
  const user = result.body.data!._entities[0]!;
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
): TripChanged {
  return {
    tripId: trip.tripId,
    userId: trip.userId,
    title: trip.title ?? trip.tripId,
    destinationCode: trip.destinationCode,
    startDate: isoDay(from + trip.startInDays * DAY_MS),
    endDate: isoDay(from + trip.endInDays * DAY_MS),
  };
}
