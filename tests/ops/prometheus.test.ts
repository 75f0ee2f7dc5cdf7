/**
 * The metrics as Prometheus sees them: a gateway and subgraphs on real PostgreSQL and Redis,
 * scraped on each of their ports; then a real Prometheus (Debian's binary, on a free loopback
 * port) scrapes them with the shipped rules and raises an alert when a subgraph stops.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSupergraph, type TestSupergraph } from '../e2e/support.ts';
import { deployDir, freePort, metricNamesIn, requireBinary } from './tools.ts';

let stack: TestSupergraph;
let prometheus: ChildProcess | undefined;
let prometheusOutput = '';
const dataDir = mkdtempSync(join(tmpdir(), 'traveloure-prometheus-'));

const metricsUrlOf = (graphqlUrl: string) => graphqlUrl.replace(/\/graphql$/, '/metrics');
const scrape = async (graphqlUrl: string) => (await fetch(metricsUrlOf(graphqlUrl))).text();
const sampleLines = (text: string) => text.split('\n').filter((line) => line && !line.startsWith('#'));

beforeAll(async () => {
  stack = await startTestSupergraph('ops_metrics', { services: ['trip', 'notification', 'search'] });
}, 120_000);

afterAll(async () => {
  prometheus?.kill('SIGTERM');
  await stack?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('metrics on each port', () => {
  it('records GraphQL operations by name, type and error code at the gateway and the subgraph', async () => {
    const ok = await stack.graphql('query DestinationList { destinations(first: 2) { code } }');
    expect(ok.body.errors).toBeUndefined();
    const refused = await stack.graphql('query BadTrip { trip(id: "no-such-trip") { id } }');
    expect(refused.body.errors?.length ?? 0).toBeGreaterThan(0);
    const code = refused.body.errors![0]!.extensions!.code as string;

    const gateway = await scrape(stack.gatewayUrl);
    expect(gateway).toMatch(
      /graphql_operation_duration_seconds_count\{service="gateway",operation="DestinationList",type="query"\} [1-9]/,
    );
    expect(gateway).toContain(
      `graphql_operation_errors_total{service="gateway",operation="BadTrip",type="query",code="${code}"}`,
    );
    expect(gateway).toMatch(
      /gateway_subgraph_fetch_duration_seconds_count\{service="gateway",subgraph="trip"\} [1-9]/,
    );
    expect(gateway).toMatch(/service_ready\{service="gateway"\} 1/);

    const trip = await scrape(stack.services.trip!.url);
    // The gateway names each subgraph fetch after the client's operation.
    expect(trip).toMatch(
      /graphql_operation_duration_seconds_count\{service="trip",operation="DestinationList__trip__\d+",type="query"\} [1-9]/,
    );
    expect(trip).toMatch(/db_pool_clients\{service="trip",pool="primary",state="total"\} [1-9]/);
    expect(trip).toMatch(/db_pool_max_clients\{service="trip",pool="primary"\} 5/);
  });

  it('reports queue depth per queue and state for the queues a service consumes', async () => {
    const notification = await scrape(stack.services.notification!.url);
    for (const state of ['waiting', 'active', 'delayed', 'failed']) {
      expect(notification).toMatch(
        new RegExp(`queue_jobs\\{service="notification",queue="[^"]+",state="${state}"\\} \\d+`),
      );
    }
    expect(notification).toMatch(/queue_metrics_readable\{service="notification",queue="[^"]+"\} 1/);
  });

  it('answers on each port only for its own service, so scraping every port counts each series once', async () => {
    const ports = {
      gateway: stack.gatewayUrl,
      trip: stack.services.trip!.url,
      notification: stack.services.notification!.url,
      search: stack.services.search!.url,
    };
    const seen = new Map<string, string>();
    let processSeriesOwners = 0;
    for (const [service, url] of Object.entries(ports)) {
      const lines = sampleLines(await scrape(url));
      expect(lines.length).toBeGreaterThan(10);
      for (const line of lines) {
        const labelled = /[{,]service="([^"]+)"/.exec(line);
        if (labelled) expect(labelled[1], line).toBe(service);
        const series = line.slice(0, line.lastIndexOf(' '));
        expect(seen.get(series), `${series} on ${service} and ${seen.get(series)}`).toBeUndefined();
        seen.set(series, service);
      }
      if (lines.some((line) => line.startsWith('process_cpu_user_seconds_total'))) processSeriesOwners += 1;
    }
    // The process's own series (memory, CPU) are served by exactly one port.
    expect(processSeriesOwners).toBe(1);
  });
});

describe('Prometheus with the shipped rules', () => {
  it('fires TraveloureTargetDown and TraveloureSubgraphFetchErrors when a subgraph stops', async () => {
    const binary = requireBinary('prometheus', 'prometheus');
    const port = await freePort();
    // The shipped rules with every `for:` shortened, so the test waits seconds, not minutes.
    const rules = readFileSync(join(deployDir, 'prometheus/alerts.yml'), 'utf8').replace(
      /for: \d+m/g,
      'for: 0s',
    );
    writeFileSync(join(dataDir, 'alerts.yml'), rules);
    const targets = [stack.gatewayUrl, stack.services.trip!.url].map((url) => new URL(url).host);
    writeFileSync(
      join(dataDir, 'prometheus.yml'),
      [
        'global: { scrape_interval: 1s, evaluation_interval: 1s }',
        'rule_files: [alerts.yml]',
        'scrape_configs:',
        '  - job_name: traveloure',
        `    static_configs: [{ targets: [${targets.map((target) => `"${target}"`).join(', ')}] }]`,
      ].join('\n'),
    );
    prometheus = spawn(binary, [
      `--config.file=${join(dataDir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dataDir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
    ]);
    prometheus.stderr!.on(
      'data',
      (chunk: Buffer) => (prometheusOutput = (prometheusOutput + chunk.toString()).slice(-4000)),
    );
    const api = `http://127.0.0.1:${port}/api/v1`;
    const query = async (promql: string) =>
      ((await (await fetch(`${api}/query?query=${encodeURIComponent(promql)}`)).json()) as any).data
        .result as any[];
    const alerts = async () => ((await (await fetch(`${api}/alerts`)).json()) as any).data.alerts as any[];
    const until = async <T>(
      what: string,
      probe: () => Promise<T | undefined>,
      timeoutMs = 30_000,
    ): Promise<T> => {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        const found = await probe().catch(() => undefined);
        if (found) return found;
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
      throw new Error(`${what} within ${timeoutMs} ms; Prometheus said:\n${prometheusOutput}`);
    };

    // Both targets up. The one alert before anything failed is the gateway's: it knows the ai
    // subgraph, which this stack does not host.
    await until('both targets up', async () => ((await query('up == 1')).length === 2 ? true : undefined));
    const firing = async () =>
      (await alerts())
        .filter((alert) => alert.state === 'firing')
        .map((alert) =>
          `${alert.labels.alertname} ${alert.labels.check ?? alert.labels.instance ?? ''}`.trim(),
        );
    await until('the ai dependency alert', async () => ((await firing()).length > 0 ? true : undefined));
    expect(await firing()).toEqual(['TraveloureDependencyDown subgraph:ai']);

    const tripHost = new URL(stack.services.trip!.url).host;
    await stack.services.trip!.close();
    // A signed-in client keeps asking (its answers are never cached): the gateway's calls to trip fail.
    const token = await stack.token('TRAVELER', 'user-ops-traffic');
    const traffic = setInterval(
      () => void stack.graphql('query Me { me { id } }', undefined, { token }).catch(() => {}),
      200,
    );
    try {
      const down = await until('TraveloureTargetDown firing', async () =>
        (await alerts()).find(
          (alert) => alert.labels.alertname === 'TraveloureTargetDown' && alert.state === 'firing',
        ),
      );
      expect(down.labels).toMatchObject({ instance: tripHost, severity: 'page', job: 'traveloure' });
      const fetchErrors = await until('TraveloureSubgraphFetchErrors firing', async () =>
        (await alerts()).find(
          (alert) => alert.labels.alertname === 'TraveloureSubgraphFetchErrors' && alert.state === 'firing',
        ),
      );
      expect(fetchErrors.labels).toMatchObject({ subgraph: 'trip', severity: 'page' });
      // The gateway's readiness check of trip reports it too (degraded, never unready).
      await until('TraveloureDependencyDown for subgraph:trip', async () =>
        (await firing()).includes('TraveloureDependencyDown subgraph:trip') ? true : undefined,
      );
    } finally {
      clearInterval(traffic);
    }
  }, 90_000);

  it('every metric the rules and the dashboard read is in a real scrape', async () => {
    const scraped = new Set(
      (
        await Promise.all(
          [stack.gatewayUrl, stack.services.notification!.url, stack.services.search!.url].map(scrape),
        )
      )
        .flatMap(sampleLines)
        .map((line) => /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line)![0]),
    );
    // `up` is Prometheus's own; the trip port was stopped above, its series are covered in the first tests.
    scraped.add('up');
    const rules = readFileSync(join(deployDir, 'prometheus/alerts.yml'), 'utf8');
    const ruleExpressions = [...rules.matchAll(/expr: (\|\n(?:\s{10}.*\n)+|.*)/g)].map((match) => match[1]!);
    const dashboard = JSON.parse(readFileSync(join(deployDir, 'grafana/traveloure.json'), 'utf8'));
    const dashboardExpressions = [
      ...dashboard.panels.flatMap((panel: any) => panel.targets.map((target: any) => target.expr as string)),
      ...dashboard.templating.list
        .filter((variable: any) => variable.type === 'query')
        .map((variable: any) => variable.query),
    ];
    const used = new Set([...ruleExpressions, ...dashboardExpressions].flatMap(metricNamesIn));
    expect(used.size).toBeGreaterThan(10);
    const missing = [...used].filter((name) => !scraped.has(name));
    expect(missing).toEqual([]);
  });
});
