import { BullMQOtel } from 'bullmq-otel';
import { tracingStarted } from '../tracing.ts';
import { Queue, Worker, Job, UnrecoverableError, type JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { connectRedis, isRedisConnectionError, queueKeyPrefix, redisOutageReporter } from '../redis.ts';
import { reportJobFailure } from '../sentry.ts';
import {
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

/**
 * With tracing on, BullMQ's own OpenTelemetry support: adding a job is a producer span of the
 * request that adds it, and the job carries its trace context, so processing it is a consumer
 * span in the same trace, whenever and wherever a worker runs it. Off, BullMQ does no work for it.
 */
function queueTelemetry() {
  return tracingStarted() ? new BullMQOtel('traveloure') : undefined;
}

export interface BullJobQueueOptions extends QueueDefaults {
  name: string;
  redisUrl: string;
  /** Key prefix in Redis, so deployments (and tests) sharing a Redis stay apart. */
  prefix: string;
  logger?: Logger;
  /** How long a worker holds a job before it counts as stalled (a crashed worker). */
  lockDurationMs?: number;
  stalledIntervalMs?: number;
  /** Completed jobs are kept this long so a re-added job id stays a no-op (dedupe). */
  keepCompletedSeconds?: number;
  /** Failed (dead) jobs are kept this long (default 7 days); 0 drops them so the id can be added again. */
  keepFailedSeconds?: number;
}

/** The production queue: BullMQ on Redis; jobs survive restarts and are shared by workers. */
export class BullJobQueue<T> implements JobQueue<T> {
  readonly kind = 'bullmq' as const;
  readonly name: string;
  private readonly queue: Queue;
  private readonly connection: Redis;
  private readonly workers = new Set<QueueWorker>();
  private readonly attempts: number;

  constructor(private readonly options: BullJobQueueOptions) {
    this.name = options.name;
    this.attempts = options.attempts ?? 5;
    // Adds fail fast while Redis is down (the outbox keeps the event) instead of queueing in memory.
    this.connection = connectRedis(options.redisUrl, {
      maxRetriesPerRequest: 1,
      enableOfflineQueue: false,
      retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
    });
    // Outages are told once per service by its Redis outage reporter, not once per queue.
    redisOutageReporter(options.redisUrl, options.logger).track(this.connection);
    this.queue = new Queue(options.name, {
      connection: this.connection,
      telemetry: queueTelemetry(),
      prefix: queueKeyPrefix(options.prefix, options.redisUrl),
      defaultJobOptions: {
        attempts: this.attempts,
        backoff: { type: 'exponential', delay: options.backoffMs ?? 1_000 },
        removeOnComplete:
          options.keepCompletedSeconds === 0
            ? true
            : { age: options.keepCompletedSeconds ?? 3_600, count: 50_000 },
        removeOnFail:
          options.keepFailedSeconds === 0 ? true : { age: options.keepFailedSeconds ?? 7 * 24 * 3_600 },
      },
    });
    this.queue.on('error', (error) => {
      if (!isRedisConnectionError(error))
        options.logger?.warn({ err: error, queue: this.name }, 'queue error');
    });
  }

  private jobOptions(options: JobOptions = {}): JobsOptions {
    return {
      ...(options.jobId ? { jobId: options.jobId } : {}),
      ...(options.delayMs && options.delayMs > 0 ? { delay: Math.round(options.delayMs) } : {}),
      ...(options.attempts ? { attempts: options.attempts } : {}),
    };
  }

  async add(name: string, data: T, options?: JobOptions) {
    await this.queue.add(name, data, this.jobOptions(options));
  }

  async addBulk(jobs: JobToAdd<T>[]) {
    if (jobs.length === 0) return;
    await this.queue.addBulk(
      jobs.map((job) => ({ name: job.name, data: job.data, opts: this.jobOptions(job.options) })),
    );
  }

  async remove(jobId: string) {
    const job = await Job.fromId(this.queue, jobId);
    if (!job) return false;
    const state = await job.getState();
    if (state === 'active') return false;
    return (await this.queue.remove(jobId)) === 1;
  }

  async getJob(jobId: string): Promise<JobSnapshot<T> | undefined> {
    const job = await Job.fromId<T>(this.queue, jobId);
    if (!job) return undefined;
    const state = await job.getState();
    const delay = job.delay ?? job.opts.delay ?? 0;
    return {
      id: job.id!,
      name: job.name,
      data: job.data,
      state:
        (['waiting', 'delayed', 'active', 'completed', 'failed'] as const).find((known) => known === state) ??
        (state === 'prioritized' || state === 'waiting-children' ? 'waiting' : 'unknown'),
      attemptsMade: job.attemptsMade,
      dueAt: state === 'delayed' ? job.timestamp + delay : undefined,
      failedReason: job.failedReason || undefined,
    };
  }

  async promote(jobId: string) {
    const job = await Job.fromId(this.queue, jobId);
    if (job && (await job.getState()) === 'delayed') await job.promote();
  }

  async counts() {
    const counts = await this.queue.getJobCounts(
      'waiting',
      'delayed',
      'active',
      'completed',
      'failed',
      'prioritized',
    );
    return {
      waiting: (counts.waiting ?? 0) + (counts.prioritized ?? 0),
      delayed: counts.delayed ?? 0,
      active: counts.active ?? 0,
      completed: counts.completed ?? 0,
      failed: counts.failed ?? 0,
    };
  }

  work(handler: JobHandler<T>, options: WorkerOptions = {}): QueueWorker {
    const connection = connectRedis(this.options.redisUrl, {
      maxRetriesPerRequest: null,
      retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
    });
    redisOutageReporter(this.options.redisUrl, this.options.logger).track(connection);
    const worker = new Worker<T>(
      this.name,
      async (job) => {
        try {
          await handler({
            id: job.id!,
            name: job.name,
            data: job.data,
            attempt: job.attemptsMade + 1,
            maxAttempts: job.opts.attempts ?? this.attempts,
          });
        } catch (error) {
          reportJobFailure(error, {
            queue: this.name,
            name: job.name,
            final:
              error instanceof PermanentJobError ||
              job.attemptsMade + 1 >= (job.opts.attempts ?? this.attempts),
          });
          if (error instanceof PermanentJobError) throw new UnrecoverableError(error.message);
          throw error;
        }
      },
      {
        connection,
        telemetry: queueTelemetry(),
        prefix: queueKeyPrefix(this.options.prefix, this.options.redisUrl),
        concurrency: options.concurrency ?? 1,
        lockDuration: this.options.lockDurationMs ?? 30_000,
        stalledInterval: this.options.stalledIntervalMs ?? 30_000,
        maxStalledCount: 2,
      },
    );
    let lastError = '';
    worker.on('error', (error) => {
      if (isRedisConnectionError(error)) return;
      if (error.message !== lastError)
        this.options.logger?.warn({ err: error, queue: this.name }, 'worker error');
      lastError = error.message;
    });
    const handle: QueueWorker = {
      close: async ({ force = false } = {}) => {
        this.workers.delete(handle);
        await worker.close(force);
        connection.disconnect();
      },
    };
    this.workers.add(handle);
    return handle;
  }

  async close() {
    await Promise.allSettled([...this.workers].map((worker) => worker.close()));
    await this.queue.close();
    this.connection.disconnect();
  }
}
