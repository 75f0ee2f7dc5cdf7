/**
 * A webhook receiver on loopback, as an integrator would write one: it verifies the
 * HMAC-SHA256 signature over `timestamp.body` with the shared secret and refuses stale
 * timestamps, recording every call with its verdict. It can be told to answer with an error.
 * It listens on loopback, which the egress policy refuses unless the service opts in: start
 * the notification service with `webhookEmulatorEnv` in its environment.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** The explicit opt-in a service needs to deliver to this (loopback) receiver. */
export const webhookEmulatorEnv = { EGRESS_ALLOW_LOOPBACK: 'true' } as const;

export interface ReceivedWebhook {
  headers: http.IncomingHttpHeaders;
  body: string;
  json: unknown;
  signatureValid: boolean;
}

export interface WebhookEmulator {
  url: string;
  calls: ReceivedWebhook[];
  /** The secret to verify with (the user's webhookSigningSecret). */
  setSecret(secret: string): void;
  /** The next `times` calls answer `status`. */
  failNext(times: number, status: number): void;
  waitFor(count: number, timeoutMs?: number): Promise<ReceivedWebhook[]>;
  close(): Promise<void>;
}

export async function startWebhookEmulator(
  options: { toleranceSeconds?: number } = {},
): Promise<WebhookEmulator> {
  const calls: ReceivedWebhook[] = [];
  let secret = '';
  let failures = { times: 0, status: 500 };
  const waiters: { count: number; resolve: () => void }[] = [];

  const verify = (headers: http.IncomingHttpHeaders, body: string) => {
    const timestamp = Number(headers['x-traveloure-timestamp']);
    const signature = String(headers['x-traveloure-signature'] ?? '');
    if (!secret || !Number.isInteger(timestamp)) return false;
    if (Math.abs(Date.now() / 1000 - timestamp) > (options.toleranceSeconds ?? 300)) return false;
    const expected = Buffer.from(
      `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`,
    );
    const given = Buffer.from(signature);
    return expected.length === given.length && timingSafeEqual(expected, given);
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      if (failures.times > 0) {
        failures.times--;
        res.writeHead(failures.status).end();
        return;
      }
      const body = Buffer.concat(chunks).toString('utf8');
      const signatureValid = verify(req.headers, body);
      let json: unknown;
      try {
        json = JSON.parse(body);
      } catch {
        json = undefined;
      }
      calls.push({ headers: req.headers, body, json, signatureValid });
      for (const waiter of [...waiters]) {
        if (calls.length >= waiter.count) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve();
        }
      }
      res.writeHead(signatureValid ? 204 : 401).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/hooks/traveloure`,
    calls,
    setSecret: (value) => void (secret = value),
    failNext: (times, status) => void (failures = { times, status }),
    waitFor(count, timeoutMs = 15_000) {
      if (calls.length >= count) return Promise.resolve(calls);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`expected ${count} webhook calls, got ${calls.length}`)),
          timeoutMs,
        );
        waiters.push({ count, resolve: () => (clearTimeout(timer), resolve(calls)) });
      });
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
