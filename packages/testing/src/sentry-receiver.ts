/**
 * A Sentry ingestion endpoint on loopback: it accepts what the Sentry SDK sends to a DSN's
 * project (`POST /api/<project>/envelope/`, gzip or not), parses the envelope format (a header
 * line, then for each item a header line and its payload, `length` bytes long when the item
 * header gives one, else up to the next newline) and keeps every item. Point SENTRY_DSN at `dsn`.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';

export interface EnvelopeItem {
  type: string;
  header: Record<string, unknown>;
  /** The payload, parsed when it is JSON (events are), else the raw text. */
  payload: any;
  /** The payload as it arrived: what a test searches for anything that must never be sent. */
  raw: string;
}

export interface SentryReceiver {
  /** A DSN for this receiver (project 1). */
  dsn: string;
  envelopes: { header: Record<string, unknown>; items: EnvelopeItem[] }[];
  /** Error events (items of type `event`), in arrival order. */
  events(): EnvelopeItem[];
  /** Resolves once `count` events arrived (or rejects after `timeoutMs`). */
  waitForEvents(count: number, timeoutMs?: number): Promise<EnvelopeItem[]>;
  close(): Promise<void>;
}

/** Splits one envelope body into its header and items (https://develop.sentry.dev/sdk/envelopes/). */
export function parseEnvelope(body: Buffer): { header: Record<string, unknown>; items: EnvelopeItem[] } {
  let offset = 0;
  const readLine = () => {
    const end = body.indexOf(0x0a, offset);
    const line = body.subarray(offset, end === -1 ? body.length : end).toString('utf8');
    offset = end === -1 ? body.length : end + 1;
    return line;
  };
  const header = JSON.parse(readLine() || '{}') as Record<string, unknown>;
  const items: EnvelopeItem[] = [];
  while (offset < body.length) {
    const headerLine = readLine();
    if (!headerLine.trim()) continue;
    const itemHeader = JSON.parse(headerLine) as Record<string, unknown>;
    let raw: string;
    if (typeof itemHeader.length === 'number') {
      raw = body.subarray(offset, offset + itemHeader.length).toString('utf8');
      offset += itemHeader.length;
      if (body[offset] === 0x0a) offset += 1;
    } else {
      raw = readLine();
    }
    let payload: unknown = raw;
    try {
      payload = JSON.parse(raw);
    } catch {
      // an attachment or another non-JSON item: kept as text
    }
    items.push({ type: String(itemHeader.type), header: itemHeader, payload, raw });
  }
  return { header, items };
}

export async function startSentryReceiver(): Promise<SentryReceiver> {
  const envelopes: SentryReceiver['envelopes'] = [];
  const waiters: { count: number; resolve: () => void }[] = [];
  const events = () =>
    envelopes.flatMap((envelope) => envelope.items.filter((item) => item.type === 'event'));

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      if (req.method !== 'POST' || !/^\/api\/\d+\/envelope\/?/.test(req.url ?? '')) {
        res.writeHead(404).end();
        return;
      }
      try {
        let body = Buffer.concat(chunks);
        if (req.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
        envelopes.push(parseEnvelope(body));
      } catch {
        res.writeHead(400).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      const count = events().length;
      for (const waiter of [...waiters]) {
        if (count >= waiter.count) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve();
        }
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    dsn: `http://publickey@127.0.0.1:${port}/1`,
    envelopes,
    events,
    waitForEvents: (count, timeoutMs = 10_000) =>
      new Promise((resolve, reject) => {
        if (events().length >= count) return resolve(events());
        const timer = setTimeout(
          () => reject(new Error(`${events().length} of ${count} Sentry events within ${timeoutMs} ms`)),
          timeoutMs,
        );
        waiters.push({
          count,
          resolve: () => {
            clearTimeout(timer);
            resolve(events());
          },
        });
      }),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
