import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import {
  backoffDelay,
  PermanentJobError,
  type JobHandler,
  type JobOptions,
  type JobQueue,
  type JobSnapshot,
  type JobToAdd,
  type QueueDefaults,
  type QueueWorker,
  type WorkerOptions,
} from './types.ts';
import { reportJobFailure } from '../sentry.ts';

interface MemoryJob<T> {
  id: string;
  name: string;
  data: T;
  attempts: number;
  attemptsMade: number;
  state: 'waiting' | 'delayed' | 'active' | 'failed';
  dueAt?: number;
  timer?: NodeJS.Timeout;
  failedReason?: string;
}

interface MemoryWorker<T> {
  handler: JobHandler<T>;
  concurrency: number;
  active: number;
  closed: boolean;
}

// setTimeout holds at most ~24.8 days; longer delays re-arm.
const MAX_TIMER_MS = 2 ** 31 - 1;
const KEEP_FAILED = 1_000;

export type MemoryQueueDefaults = Required<QueueDefaults> & {
  /** Keep jobs that failed for good (the dead letters, default); false drops them so their id can be added again. */
  keepFailed?: boolean;
};

/**
 * The embedded queue: jobs in this process's memory, with the same retry, backoff, delay and
 * dead-letter behaviour as the BullMQ one. Jobs do not survive a restart; events are still safe
 * because the outbox replays whatever was not acknowledged.
 */
export class MemoryJobQueue<T> implements JobQueue<T> {
  readonly kind = 'memory' as const;
  private readonly jobs = new Map<string, MemoryJob<T>>();
  private readonly waiting: string[] = [];
  private readonly workers: MemoryWorker<T>[] = [];
  private readonly running = new Set<Promise<void>>();
  private completed = 0;
  private closed = false;
  /** How many owners share this queue (in process); the last close() really closes it. */
  refs = 0;

  constructor(
    readonly name: string,
    private readonly defaults: MemoryQueueDefaults,
    private readonly logger?: Logger,
  ) {}

  async add(name: string, data: T, options: JobOptions = {}) {
    this.enqueue(name, data, options);
  }

  async addBulk(jobs: JobToAdd<T>[]) {
    for (const job of jobs) this.enqueue(job.name, job.data, job.options ?? {});
  }

  private enqueue(name: string, data: T, options: JobOptions) {
    if (this.closed) throw new Error(`queue ${this.name} is closed`);
    const id = options.jobId ?? randomUUID();
    if (this.jobs.has(id)) return;
    const job: MemoryJob<T> = {
      id,
      name,
      data,
      attempts: options.attempts ?? this.defaults.attempts,
      attemptsMade: 0,
      state: 'waiting',
    };
    this.jobs.set(id, job);
    if (options.delayMs && options.delayMs > 0) this.delay(job, options.delayMs);
    else this.makeWaiting(job);
  }

  private delay(job: MemoryJob<T>, delayMs: number) {
    job.state = 'delayed';
    job.dueAt = Date.now() + delayMs;
    const arm = () => {
      const remaining = (job.dueAt ?? 0) - Date.now();
      job.timer = setTimeout(
        () => {
          job.timer = undefined;
          if (job.state !== 'delayed') return;
          if ((job.dueAt ?? 0) - Date.now() > 0) return arm();
          this.makeWaiting(job);
        },
        Math.min(Math.max(remaining, 0), MAX_TIMER_MS),
      );
      job.timer.unref();
    };
    arm();
  }

  private makeWaiting(job: MemoryJob<T>) {
    job.state = 'waiting';
    job.dueAt = undefined;
    this.waiting.push(job.id);
    this.pump();
  }

  private pump() {
    for (const worker of this.workers) {
      while (!worker.closed && worker.active < worker.concurrency && this.waiting.length > 0) {
        const job = this.jobs.get(this.waiting.shift()!);
        if (!job || job.state !== 'waiting') continue;
        worker.active++;
        const run = this.run(worker, job).finally(() => {
          worker.active--;
          this.running.delete(run);
          this.pump();
        });
        this.running.add(run);
      }
    }
  }

  private async run(worker: MemoryWorker<T>, job: MemoryJob<T>) {
    job.state = 'active';
    job.attemptsMade++;
    try {
      await worker.handler({
        id: job.id,
        name: job.name,
        data: job.data,
        attempt: job.attemptsMade,
        maxAttempts: job.attempts,
      });
      this.jobs.delete(job.id);
      this.completed++;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (error instanceof PermanentJobError || job.attemptsMade >= job.attempts || this.closed) {
        job.state = 'failed';
        job.failedReason = message;
        reportJobFailure(error, { queue: this.name, name: job.name, final: true });
        this.logger?.warn(
          { queue: this.name, jobId: job.id, attempts: job.attemptsMade, err: message },
          'job failed for good',
        );
        if (this.defaults.keepFailed === false) this.jobs.delete(job.id);
        else this.trimFailed();
      } else {
        this.delay(job, backoffDelay(this.defaults.backoffMs, job.attemptsMade));
      }
    }
  }

  private trimFailed() {
    const failed = [...this.jobs.values()].filter((job) => job.state === 'failed');
    for (const job of failed.slice(0, Math.max(0, failed.length - KEEP_FAILED))) this.jobs.delete(job.id);
  }

  async remove(jobId: string) {
    const job = this.jobs.get(jobId);
    if (!job || job.state === 'active') return false;
    if (job.timer) clearTimeout(job.timer);
    this.jobs.delete(jobId);
    return true;
  }

  async getJob(jobId: string): Promise<JobSnapshot<T> | undefined> {
    const job = this.jobs.get(jobId);
    if (!job) return undefined;
    return {
      id: job.id,
      name: job.name,
      data: job.data,
      state: job.state,
      attemptsMade: job.attemptsMade,
      dueAt: job.dueAt,
      failedReason: job.failedReason,
    };
  }

  async promote(jobId: string) {
    const job = this.jobs.get(jobId);
    if (!job || job.state !== 'delayed') return;
    if (job.timer) clearTimeout(job.timer);
    job.timer = undefined;
    this.makeWaiting(job);
  }

  async counts() {
    const counts = { waiting: 0, delayed: 0, active: 0, completed: this.completed, failed: 0 };
    for (const job of this.jobs.values()) counts[job.state]++;
    return counts;
  }

  work(handler: JobHandler<T>, options: WorkerOptions = {}): QueueWorker {
    const worker: MemoryWorker<T> = {
      handler,
      concurrency: options.concurrency ?? 1,
      active: 0,
      closed: false,
    };
    this.workers.push(worker);
    this.pump();
    return {
      close: async ({ force = false } = {}) => {
        worker.closed = true;
        this.workers.splice(this.workers.indexOf(worker), 1);
        if (!force) await Promise.allSettled([...this.running]);
      },
    };
  }

  async close() {
    if (this.refs > 1) {
      this.refs--;
      return;
    }
    this.refs = 0;
    this.closed = true;
    for (const worker of this.workers) worker.closed = true;
    for (const job of this.jobs.values()) if (job.timer) clearTimeout(job.timer);
    await Promise.allSettled([...this.running]);
    if (inProcessQueues.get(this.name) === this) inProcessQueues.delete(this.name);
  }
}

const inProcessQueues = new Map<string, MemoryJobQueue<any>>();

/**
 * The in-process queue named `name`, shared by everything in this process: in embedded mode the
 * trip and ai relays and the notification service's consumer meet here. Each caller owns one
 * reference; the queue closes when the last owner closes it.
 */
export function inProcessQueue<T>(
  name: string,
  defaults: MemoryQueueDefaults,
  logger?: Logger,
): MemoryJobQueue<T> {
  let queue = inProcessQueues.get(name);
  if (!queue) {
    queue = new MemoryJobQueue<T>(name, defaults, logger);
    inProcessQueues.set(name, queue);
  }
  queue.refs++;
  return queue as MemoryJobQueue<T>;
}
