import type { Kysely } from 'kysely';
import { counter, gauge, type Logger } from '@traveloure/platform';
import type { Database, NewSearchLogRow } from '../db/database.ts';
import { insertSearchLogs } from '../db/search-log.repository.ts';

export interface SearchLogWriterOptions {
  db: Kysely<Database>;
  logger: Logger;
  /** How often buffered rows are written. */
  flushIntervalMs: number;
  /** Rows per INSERT; a buffer this full is written at once. */
  batchSize: number;
  /** Rows held at most (while the database is slow or down); beyond that rows are dropped and counted. */
  maxBuffered: number;
}

export interface SearchLogWriter {
  /** Queues a row; never waits and never throws. */
  record(row: NewSearchLogRow): void;
  /** Writes everything queued so far (analytics reads call it first). */
  flush(): Promise<void>;
  /** Stops the timer and writes what is left (shutdown). */
  close(): Promise<void>;
}

const rowsTotal = counter(
  'search_log_rows_total',
  'Search log rows by outcome: written, dropped (buffer full), failed (insert failed, dropped)',
  ['service', 'outcome'],
);
const bufferedRows = gauge('search_log_buffered_rows', 'Search log rows waiting to be written', ['service']);

/**
 * Write-behind for the search log: a served search queues its row and returns; rows are
 * written in multi-row INSERTs every flushIntervalMs or once batchSize are queued, and drained
 * on close. The buffer is bounded: while the database cannot keep up, the newest rows are dropped
 * and counted (search_log_rows_total{outcome="dropped"}); the log is analytics, the search is
 * what the traveler waits for. Written here rather than taken from a library: it is a buffer, a
 * timer and one INSERT, and it must count what it drops in this service's metrics.
 */
export function createSearchLogWriter(options: SearchLogWriterOptions): SearchLogWriter {
  const { db, logger, batchSize, maxBuffered } = options;
  let buffer: NewSearchLogRow[] = [];
  let writing: Promise<void> = Promise.resolve();
  let closed = false;
  const written = rowsTotal.labels({ service: 'search', outcome: 'written' });
  const dropped = rowsTotal.labels({ service: 'search', outcome: 'dropped' });
  const failed = rowsTotal.labels({ service: 'search', outcome: 'failed' });
  const buffered = bufferedRows.labels({ service: 'search' });

  async function writeBatches(rows: NewSearchLogRow[]) {
    for (let start = 0; start < rows.length; start += batchSize) {
      const batch = rows.slice(start, start + batchSize);
      try {
        await insertSearchLogs(db, batch);
        written.inc(batch.length);
      } catch (error) {
        failed.inc(batch.length);
        logger.warn({ err: error, rows: batch.length }, 'could not write the search log; rows dropped');
      }
    }
  }

  /** One write at a time, in order: each takes what was queued when its turn came. */
  function flush(): Promise<void> {
    writing = writing.then(() => {
      if (buffer.length === 0) return;
      const rows = buffer;
      buffer = [];
      buffered.set(0);
      return writeBatches(rows);
    });
    return writing;
  }

  const timer = setInterval(() => void flush(), options.flushIntervalMs);
  timer.unref();

  return {
    record(row) {
      if (closed || buffer.length >= maxBuffered) {
        dropped.inc();
        return;
      }
      // The search happened now, not when its row is written.
      buffer.push({ ...row, created_at: row.created_at ?? new Date() });
      buffered.set(buffer.length);
      if (buffer.length === batchSize) void flush();
    },
    flush,
    async close() {
      closed = true;
      clearInterval(timer);
      await flush();
    },
  };
}
