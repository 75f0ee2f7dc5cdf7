/**
 * The platform's data cache (packages/platform/src/cache/data-cache.ts) against bentocache, the
 * maintained L1/L2 cache with a bus and tags it was measured against (docs/cache-and-upstream.md
 * has the figures and the decision). Same rows, same Redis (a private redis-server), same
 * settings as the trip subgraph uses (L1 of 1000 entries over Redis, 300 s TTL, 300 s stale
 * window, one `trip:<id>` tag per row):
 *   L1 hit, L2 hit (a second instance with an empty L1), miss + load, DataLoader batches of 100
 *   keys (all misses, all L2 hits, all L1 hits), tag invalidation (and the read after it), the
 *   time until another process's L1 stops answering after an invalidation (over each one's
 *   Redis bus), and whether a load that started before an invalidation is written back.
 * Latencies are sequential awaits (one caller), so they are per-operation costs, not throughput.
 * Redis commands per operation come from the server's own count. BENCH_SCALE multiplies the
 * operation counts (default 1: about 15 s in all). Not a test: figures vary with the machine.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { BentoCache, bentostore } from 'bentocache';
import { memoryDriver } from 'bentocache/drivers/memory';
import { redisBusDriver, redisDriver } from 'bentocache/drivers/redis';
import { Redis as IoRedis } from 'ioredis';
import { createDataCache, createLogger, createRedis, type Redis } from '@traveloure/platform';
import { startPrivateRedis } from '@traveloure/platform/testing';

type Kind = 'data cache' | 'bentocache';
const kinds: Kind[] = ['data cache', 'bentocache'];
const scale = Number(process.env.BENCH_SCALE ?? 1);
const ttlSeconds = 300;
const staleTtlSeconds = 300;
const logger = createLogger('cache-bench', { level: 'silent' });

interface Row {
  id: string;
  version: number;
  title: string;
  owner_id: string;
  destination_code: string;
  start_date: string;
  end_date: string;
  created_at: string;
  updated_at: string;
}

const row = (id: string, version = 1): Row => ({
  id,
  version,
  title: `Trip ${id} to Paris with the family, museums and a day in Versailles`,
  owner_id: `user-${id.length}`,
  destination_code: 'PAR',
  start_date: '2026-07-01',
  end_date: '2026-07-12',
  created_at: '2026-01-01T10:00:00.000Z',
  updated_at: '2026-01-02T10:00:00.000Z',
});
const tagOf = (id: string) => `trip:${id}`;

/** What the subgraphs need of a cache, for each implementation. */
interface Subject {
  get(id: string, load: () => Promise<Row>): Promise<Row>;
  getMany(
    ids: string[],
    loadMany: (missing: string[]) => Promise<Map<string, Row>>,
  ): Promise<(Row | undefined)[]>;
  invalidateTags(tags: string[]): Promise<void>;
  close(): Promise<void>;
}

function dataCacheSubject(redis: Redis, keyPrefix: string): Subject {
  const cache = createDataCache({ service: 'bench', namespace: 'trips', redis, logger, keyPrefix });
  const options = { ttlSeconds, staleTtlSeconds };
  return {
    get: async (id, load) => (await cache.get(id, load, { ...options, tags: [tagOf(id)] })).value,
    getMany: async (ids, loadMany) =>
      (await cache.getMany(ids, loadMany, { ...options, tagsOf: (id) => [tagOf(id)] })).map(
        (result) => result?.value,
      ),
    invalidateTags: (tags) => cache.invalidateTags(tags),
    close: () => cache.close(),
  };
}

function bentoSubject(redisUrl: string, keyPrefix: string): Subject {
  // Its own connections: disconnecting a BentoCache quits the connections it was given.
  const redis = createRedis(redisUrl, logger);
  const bento = new BentoCache({
    default: 'trips',
    prefix: keyPrefix,
    ttl: ttlSeconds * 1000,
    // The stale window; a bounded soft timeout, so a read waits for its load as ours does
    // (timeout 0, the default, answers the stale value at once and reloads in the background).
    grace: staleTtlSeconds * 1000,
    timeout: 10_000,
    stores: {
      trips: bentostore()
        // Twice our 1000 entries: every tag takes an L1 slot of its own (`___bc:t:<tag>`), and
        // with one tag per row 1000 slots would hold only 500 rows. L1 keeps JSON (the default)
        // and parses it on every hit: with `serialize: false` (values by reference, as ours)
        // 1.6.1 crashes on the first L1 read of a row that came from Redis (bentocache#111).
        .useL1Layer(memoryDriver({ maxItems: 2_000 }))
        .useL2Layer(redisDriver({ connection: redis as unknown as IoRedis }))
        .useBus(redisBusDriver({ connection: new IoRedis(redisUrl) })),
    },
  });
  const cache = bento.use('trips');
  return {
    get: (id, load) => cache.getOrSet({ key: id, factory: load, tags: [tagOf(id)] }),
    // bentocache 1.6 has no batch read: each key is its own get (L1, then one Redis GET), then one
    // load for the misses, then one set (Redis SET and a bus message) per loaded key.
    getMany: async (ids, loadMany) => {
      const found = await Promise.all(ids.map((id) => cache.get<Row>({ key: id })));
      const missing = ids.filter((_, index) => found[index] === undefined);
      const loaded = missing.length ? await loadMany(missing) : new Map<string, Row>();
      await Promise.all([...loaded].map(([id, value]) => cache.set({ key: id, value, tags: [tagOf(id)] })));
      return ids.map((id, index) => found[index] ?? loaded.get(id));
    },
    invalidateTags: async (tags) => {
      await cache.deleteByTag({ tags });
    },
    close: () => bento.disconnectAll(),
  };
}

function makeSubject(kind: Kind, redis: Redis, redisUrl: string, keyPrefix: string): Subject {
  return kind === 'data cache'
    ? dataCacheSubject(redis, keyPrefix)
    : bentoSubject(redisUrl, `${keyPrefix}-bento`);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const yieldToIo = () => new Promise((resolve) => setImmediate(resolve));

// --- the other replica, in its own process (its own module state, its own bus connection) ---

if (process.argv[2] === '--replica') {
  const [kind, redisUrl, keyPrefix] = process.argv.slice(3) as [Kind, string, string];
  const redis = createRedis(redisUrl, logger);
  await once(redis, 'ready');
  const subject = makeSubject(kind, redis, redisUrl, keyPrefix);
  await sleep(200); // the bus subscribes
  // Ends with the bench, however the bench ends.
  process.on('disconnect', () => process.exit(0));
  process.on('message', async (message: { type: 'prime' | 'stop'; id?: string }) => {
    if (message.type === 'stop') {
      await subject.close();
      redis.disconnect();
      process.exit(0);
    }
    const id = message.id!;
    await subject.get(id, async () => row(id, 1));
    process.send!({ type: 'primed' });
    // Read until this replica's L1 no longer answers the old row (at most 5 s).
    const until = Date.now() + 5_000;
    while (Date.now() < until) {
      let reloaded = false;
      await subject.get(id, async () => {
        reloaded = true;
        return row(id, 2);
      });
      if (reloaded) {
        process.send!({ type: 'seen', at: String(process.hrtime.bigint()) });
        return;
      }
      await yieldToIo();
    }
    process.send!({ type: 'seen', at: '0' });
  });
  process.send!({ type: 'ready' });
} else {
  await main();
}

// --- the measurements ---

interface Figure {
  microseconds: number;
  commands: number;
}

async function commandsProcessed(admin: Redis): Promise<number> {
  const info = await admin.info('stats');
  return Number(/total_commands_processed:(\d+)/.exec(info)![1]);
}

/** Mean µs and Redis commands per operation over `count` sequential runs of `operation`. */
async function measure(admin: Redis, count: number, operation: (index: number) => Promise<unknown>) {
  const before = await commandsProcessed(admin);
  const started = process.hrtime.bigint();
  for (let index = 0; index < count; index++) await operation(index);
  const elapsed = Number(process.hrtime.bigint() - started) / 1_000;
  // The INFO call itself counts once.
  const commands = (await commandsProcessed(admin)) - before - 1;
  return { microseconds: elapsed / count, commands: commands / count };
}

async function busLatency(kind: Kind, redis: Redis, redisUrl: string, keyPrefix: string, rounds: number) {
  const invalidator = makeSubject(kind, redis, redisUrl, keyPrefix);
  const replica: ChildProcess = fork(
    fileURLToPath(import.meta.url),
    ['--replica', kind, redisUrl, keyPrefix],
    {
      execArgv: ['--import', 'tsx'],
      env: { ...process.env, LOG_LEVEL: 'silent' },
    },
  );
  const next = (type: string) =>
    new Promise<{ type: string; at?: string }>((resolve) => {
      const listener = (message: { type: string; at?: string }) => {
        if (message.type !== type) return;
        replica.off('message', listener);
        resolve(message);
      };
      replica.on('message', listener);
    });
  await next('ready');
  await sleep(200);
  const latencies: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const id = `bus-${round}`;
    const primed = next('primed');
    replica.send({ type: 'prime', id });
    await primed;
    await sleep(20); // the replica is serving from its L1
    const seen = next('seen');
    const started = process.hrtime.bigint();
    await invalidator.invalidateTags([tagOf(id)]);
    const { at } = await Promise.race([
      seen,
      sleep(10_000).then(() => {
        throw new Error(`${kind}: no answer from the replica about ${id}`);
      }),
    ]);
    if (at === '0') throw new Error(`${kind}: the replica never saw the invalidation of ${id}`);
    latencies.push(Number(BigInt(at!) - started) / 1e6);
  }
  replica.send({ type: 'stop' });
  await once(replica, 'exit');
  await invalidator.close();
  latencies.sort((a, b) => a - b);
  const at = (quantile: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor(quantile * latencies.length))]!;
  return { p50: at(0.5), p95: at(0.95), max: latencies.at(-1)! };
}

/** Does a load that began before an invalidation end up cached (in this instance or in Redis)? */
async function writesBackStaleLoad(kind: Kind, redis: Redis, redisUrl: string, keyPrefix: string) {
  const subject = makeSubject(kind, redis, redisUrl, keyPrefix);
  const other = makeSubject(kind, redis, redisUrl, keyPrefix);
  try {
    let finish!: (value: Row) => void;
    const reading = subject.get('guard', () => new Promise<Row>((resolve) => (finish = resolve)));
    await sleep(20);
    await subject.invalidateTags([tagOf('guard')]);
    // The load's answer arrives a few milliseconds after the invalidation, as a query's would.
    await sleep(5);
    finish(row('guard', 1));
    await reading;
    const here = await subject.get('guard', async () => row('guard', 2));
    const elsewhere = await other.get('guard', async () => row('guard', 2));
    return here.version === 1 || elsewhere.version === 1;
  } finally {
    await Promise.all([subject.close(), other.close()]);
  }
}

async function main() {
  const server = await startPrivateRedis();
  const redis = createRedis(server.url, logger);
  const admin = createRedis(server.url, logger);
  await Promise.all([once(redis, 'ready'), once(admin, 'ready')]);
  const l1Keys = 1_000;
  const l1Reads = Math.ceil(50_000 * scale);
  const l2Reads = Math.ceil(2_000 * scale);
  const misses = Math.ceil(2_000 * scale);
  const batches = Math.ceil(50 * scale);
  const batchSize = 100;
  const invalidations = Math.ceil(1_000 * scale);
  const busRounds = Math.ceil(30 * scale);
  const figures: Record<string, Partial<Record<Kind, Figure>>> = {};
  const record = (scenario: string, kind: Kind, figure: Figure) => {
    console.error(`${kind}: ${scenario} ${figure.microseconds.toFixed(1)} µs`);
    (figures[scenario] ??= {})[kind] = figure;
  };
  const bus: Partial<Record<Kind, { p50: number; p95: number; max: number }>> = {};
  const guard: Partial<Record<Kind, boolean>> = {};

  try {
    for (const kind of kinds) {
      const keyPrefix = `bench-${randomUUID()}`;
      const subject = makeSubject(kind, redis, server.url, keyPrefix);
      await sleep(200);
      const load = (id: string) => async () => row(id);
      const loadMany = async (missing: string[]) => new Map(missing.map((id) => [id, row(id)]));

      // Warm-up: the code paths get compiled before anything is timed.
      for (let index = 0; index < 2_000; index++)
        await subject.get(`warm-${index % 500}`, load(`warm-${index}`));

      record(
        'miss + load',
        kind,
        await measure(admin, misses, (index) => subject.get(`miss-${index}`, load(`miss-${index}`))),
      );
      for (let index = 0; index < l1Keys; index++) await subject.get(`l1-${index}`, load(`l1-${index}`));
      record(
        'L1 hit',
        kind,
        await measure(admin, l1Reads, (index) => subject.get(`l1-${index % l1Keys}`, load('never'))),
      );
      // A second instance (empty L1) reads what the first wrote: every read is an L2 hit.
      const reader = makeSubject(kind, redis, server.url, keyPrefix);
      await sleep(200);
      record(
        'L2 hit',
        kind,
        await measure(admin, l2Reads, (index) => reader.get(`miss-${index}`, load('never'))),
      );
      await reader.close();

      const batch = (round: number) => Array.from({ length: batchSize }, (_, index) => `b${round}-${index}`);
      record(
        `getMany ${batchSize} keys, all misses`,
        kind,
        await measure(admin, batches, (round) => subject.getMany(batch(round), loadMany)),
      );
      const batchReader = makeSubject(kind, redis, server.url, keyPrefix);
      await sleep(200);
      const none = async () => new Map<string, Row>();
      record(
        `getMany ${batchSize} keys, all L2 hits`,
        kind,
        await measure(admin, batches, (round) => batchReader.getMany(batch(round), none)),
      );
      // Five batches (500 rows) fit in either L1; read once, they are L1 hits from then on.
      for (let round = 0; round < 5; round++) await batchReader.getMany(batch(round), none);
      record(
        `getMany ${batchSize} keys, all L1 hits`,
        kind,
        await measure(admin, batches, (round) => batchReader.getMany(batch(round % 5), none)),
      );
      await batchReader.close();

      // Each round: the row is in L1; its tag is invalidated; the next read reloads it.
      const invalidated = (index: number) => `inv-${index}`;
      for (let index = 0; index < invalidations; index++)
        await subject.get(invalidated(index), load(invalidated(index)));
      record(
        'invalidateTags (one tag)',
        kind,
        await measure(admin, invalidations, (index) => subject.invalidateTags([tagOf(invalidated(index))])),
      );
      record(
        'read after invalidation',
        kind,
        await measure(admin, invalidations, (index) =>
          subject.get(invalidated(index), load(invalidated(index))),
        ),
      );
      await subject.close();

      bus[kind] = await busLatency(kind, redis, server.url, `${keyPrefix}-bus`, busRounds);
      guard[kind] = await writesBackStaleLoad(kind, redis, server.url, `${keyPrefix}-guard`);
    }
  } finally {
    redis.disconnect();
    admin.disconnect();
    await server.stop();
  }

  const round = (value: number, digits = 1) => Number(value.toFixed(digits));
  console.log(
    `\nData cache vs bentocache ${bentocacheVersion()}: mean per operation, one caller, private Redis`,
  );
  console.table(
    Object.entries(figures).map(([scenario, byKind]) => ({
      scenario,
      'data cache µs': round(byKind['data cache']!.microseconds),
      'bentocache µs': round(byKind.bentocache!.microseconds),
      'bento / ours': round(byKind.bentocache!.microseconds / byKind['data cache']!.microseconds, 2),
      'data cache Redis cmds': round(byKind['data cache']!.commands, 2),
      'bentocache Redis cmds': round(byKind.bentocache!.commands, 2),
    })),
  );
  console.log(`\nAnother process stops answering the invalidated row after (ms, ${busRounds} rounds):`);
  console.table(
    kinds.map((kind) => ({
      cache: kind,
      p50: round(bus[kind]!.p50, 2),
      p95: round(bus[kind]!.p95, 2),
      max: round(bus[kind]!.max, 2),
    })),
  );
  console.log('\nA load that started before an invalidation is written back (served after it):');
  console.table(kinds.map((kind) => ({ cache: kind, 'stale row cached': guard[kind] })));
  process.exit(0);
}

function bentocacheVersion(): string {
  const manifest = new URL('../../node_modules/bentocache/package.json', import.meta.url);
  return (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version;
}
