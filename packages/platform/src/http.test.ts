import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import express from 'express';
import http from 'node:http';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { createLogger } from './logger.ts';
import { Health } from './health.ts';
import { httpRequestDuration } from './metrics.ts';
import {
  accessLogMiddleware,
  DEFAULT_PRODUCTION_METRICS_PORT,
  metricsPortOf,
  mountLabel,
  operationalRoutes,
  requestIdMiddleware,
  serveMetrics,
} from './http.ts';

const service = 'route-labels';

/** Raw request: fetch would normalise `/a/../b`, a scanner does not. */
function request(port: number, method: string, path: string, agent: http.Agent) {
  return new Promise<number>((resolve, reject) => {
    const outgoing = http.request({ host: '127.0.0.1', port, method, path, agent }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode ?? 0));
    });
    outgoing.on('error', reject);
    outgoing.end();
  });
}

async function routesSeen() {
  const { values } = await httpRequestDuration.get();
  return new Set(
    values
      .filter((value) => value.labels.service === service && value.metricName?.endsWith('_count'))
      .map((value) => `${value.labels.method} ${value.labels.route} ${value.labels.status_code}`),
  );
}

describe('route labels', () => {
  let server: http.Server;
  let port: number;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
  beforeAll(async () => {
    const assets = mkdtempSync(join(tmpdir(), 'route-labels-'));
    writeFileSync(join(assets, 'app.js'), 'console.log(1)');
    const app = express();
    app.use(requestIdMiddleware());
    app.use(accessLogMiddleware(service, createLogger(service, { level: 'silent' })));
    app.use(operationalRoutes(new Health('test')));
    const reports = express.Router();
    reports.get('/:name', (req, res) => res.json({ name: req.params.name }));
    app.use('/reports', mountLabel('/reports'), reports);
    app.use('/assets', mountLabel('/assets'), express.static(assets, { fallthrough: false }));
    app.use('/graphql', mountLabel('/graphql'), (_req, res) => res.json({ data: {} }));
    // An unlabelled mount: its routes' templates alone would mislead, so they count as unmatched.
    const hidden = express.Router();
    hidden.get('/:id', (_req, res) => res.status(201).end());
    app.use('/hidden', hidden);
    server = http.createServer(app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    agent.destroy();
    await new Promise((resolve) => server.close(resolve));
  });

  it('labels by route template or one fixed label, so 2,000 distinct paths add a bounded set of series', async () => {
    const before = (await routesSeen()).size;
    const paths = (n: number) => [
      `/assets/../../x${n}`,
      `/nothing/here/${n}`,
      `/reports/report-${n}`,
      `/GrApHqL/${n}`,
      `/hidden/${n}`,
    ];
    const requests = Array.from({ length: 400 }, (_, n) => paths(n)).flat();
    expect(requests).toHaveLength(2_000);
    for (let start = 0; start < requests.length; start += 50) {
      await Promise.all(requests.slice(start, start + 50).map((path) => request(port, 'GET', path, agent)));
    }
    const seen = await routesSeen();
    expect(seen.size - before).toBeLessThanOrEqual(6);
    expect([...seen].sort()).toEqual(
      [
        'GET /assets 403',
        'GET /graphql 200',
        'GET /reports/:name 200',
        'GET unmatched 201',
        'GET unmatched 404',
      ].sort(),
    );
  });

  it('labels static files, operational routes and mounts by their template', async () => {
    const agentless = new http.Agent();
    expect(await request(port, 'GET', '/assets/app.js', agentless)).toBe(200);
    expect(await request(port, 'GET', '/health/ready', agentless)).toBe(200);
    expect(await request(port, 'GET', '/graphql', agentless)).toBe(200);
    const seen = await routesSeen();
    expect(seen).toContain('GET /assets 200');
    expect(seen).toContain('GET /health/ready 200');
    expect(seen).toContain('GET /graphql 200');
  });
});

describe('metrics placement', () => {
  it('keeps /metrics off the service port in production', () => {
    expect(metricsPortOf({ NODE_ENV: 'production' })).toBe(DEFAULT_PRODUCTION_METRICS_PORT);
    expect(metricsPortOf({ NODE_ENV: 'production', METRICS_PORT: 9100 })).toBe(9100);
    expect(metricsPortOf({ NODE_ENV: 'development' })).toBeUndefined();
    expect(metricsPortOf({ NODE_ENV: 'test', METRICS_PORT: 0 })).toBe(0);
  });

  it('serves one metrics listener per process, closed by its last user', async () => {
    const first = await serveMetrics(0, '127.0.0.1');
    const second = await serveMetrics(0, '127.0.0.1');
    expect(second.port).toBe(first.port);
    const metrics = await fetch(first.url);
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toMatch(/^process_cpu_user_seconds_total /m);
    expect((await fetch(first.url.replace('/metrics', '/health'))).status).toBe(404);
    await first.close();
    expect((await fetch(second.url)).status).toBe(200);
    await second.close();
    await expect(fetch(second.url)).rejects.toThrow();
  });

  it('leaves /metrics out of the operational routes when it has a port of its own', async () => {
    const app = express();
    let here = false;
    app.use(operationalRoutes(new Health('test'), { metrics: () => here }));
    const server = http.createServer(app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      expect((await fetch(`${base}/metrics`)).status).toBe(404);
      expect((await fetch(`${base}/health`)).status).toBe(200);
      here = true;
      expect((await fetch(`${base}/metrics`)).status).toBe(200);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
