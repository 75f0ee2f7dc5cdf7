import express from 'express';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requestIdMiddleware } from '@traveloure/platform';
import { explorerRouter } from './explorer.ts';

describe('explorer routes', () => {
  let server: import('node:http').Server;
  let base: string;
  beforeAll(async () => {
    const app = express();
    app.use(requestIdMiddleware());
    app.use(
      explorerRouter({ enabled: true, documents: { operations: [] } as any, schemaSdl: () => undefined }),
    );
    server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  it('answers a write to an explorer asset with a coded 405 and the request id, not an empty body', async () => {
    for (const method of ['POST', 'PUT', 'DELETE']) {
      const response = await fetch(`${base}/explorer/anything`, {
        method,
        headers: { 'x-request-id': 'explorer-write-1' },
      });
      expect(response.status).toBe(405);
      expect(response.headers.get('allow')).toBe('GET, HEAD');
      expect(await response.json()).toEqual({
        errors: [
          {
            message: 'The explorer is read with GET.',
            extensions: { code: 'BAD_REQUEST', requestId: 'explorer-write-1' },
          },
        ],
      });
    }
  });
});
