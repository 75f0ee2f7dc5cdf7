import { sql, type Kysely } from 'kysely';
import { createDatabase } from '../db.ts';
import { startOutboxRelay } from '../events/index.ts';
import { createLogger } from '../logger.ts';
import { createOutboxTable, writeOutboxEvent, type OutboxEvent } from '../outbox.ts';
import type { Clock } from '../queue/clock.ts';
import { createRedis } from '../redis.ts';

export interface OutboxStandIn {
  /** The test database, where the stand-in outbox lives beside the tables of the service under test. */
  db: Kysely<any>;
  /** Relays the stand-in outbox to the consumers, as its owning service does. */
  relay: ReturnType<typeof startOutboxRelay>;
  /** Writes an event to the stand-in outbox, as its owning service would; returns its id. */
  emit(event: OutboxEvent): Promise<string>;
  /** Stops the relay and closes its connections. */
  close(): Promise<void>;
}

/**
 * Another service's outbox, stood in for in the test database of a service that consumes its
 * events: the `<schema>.outbox` table the owner's migrations create and the relay the owner
 * runs, so events written to it reach the consumers through the real pipeline.
 */
export async function startOutboxStandIn(options: {
  databaseUrl: string;
  /** The owning service's schema (`trip` for `trip.outbox`). */
  schema: string;
  consumers: readonly string[];
  /** The relay's settings (OUTBOX_POLL_MS, OUTBOX_ACK_TIMEOUT_MS, ...), as the consumer's env gives them. */
  env: Record<string, string>;
  /** Without one, events travel through the process's in-memory transport. */
  redisUrl?: string;
  clock?: Clock;
}): Promise<OutboxStandIn> {
  // The platform's pool: a connection the forced drop of the test database cuts, idle or checked
  // out, errors without crashing the test process.
  const handle = createDatabase<any>({
    service: `${options.schema}-outbox`,
    url: options.databaseUrl,
    poolMax: 3,
  });
  const db = handle.db;
  await sql`create schema ${sql.id(options.schema)}`.execute(db);
  await createOutboxTable(db, options.schema);
  const logger = createLogger('test-relay', { level: 'silent' });
  const redis = options.redisUrl ? createRedis(options.redisUrl, logger) : undefined;
  const relay = startOutboxRelay(
    { config: { ...options.env, REDIS_URL: options.redisUrl }, redis, db, logger },
    options.schema,
    { consumers: options.consumers, clock: options.clock },
  );
  return {
    db,
    relay,
    emit: (event) => writeOutboxEvent(db, options.schema, event),
    async close() {
      await relay.stop();
      redis?.disconnect();
      await handle.close();
    },
  };
}
