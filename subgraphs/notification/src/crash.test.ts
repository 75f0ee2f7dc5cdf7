import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import pg from 'pg';
import type { NotificationDraft } from './db/notifications.repository.ts';
import { notifyJobId } from './delivery/notifier.ts';
import { startSubgraphForTest, type SubgraphForTest } from './test-support.ts';

// A worker that dies mid-job: BullMQ hands the stalled job to another worker once the dead one's
// lock expires, and the (user, kind, dedupe key) constraint keeps the inbox entry single.
describe('a notification worker killed mid-job', () => {
  let harness: SubgraphForTest;
  let child: ChildProcess | undefined;
  beforeAll(async () => {
    harness = await startSubgraphForTest('notif_crash', {
      relay: false,
      env: { NOTIFICATION_WORKERS: 'false', QUEUE_LOCK_MS: '1000', QUEUE_STALLED_INTERVAL_MS: '300' },
    });
  });
  afterAll(async () => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await harness?.close();
  });

  const draft = (userId: string, dedupeKey: string): NotificationDraft => ({
    userId,
    kind: 'SYSTEM',
    severity: 'INFO',
    title: 'Welcome',
    body: 'Your account is ready.',
    dedupeKey,
  });
  const entries = async (userId: string) =>
    (
      await sql<{ id: string }>`select id from notification.notifications where user_id = ${userId}`.execute(
        harness.db,
      )
    ).rows;
  const jobState = async (jobId: string) => (await harness.services.queues.inApp.getJob(jobId))?.state;

  it(
    'delivers exactly one inbox entry after a worker process is killed (SIGKILL) inside its transaction',
    { timeout: 90_000 },
    async () => {
      const job = draft('kim', 'welcome');
      child = await harness.startWorkerProcess();
      // Hold the entry's unique key in an open transaction, so the worker's insert blocks mid-job.
      const blocker = new pg.Client({ connectionString: harness.database.url });
      await blocker.connect();
      blocker.on('error', () => {});
      await blocker.query('begin');
      await blocker.query(
        `insert into notification.notifications (user_id, kind, severity, title, body, dedupe_key) values ($1, 'SYSTEM', 'INFO', 'x', 'x', $2)`,
        [job.userId, job.dedupeKey],
      );
      try {
        await harness.services.notifier.notify(job);
        await harness.until(async () => {
          const { rows } = await blocker.query(
            `select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock' and application_name = 'traveloure-notification-worker'`,
          );
          return rows[0].n > 0 && (await jobState(notifyJobId(job))) === 'active';
        }, 'the worker to block inside the job');
        const exited = once(child, 'exit');
        child.kill('SIGKILL');
        await exited;
      } finally {
        await blocker.query('rollback');
        await blocker.end();
      }
      expect(await entries('kim')).toEqual([]);
      const workers = harness.services.startWorkers();
      try {
        await harness.until(
          async () => (await jobState(notifyJobId(job))) === 'completed',
          'the stalled job to be redone',
        );
        expect(await entries('kim')).toHaveLength(1);
      } finally {
        await workers.close();
      }
    },
  );

  it('does not double the entry when the worker dies after committing it, before completing the job', async () => {
    const job = draft('lou', 'welcome');
    let committed!: () => void;
    const written = new Promise<void>((resolve) => (committed = resolve));
    // The real handler, then a hang: the job stays active with nobody renewing its lock.
    const doomed = harness.services.queues.inApp.work(async (running) => {
      await harness.services.notifier.handleInApp(running);
      committed();
      await new Promise(() => {});
    });
    await harness.services.notifier.notify(job);
    await written;
    await doomed.close({ force: true });
    expect(await entries('lou')).toHaveLength(1);
    const workers = harness.services.startWorkers();
    try {
      await harness.until(
        async () => (await jobState(notifyJobId(job))) === 'completed',
        'the stalled job to be redone',
      );
      const rows = await entries('lou');
      expect(rows).toHaveLength(1);
      const { rows: deliveries } = await sql<{
        channel: string;
      }>`select channel from notification.deliveries where notification_id = ${rows[0]!.id}`.execute(
        harness.db,
      );
      expect(deliveries).toEqual([{ channel: 'IN_APP' }]);
    } finally {
      await workers.close();
    }
  });
});
