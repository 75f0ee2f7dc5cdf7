/**
 * A real SMTP server on loopback (the `smtp-server` package) that keeps every message it
 * accepts, parsed enough to assert on, and can be told to refuse messages with an SMTP reply
 * code (421/451 temporary, 550 permanent), as a mail relay would.
 */
import { SMTPServer } from 'smtp-server';
import type { AddressInfo } from 'node:net';

export interface ReceivedEmail {
  from: string;
  to: string[];
  subject: string;
  headers: Record<string, string>;
  /** The raw message (headers and body) as received. */
  raw: string;
  /** The text/plain part, decoded from quoted-printable when needed. */
  text: string;
}

export interface SmtpEmulator {
  url: string;
  port: number;
  messages: ReceivedEmail[];
  /** The next `times` messages are refused with `code` (e.g. 451) and `message`. */
  failNext(times: number, code?: number, message?: string): void;
  /** Every message is refused until cleared with undefined. */
  setFailure(failure: { code: number; message: string } | undefined): void;
  /** Resolves when `count` messages have been accepted. */
  waitFor(count: number, timeoutMs?: number): Promise<ReceivedEmail[]>;
  close(): Promise<void>;
}

function decodeQuotedPrintable(text: string) {
  return text
    .replace(/=\r?\n/g, '')
    .replace(/=([0-9A-F]{2})/gi, (_match, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
}

function parseMessage(raw: string, envelope: { from: string; to: string[] }): ReceivedEmail {
  const [head = '', ...rest] = raw.split(/\r?\n\r?\n/);
  const headers: Record<string, string> = {};
  for (const line of head.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const body = rest.join('\n\n');
  // The text/plain part of a multipart message, or the body itself.
  const part = /content-type:\s*text\/plain[^]*?\r?\n\r?\n([^]*?)(?:\r?\n--)/i.exec(body);
  const text = decodeQuotedPrintable(part ? part[1]! : body);
  return { ...envelope, subject: headers.subject ?? '', headers, raw, text };
}

export async function startSmtpEmulator(): Promise<SmtpEmulator> {
  const messages: ReceivedEmail[] = [];
  let failures: { times: number; code: number; message: string } | undefined;
  let persistent: { code: number; message: string } | undefined;
  const waiters: { count: number; resolve: () => void }[] = [];

  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const failure = persistent ?? (failures && failures.times > 0 ? failures : undefined);
        if (failure) {
          if (failures && failure === failures) failures.times--;
          const error = new Error(failure.message) as Error & { responseCode: number };
          error.responseCode = failure.code;
          return callback(error);
        }
        messages.push(
          parseMessage(Buffer.concat(chunks).toString('utf8'), {
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            to: session.envelope.rcptTo.map((recipient) => recipient.address),
          }),
        );
        for (const waiter of [...waiters]) {
          if (messages.length >= waiter.count) {
            waiters.splice(waiters.indexOf(waiter), 1);
            waiter.resolve();
          }
        }
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;

  return {
    url: `smtp://127.0.0.1:${port}`,
    port,
    messages,
    failNext(times, code = 451, message = 'Requested action aborted: local error in processing') {
      failures = { times, code, message };
    },
    setFailure(failure) {
      persistent = failure;
    },
    waitFor(count, timeoutMs = 15_000) {
      if (messages.length >= count) return Promise.resolve(messages);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`expected ${count} emails, got ${messages.length}`)),
          timeoutMs,
        );
        waiters.push({ count, resolve: () => (clearTimeout(timer), resolve(messages)) });
      });
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
