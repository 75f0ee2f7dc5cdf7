import type { Logger } from 'pino';
import type { Kysely } from 'kysely';
import type { Redis } from '../redis.ts';
import type { Clock } from '../queue/clock.ts';
import { createOutboxRelay, type OutboxRelay } from './relay.ts';
import { createEventTransport, type EventTransport } from './transport.ts';

export * from './envelope.ts';
export * from './acks.ts';
export * from './relay.ts';
export * from './consumer.ts';
export * from './subscription.ts';
export * from './transport.ts';

/**
 * Starts the relay of `schema`'s outbox for a service that owns one, to the consumers (their
 * schemas) that must each receive every event. Call from the service's `create` and stop it in
 * `stop`:
 *   const relay = startOutboxRelay(runtime, 'trip', { consumers: ['notification'] });  ...  stop: () => relay.stop()
 */
export function startOutboxRelay(
  runtime: { config: { REDIS_URL?: string }; redis?: Redis; db: Kysely<any>; logger: Logger },
  schema: string,
  options: { consumers: readonly string[]; clock?: Clock },
): OutboxRelay & { transport: EventTransport } {
  const transport = createEventTransport(
    runtime.config as { REDIS_URL?: string } & Record<string, unknown>,
    runtime.redis,
    runtime.logger,
  );
  const relay = createOutboxRelay({
    db: runtime.db,
    schema,
    consumers: options.consumers,
    queueFor: transport.queueFor,
    acks: transport.acks,
    logger: runtime.logger,
    clock: options.clock,
    batchSize: transport.settings.OUTBOX_BATCH_SIZE,
    pollIntervalMs: transport.settings.OUTBOX_POLL_MS,
    ackTimeoutMs: transport.settings.OUTBOX_ACK_TIMEOUT_MS,
  });
  relay.start();
  return {
    transport,
    tick: () => relay.tick(),
    start: () => relay.start(),
    get inFlight() {
      return relay.inFlight;
    },
    stop: async () => {
      await relay.stop();
      await transport.close();
    },
  };
}
