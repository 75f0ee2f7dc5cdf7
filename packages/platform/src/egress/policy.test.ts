import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LookupAddress } from 'node:dns';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  EgressRefusedError,
  EgressResponseTooLargeError,
  EgressTimeoutError,
  createEgressPolicy,
  type EgressResolver,
} from './policy.ts';

/** A receiver on loopback that counts connections and answers by path. */
async function startReceiver(handler: http.RequestListener) {
  let connections = 0;
  const server = http.createServer(handler);
  server.on('connection', () => connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    get connections() {
      return connections;
    },
    close: () =>
      new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  };
}

/** DNS that answers from a script, one answer per call (the last one repeats). */
function scriptedResolver(...answers: string[][]) {
  const calls: string[] = [];
  const resolve: EgressResolver = async (hostname) => {
    calls.push(hostname);
    const answer = answers[Math.min(calls.length - 1, answers.length - 1)]!;
    return answer.map((address): LookupAddress => ({ address, family: address.includes(':') ? 6 : 4 }));
  };
  return { resolve, calls };
}

const request = { method: 'POST', body: '{}', timeoutMs: 2_000, maxResponseBytes: 1_024 };

describe('egress requests', () => {
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let other: Awaited<ReturnType<typeof startReceiver>>;

  beforeAll(async () => {
    other = await startReceiver((_req, res) => res.writeHead(204).end());
    receiver = await startReceiver((req, res) => {
      if (req.url === '/ok') return res.writeHead(204).end();
      if (req.url === '/redirect')
        return res.writeHead(302, { location: `http://127.0.0.1:${other.port}/ok` }).end();
      if (req.url === '/large') return res.writeHead(200, { 'content-length': 4_096 }).end('x'.repeat(4_096));
      if (req.url === '/streamed') {
        res.writeHead(200);
        for (let chunk = 0; chunk < 8; chunk++) res.write('x'.repeat(512));
        return res.end();
      }
      if (req.url === '/drip') {
        // Headers at once, then a byte every 100 ms forever: only a total deadline stops it.
        res.writeHead(200);
        const timer = setInterval(() => res.write('.'), 100);
        res.on('close', () => clearInterval(timer));
        return;
      }
      if (req.url === '/silent') return; // never answers
      res.writeHead(404).end();
    });
  });
  afterAll(async () => {
    await receiver?.close();
    await other?.close();
  });

  it('refuses a loopback URL by default, without connecting', async () => {
    const policy = createEgressPolicy();
    await expect(policy.request(`http://127.0.0.1:${receiver.port}/ok`, request)).rejects.toBeInstanceOf(
      EgressRefusedError,
    );
    await expect(policy.request(`http://localhost:${receiver.port}/ok`, request)).rejects.toThrow(
      'address not allowed',
    );
    expect(receiver.connections).toBe(0);
  });

  it('refuses at connect time a public-looking name that resolves to loopback (passed the save-time check)', async () => {
    const dns = scriptedResolver(['127.0.0.1']);
    const policy = createEgressPolicy({ resolve: dns.resolve });
    const url = `https://hooks.example.com:${receiver.port}/ok`;
    expect(policy.checkUrl(url)).toBeUndefined();
    const failure = await policy.request(url, request).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(EgressRefusedError);
    expect(failure).toMatchObject({ host: 'hooks.example.com', range: 'loopback' });
    expect(dns.calls).toEqual(['hooks.example.com']);
    expect(receiver.connections).toBe(0);
  });

  it('refuses a name when any of its addresses is internal', async () => {
    const dns = scriptedResolver(['93.184.216.34', '10.0.0.7']);
    const policy = createEgressPolicy({ resolve: dns.resolve });
    await expect(policy.request('https://hooks.example.com/ok', request)).rejects.toMatchObject({
      range: 'private',
    });
  });

  it('resolves once and connects to the address it checked, so a rebound second answer is never used', async () => {
    // Loopback opened: hooks.localhost is loopback by name, so plain http may go there; DNS
    // first answers loopback (allowed), then rebinds to the metadata address.
    const dns = scriptedResolver(['127.0.0.1'], ['169.254.169.254']);
    const policy = createEgressPolicy({ allowLoopback: true, resolve: dns.resolve });
    const before = receiver.connections;
    const first = await policy.request(`http://hooks.localhost:${receiver.port}/ok`, request);
    expect(first.status).toBe(204);
    expect(dns.calls).toHaveLength(1);
    expect(receiver.connections).toBe(before + 1);
    await expect(policy.request(`http://hooks.localhost:${receiver.port}/ok`, request)).rejects.toMatchObject(
      {
        range: 'linkLocal',
      },
    );
    expect(dns.calls).toHaveLength(2);
    expect(receiver.connections).toBe(before + 1);
  });

  it('the lookup it hands to node:net checks each answer: public first, rebound to loopback next', async () => {
    const dns = scriptedResolver(['93.184.216.34'], ['127.0.0.1']);
    const policy = createEgressPolicy({ resolve: dns.resolve });
    const lookup = (all: boolean) =>
      new Promise<unknown>((resolve, reject) =>
        policy.lookup('hooks.example.com', { all }, (error, address) =>
          error ? reject(error) : resolve(address),
        ),
      );
    expect(await lookup(true)).toEqual([{ address: '93.184.216.34', family: 4 }]);
    await expect(lookup(false)).rejects.toBeInstanceOf(EgressRefusedError);
  });

  it('does not follow a redirect (to loopback or anywhere)', async () => {
    const policy = createEgressPolicy({ allowLoopback: true });
    const before = other.connections;
    const response = await policy.request(`http://127.0.0.1:${receiver.port}/redirect`, request);
    expect(response.status).toBe(302);
    expect(other.connections).toBe(before);
  });

  it('caps the response size, declared or streamed', async () => {
    const policy = createEgressPolicy({ allowLoopback: true });
    await expect(policy.request(`http://127.0.0.1:${receiver.port}/large`, request)).rejects.toBeInstanceOf(
      EgressResponseTooLargeError,
    );
    await expect(
      policy.request(`http://127.0.0.1:${receiver.port}/streamed`, request),
    ).rejects.toBeInstanceOf(EgressResponseTooLargeError);
    const within = await policy.request(`http://127.0.0.1:${receiver.port}/streamed`, {
      ...request,
      maxResponseBytes: 4_096,
    });
    expect(within.body).toHaveLength(4_096);
  });

  it('caps the total time, a slowly dripping body included', async () => {
    const policy = createEgressPolicy({ allowLoopback: true });
    for (const path of ['/drip', '/silent']) {
      const started = performance.now();
      const failure = await policy
        .request(`http://127.0.0.1:${receiver.port}${path}`, { ...request, timeoutMs: 300 })
        .catch((error: unknown) => error);
      const elapsed = performance.now() - started;
      expect(failure, path).toBeInstanceOf(EgressTimeoutError);
      expect(elapsed, path).toBeGreaterThanOrEqual(290);
      expect(elapsed, path).toBeLessThan(1_500);
    }
  });
});
