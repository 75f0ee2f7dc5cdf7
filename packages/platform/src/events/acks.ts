import type { Redis } from 'ioredis';

/**
 * Consumers acknowledge events they have durably processed; the relay marks an outbox row
 * published once every consumer of its source acknowledged it. Acks ride on Redis (or in process
 * in embedded mode): per event, the set of consumers that acknowledged it, and per source a list
 * of notices that tells the relay which sets to look at. Losing either with Redis only means the
 * row is published again after the ack timeout, and every consumer dedupes it.
 */
export interface AckChannel {
  acknowledge(source: string, consumer: string, eventIds: string[]): Promise<void>;
  /**
   * Takes up to `max` ack notices of `source`. `complete` holds the events every one of
   * `consumers` acknowledged (their records are forgotten: the relay marks them published).
   */
  take(
    source: string,
    consumers: readonly string[],
    max: number,
  ): Promise<{ taken: number; complete: string[] }>;
  /** Which consumers acknowledged each of these events so far (a republish skips them). */
  acknowledgedBy(source: string, eventIds: string[]): Promise<Map<string, Set<string>>>;
}

/** An event some consumer never acknowledges keeps its record this long; then all get it again. */
const ACK_RECORD_TTL_SECONDS = 7 * 86_400;

const everyone = (acked: ReadonlySet<string> | undefined, consumers: readonly string[]) =>
  acked !== undefined && consumers.every((consumer) => acked.has(consumer));

export function redisAckChannel(redis: Redis, prefix: string): AckChannel {
  // The hash tag `{source}` keeps a source's notices and ack records in one Redis Cluster slot:
  // acknowledge writes both in one MULTI, take deletes many records in one DEL.
  const notices = (source: string) => `${prefix}:outbox-acks:{${source}}`;
  const record = (source: string, eventId: string) => `${prefix}:outbox-acked:{${source}}:${eventId}`;
  const records = async (source: string, eventIds: string[]) => {
    const acked = new Map<string, Set<string>>();
    if (eventIds.length === 0) return acked;
    const pipeline = redis.pipeline();
    for (const id of eventIds) pipeline.smembers(record(source, id));
    const results = (await pipeline.exec()) ?? [];
    eventIds.forEach((id, index) => {
      const [error, members] = results[index] ?? [];
      if (error) throw error;
      if (Array.isArray(members) && members.length > 0) acked.set(id, new Set(members as string[]));
    });
    return acked;
  };
  return {
    acknowledge: async (source, consumer, eventIds) => {
      if (eventIds.length === 0) return;
      // One transaction: a notice is never seen before the record it points at.
      const multi = redis.multi();
      for (const id of eventIds) {
        multi.sadd(record(source, id), consumer).expire(record(source, id), ACK_RECORD_TTL_SECONDS);
      }
      multi.rpush(notices(source), ...eventIds);
      await multi.exec();
    },
    take: async (source, consumers, max) => {
      const ids = (await redis.lpop(notices(source), max)) ?? [];
      const unique = [...new Set(ids)];
      const acked = await records(source, unique);
      const complete = unique.filter((id) => everyone(acked.get(id), consumers));
      if (complete.length > 0) await redis.del(...complete.map((id) => record(source, id)));
      return { taken: ids.length, complete };
    },
    acknowledgedBy: records,
  };
}

const inProcessNotices = new Map<string, string[]>();
const inProcessRecords = new Map<string, Set<string>>();

/** The process-wide ack records (embedded mode: relays and consumers share a process). */
export function inProcessAckChannel(prefix: string): AckChannel {
  const notices = (source: string) => {
    const key = `${prefix}:${source}`;
    let ids = inProcessNotices.get(key);
    if (!ids) inProcessNotices.set(key, (ids = []));
    return ids;
  };
  const record = (source: string, eventId: string) => `${prefix}:${source}:${eventId}`;
  return {
    acknowledge: async (source, consumer, eventIds) => {
      for (const id of eventIds) {
        const key = record(source, id);
        let acked = inProcessRecords.get(key);
        if (!acked) inProcessRecords.set(key, (acked = new Set()));
        acked.add(consumer);
      }
      notices(source).push(...eventIds);
    },
    take: async (source, consumers, max) => {
      const ids = notices(source).splice(0, max);
      const complete = [...new Set(ids)].filter((id) =>
        everyone(inProcessRecords.get(record(source, id)), consumers),
      );
      for (const id of complete) inProcessRecords.delete(record(source, id));
      return { taken: ids.length, complete };
    },
    acknowledgedBy: async (source, eventIds) => {
      const acked = new Map<string, Set<string>>();
      for (const id of eventIds) {
        const consumers = inProcessRecords.get(record(source, id));
        if (consumers) acked.set(id, new Set(consumers));
      }
      return acked;
    },
  };
}
