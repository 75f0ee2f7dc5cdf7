/**
 * R: the machine's ceiling for an HTTP JSON answer. node:http answering every request with the
 * same 1 KB JSON body, nothing parsed. Run as its own process by the bench (BENCH_PORT).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

import { rawBodyBytes } from './raw-http-body.ts';

const prefix = '{"data":{"padding":"';
const suffix = '"}}';
const body = Buffer.from(prefix + 'x'.repeat(rawBodyBytes - prefix.length - suffix.length) + suffix);

const server = http.createServer((request, response) => {
  // Drain the request body (POST) before answering, as any real server would.
  request.resume();
  request.on('end', () => {
    response.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length });
    response.end(body);
  });
});
server.listen(Number(process.env.BENCH_PORT ?? 0), '127.0.0.1', () => {
  console.log(`listening on http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`);
});
