/**
 * A Sentry ingestion endpoint on loopback: it accepts the SDK's envelopes (POST
 * /api/<project>/envelope/, gzip or plain), parses them (a header line, then item header and
 * payload pairs) and keeps every item, so a test can assert what an error report carried.
 * Point a service at it with `dsn`.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';

export interface SentryEnvelopeItem {
  header: { type: string; length?: number; [key: string]: unknown };
  /** The payload parsed as JSON when it is JSON (events are), the text otherwise. */
  payload: any;
}

export interface SentryEnvelope {
  project: string;
  header: Record<string, unknown>;
  items: SentryEnvelopeItem[];
  /** The raw text as received (decompressed), for asserting what never appears anywhere. */
  raw: string;
}

export interface SentryReceiver {
  /** A DSN whose reports land here: `http://public@127.0.0.1:<port>/1`. */
  dsn: string;
  envelopes: SentryEnvelope[];
  /** The payloads of every `event` item received (error reports). */
  events(): any[];
  /** Resolves once `count` events arrived; rejects after `timeoutMs`. */
  waitForEvents(count: number, timeoutMs?: number): Promise<any[]>;
  clear(): void;
  close(): Promise<void>;
}

/** Splits an envelope: items carry a `length` in bytes or run to the next newline. */
export function parseEnvelope(body: Buffer, project = '1'): SentryEnvelope {
  let offset = 0;
  const readLine = () => {
    const end = body.indexOf(0x0a, offset);
    const line = body.subarray(offset, end === -1 ? body.length : end).toString('utf8');
    offset = end === -1 ? body.length : end + 1;
    return line;
  };
  const header = JSON.parse(readLine()) as Record<string, unknown>;
  const items: SentryEnvelopeItem[] = [];
  while (offset < body.length) {
    const headerLine = readLine();
    if (!headerLine.trim()) continue;
    const itemHeader = JSON.parse(headerLine) as SentryEnvelopeItem['header'];
    let text: string;
    if (typeof itemHeader.length === 'number') {
      text = body.subarray(offset, offset + itemHeader.length).toString('utf8');
      offset += itemHeader.length;
      if (body[offset] === 0x0a) offset++;
    } else {
      text = readLine();
    }
    let payload: unknown = text;
    try {
      payload = JSON.parse(text);
    } catch {
      // Attachments and other binary items stay text.
    }
    items.push({ header: itemHeader, payload });
  }
  return { project, header, items, raw: body.toString('utf8') };
}

export async function startSentryReceiver(): Promise<SentryReceiver> {
  const envelopes: SentryEnvelope[] = [];
  const waiters: { count: number; resolve: () => void }[] = [];
  const events = () =>
    envelopes.flatMap((envelope) =>
      envelope.items.filter((item) => item.header.type === 'event').map((item) => item.payload),
    );
  const notify = () => {
    for (const waiter of [...waiters]) {
      if (events().length >= waiter.count) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
  };

  const server = http.createServer((req, res) => {
    const match = req.method === 'POST' ? req.url?.match(/^\/api\/([^/]+)\/envelope\/?(\?.*)?$/) : null;
    if (!match) {
      res.writeHead(404).end();
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      try {
        let body = Buffer.concat(chunks);
        if (req.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
        envelopes.push(parseEnvelope(body, match[1]));
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
        notify();
      } catch {
        res.writeHead(400).end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    dsn: `http://public@127.0.0.1:${port}/1`,
    envelopes,
    events,
    waitForEvents(count, timeoutMs = 5_000) {
      if (events().length >= count) return Promise.resolve(events());
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`expected ${count} Sentry events, received ${events().length}`)),
          timeoutMs,
        );
        waiters.push({
          count,
          resolve: () => {
            clearTimeout(timer);
            resolve(events());
          },
        });
      });
    },
    clear: () => {
      envelopes.length = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
