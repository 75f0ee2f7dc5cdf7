import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedisCluster, testRedisUrl, type PrivateRedisCluster } from '../testing/index.ts';
import { createJobQueue, PermanentJobError, type JobQueue, type RunningJob } from './index.ts';

// The embedded queue and BullMQ must behave alike: retries with backoff, dead letters,
// delayed jobs, idempotent job ids; BullMQ on a Redis Cluster (a three-node one of the test's
// own) as well, where every queue key must share a slot.
const kinds = [
  { kind: 'memory', redisUrl: undefined, cluster: false },
  { kind: 'bullmq', redisUrl: testRedisUrl, cluster: false },
  { kind: 'bullmq on a Redis Cluster', redisUrl: undefined, cluster: true },
] as const;

const until = async (check: () => Promise<boolean> | boolean, what: string) => {
  const deadline = Date.now() + 10_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};

describe.each(kinds)('$kind job queue', (kind) => {
  const queues: JobQueue<any>[] = [];
  let redisUrl: string | undefined = kind.redisUrl;
  let cluster: PrivateRedisCluster | undefined;
  beforeAll(async () => {
    if (!kind.cluster) return;
    cluster = await startRedisCluster();
    redisUrl = cluster.url;
  });
  const make = <T>(extra: { keepFailedSeconds?: number } = {}) => {
    const queue = createJobQueue<T>(`q-${randomBytes(4).toString('hex')}`, {
      redisUrl,
      prefix: `test-queue-${randomBytes(4).toString('hex')}`,
      attempts: 5,
      backoffMs: 20,
      ...extra,
    });
    queues.push(queue);
    return queue;
  };
  afterAll(async () => {
    try {
      await Promise.all(queues.map((queue) => queue.close()));
    } finally {
      await cluster?.stop();
    }
  });

  it('retries a failing job with growing delays and keeps it as failed after the last attempt', async () => {
    const queue = make<{ n: number }>();
    const seen: { attempt: number; at: number }[] = [];
    queue.work(async (job) => {
      seen.push({ attempt: job.attempt, at: Date.now() });
      expect(job.maxAttempts).toBe(5);
      throw new Error(`boom ${job.attempt}`);
    });
    await queue.add('fail', { n: 1 }, { jobId: 'always-fails' });
    await until(
      async () => (await queue.getJob('always-fails'))?.state === 'failed',
      'the job to fail for good',
    );
    expect(seen.map((entry) => entry.attempt)).toEqual([1, 2, 3, 4, 5]);
    const gaps = seen.slice(1).map((entry, index) => entry.at - seen[index]!.at);
    // Exponential: each wait at least the base delay doubled per attempt (20, 40, 80, 160 ms).
    gaps.forEach((gap, index) => expect(gap).toBeGreaterThanOrEqual(20 * 2 ** index - 5));
    const job = await queue.getJob('always-fails');
    expect(job).toMatchObject({ attemptsMade: 5, failedReason: 'boom 5' });
  });

  it('gives up at once on a PermanentJobError and succeeds after transient failures', async () => {
    const queue = make<{ name: string }>();
    const attempts = new Map<string, number>();
    queue.work(async (job: RunningJob<{ name: string }>) => {
      attempts.set(job.data.name, job.attempt);
      if (job.data.name === 'permanent') throw new PermanentJobError('no such mailbox');
      if (job.attempt < 3) throw new Error('try again');
    });
    await queue.addBulk([
      { name: 'x', data: { name: 'permanent' }, options: { jobId: 'permanent' } },
      { name: 'x', data: { name: 'flaky' }, options: { jobId: 'flaky' } },
    ]);
    await until(
      async () => (await queue.getJob('permanent'))?.state === 'failed' && attempts.get('flaky') === 3,
      'both outcomes',
    );
    expect(attempts.get('permanent')).toBe(1);
    await until(async () => {
      const state = (await queue.getJob('flaky'))?.state;
      return state === undefined || state === 'completed';
    }, 'flaky to complete');
  });

  it('holds delayed jobs until due or promoted, dedupes job ids and removes waiting jobs', async () => {
    const queue = make<{ label: string }>();
    const ran: string[] = [];
    queue.work(async (job) => void ran.push(job.data.label), { concurrency: 2 });
    await queue.add('later', { label: 'far' }, { jobId: 'far', delayMs: 3_600_000 });
    await queue.add('later', { label: 'far-again' }, { jobId: 'far', delayMs: 3_600_000 });
    await queue.add('later', { label: 'cancelled' }, { jobId: 'cancelled', delayMs: 3_600_000 });
    const far = await queue.getJob('far');
    expect(far?.state).toBe('delayed');
    expect(far?.data.label).toBe('far');
    expect(far!.dueAt! - Date.now()).toBeGreaterThan(3_500_000);
    expect(await queue.remove('cancelled')).toBe(true);
    expect(await queue.getJob('cancelled')).toBeUndefined();
    await queue.promote('far');
    await until(() => ran.length === 1, 'the promoted job');
    expect(ran).toEqual(['far']);
    expect((await queue.counts()).delayed).toBe(0);
  });

  it('keeps a dead job id taken by default, and runs it again when failed jobs are not kept', async () => {
    for (const keepFailedSeconds of [undefined, 0]) {
      const queue = make<{ round: number }>({ keepFailedSeconds });
      const runs: number[] = [];
      queue.work(async (job) => {
        runs.push(job.data.round);
        if (job.data.round === 1) throw new PermanentJobError('broken');
      });
      await queue.add('x', { round: 1 }, { jobId: 'same' });
      await until(
        async () => runs.length === 1 && (await queue.getJob('same'))?.state !== 'active',
        'the first run to fail',
      );
      expect((await queue.getJob('same'))?.state).toBe(keepFailedSeconds === 0 ? undefined : 'failed');
      await queue.add('x', { round: 2 }, { jobId: 'same' });
      if (keepFailedSeconds === 0) {
        await until(() => runs.length === 2, 'the re-added job');
        expect(runs).toEqual([1, 2]);
      } else {
        // The dead letter keeps its id: adding it again is a no-op.
        expect((await queue.getJob('same'))?.data.round).toBe(1);
        expect(runs).toEqual([1]);
      }
    }
  });
});
