/**
 * An emergency broadcast to 10,000 travelers: how long the mutation takes to answer (it counts
 * them and queues one fan-out job), how long until every inbox entry exists, and the queues'
 * throughput (inbox entries per second), for BullMQ on Redis
 * and for the embedded in-process queue (both on PostgreSQL). Not a test: figures vary with the
 * machine. Needs the local PostgreSQL and redis-server. BENCH_TRAVELERS overrides the count.
 */
import { sql } from 'kysely';
import { startPrivateRedis } from '@traveloure/platform/testing';
import { startSubgraphForTest } from '../../subgraphs/notification/src/test-support.ts';

const travelers = Number(process.env.BENCH_TRAVELERS ?? 10_000);
const concurrency = process.env.BENCH_CONCURRENCY ?? '20';

interface Result {
  queue: string;
  travelers: number;
  'mutation ms': number;
  'all inbox entries ms': number;
  'entries/s': number;
}

async function run(queue: 'bullmq' | 'memory'): Promise<Result> {
  const redis = queue === 'bullmq' ? await startPrivateRedis() : undefined;
  const harness = await startSubgraphForTest(`bench_broadcast_${queue}`, {
    relay: false,
    redisUrl: redis ? redis.url : null,
    env: { IN_APP_CONCURRENCY: concurrency, PG_POOL_MAX: '30', LOG_LEVEL: 'silent' },
  });
  try {
    // The projection as the trip events would have left it: everyone in Paris from tomorrow.
    await sql`insert into notification.trip_projection (trip_id, user_id, title, destination_code, start_date, end_date, version)
      select 'bench-trip-' || n, 'bench-user-' || n, 'Paris', 'PAR', current_date + 1, current_date + 5, now()
      from generate_series(1, ${travelers}) as n`.execute(harness.db);
    const started = performance.now();
    const { body: result } = await harness.graphql(
      `mutation { broadcastEmergencyAlert(input: { destinationCode: "PAR", severity: CRITICAL, title: "Benchmark alert", body: "Stay safe." }) { recipients userErrors { code } } }`,
      {},
      { id: 'bench-admin', roles: ['ADMIN'] },
    );
    const answered = performance.now();
    if (result.data?.broadcastEmergencyAlert?.recipients !== travelers) {
      throw new Error(`broadcast reached ${JSON.stringify(result)} instead of ${travelers}`);
    }
    await harness.until(
      async () => {
        const { rows } = await sql<{
          n: number;
        }>`select count(*)::int as n from notification.notifications where kind = 'EMERGENCY_ALERT'`.execute(
          harness.db,
        );
        return rows[0]!.n >= travelers;
      },
      'every inbox entry',
      600_000,
    );
    const done = performance.now();
    return {
      queue,
      travelers,
      'mutation ms': Math.round(answered - started),
      'all inbox entries ms': Math.round(done - started),
      'entries/s': Math.round(travelers / ((done - started) / 1000)),
    };
  } finally {
    await harness.close();
    await redis?.stop();
  }
}

const results = [await run('bullmq'), await run('memory')];
console.log(`\nEmergency broadcast, IN_APP concurrency ${concurrency}`);
console.table(results);
process.exit(0);
