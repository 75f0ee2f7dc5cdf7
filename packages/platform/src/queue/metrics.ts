import { gauge } from '../metrics.ts';
import type { JobQueue } from './types.ts';

/** Queues whose depth a scrape reports, with the service consuming them. */
const watched = new Map<JobQueue<unknown>, string>();

const STATES = ['waiting', 'active', 'delayed', 'failed'] as const;
/** A scrape must answer even when Redis does not. */
const READ_TIMEOUT_MS = 2_000;

const jobs = gauge(
  'queue_jobs',
  'Jobs in a queue by state: waiting, active, delayed (incl. waiting for a retry), failed (dead letters)',
  ['service', 'queue', 'state'] as const,
);
const readable = gauge(
  'queue_metrics_readable',
  'Whether the last scrape could read the queue (1) or not (0)',
  ['service', 'queue'] as const,
);

/** One read of every queue per scrape, shared by both gauges (each collects before it is read). */
let reading: Promise<void> | undefined;
function readQueues(): Promise<void> {
  reading ??= (async () => {
    jobs.reset();
    readable.reset();
    await Promise.all(
      [...watched].map(async ([queue, service]) => {
        try {
          let timer: NodeJS.Timeout | undefined;
          const counts = await Promise.race([
            queue.counts(),
            new Promise<never>((_, reject) => {
              timer = setTimeout(() => reject(new Error('queue counts timed out')), READ_TIMEOUT_MS);
            }),
          ]).finally(() => clearTimeout(timer));
          for (const state of STATES) jobs.set({ service, queue: queue.name, state }, counts[state]);
          readable.set({ service, queue: queue.name }, 1);
        } catch {
          readable.set({ service, queue: queue.name }, 0);
        }
      }),
    );
  })().finally(() => {
    reading = undefined;
  });
  return reading;
}

// prom-client calls a gauge's `collect` on every scrape. Set on the instances because gauge()
// hands out the registry's existing one when the module is loaded twice.
for (const metric of [jobs, readable]) {
  (metric as unknown as { collect: () => Promise<void> }).collect = readQueues;
}

/**
 * `queue`, reporting its depth per state on /metrics under `service` from its first `work()` to
 * its `close()`: the consumer owns the backlog, so a producer in another process does not report
 * it twice. Counts come from the queue itself on each scrape (Redis for BullMQ).
 */
export function withDepthMetrics<T>(queue: JobQueue<T>, service: string): JobQueue<T> {
  const underlying = queue as JobQueue<unknown>;
  return {
    get name() {
      return queue.name;
    },
    get kind() {
      return queue.kind;
    },
    add: (name, data, options) => queue.add(name, data, options),
    addBulk: (toAdd) => queue.addBulk(toAdd),
    remove: (jobId) => queue.remove(jobId),
    getJob: (jobId) => queue.getJob(jobId),
    promote: (jobId) => queue.promote(jobId),
    counts: () => queue.counts(),
    work: (handler, options) => {
      watched.set(underlying, service);
      return queue.work(handler, options);
    },
    close: async () => {
      if (watched.get(underlying) === service) watched.delete(underlying);
      await queue.close();
    },
  };
}
