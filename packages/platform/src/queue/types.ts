/**
 * A job queue with retries, exponential backoff, delayed jobs and a dead-letter state. Two
 * implementations behave alike: BullMQ on Redis (production) and an in-process queue (the
 * embedded default, no Redis). Code that uses a queue never knows which one it has.
 */
export interface JobOptions {
  /** Idempotency key: adding a job whose id already exists is a no-op. No ':' allowed. */
  jobId?: string;
  /** Run no earlier than this many milliseconds from now. */
  delayMs?: number;
  /** Total attempts before the job is dead (default: the queue's). */
  attempts?: number;
}

export interface JobToAdd<T> {
  name: string;
  data: T;
  options?: JobOptions;
}

/** What a handler sees of the job it runs. */
export interface RunningJob<T> {
  id: string;
  name: string;
  data: T;
  /** 1 on the first run. */
  attempt: number;
  maxAttempts: number;
}

export type JobHandler<T> = (job: RunningJob<T>) => Promise<void>;

export type JobState = 'waiting' | 'delayed' | 'active' | 'completed' | 'failed' | 'unknown';

export interface JobSnapshot<T> {
  id: string;
  name: string;
  data: T;
  state: JobState;
  attemptsMade: number;
  /** Epoch ms when a delayed job becomes due. */
  dueAt?: number;
  failedReason?: string;
}

export interface WorkerOptions {
  concurrency?: number;
}

export interface QueueWorker {
  /** Stops taking jobs and waits for running ones; `force` abandons them (as a crash would). */
  close(options?: { force?: boolean }): Promise<void>;
}

export interface JobQueue<T> {
  readonly name: string;
  readonly kind: 'bullmq' | 'memory';
  add(name: string, data: T, options?: JobOptions): Promise<void>;
  addBulk(jobs: JobToAdd<T>[]): Promise<void>;
  /** Removes a waiting or delayed job; false when there was none (or it is running). */
  remove(jobId: string): Promise<boolean>;
  getJob(jobId: string): Promise<JobSnapshot<T> | undefined>;
  /** Makes a delayed job due now (operations, tests). */
  promote(jobId: string): Promise<void>;
  /** Jobs per state. */
  counts(): Promise<Record<'waiting' | 'delayed' | 'active' | 'completed' | 'failed', number>>;
  /** Starts consuming. A handler that throws is retried with backoff until attempts run out. */
  work(handler: JobHandler<T>, options?: WorkerOptions): QueueWorker;
  close(): Promise<void>;
}

/**
 * Thrown by a handler when retrying cannot help (a 4xx from a webhook, a malformed address):
 * the job goes straight to the dead state.
 */
export class PermanentJobError extends Error {
  override name = 'PermanentJobError';
}

export interface QueueDefaults {
  /** Attempts per job (default 5). */
  attempts?: number;
  /** First retry delay; each further retry doubles it (default 1000 ms). */
  backoffMs?: number;
}

/** The delay before retry number `attemptsMade` (1-based): base, 2x base, 4x base, ... */
export function backoffDelay(baseMs: number, attemptsMade: number): number {
  return baseMs * 2 ** Math.max(0, attemptsMade - 1);
}
