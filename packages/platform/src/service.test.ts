import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gql } from 'graphql-tag';
import { baseConfigSchema } from './config.ts';
import { createLogger } from './logger.ts';
import { startService, type ServiceDefinition, type StartedService } from './service.ts';
import { createSubgraphServer } from './subgraph-server.ts';
import { createTestDatabase, testSigningSecret, type TestDatabase } from './testing/index.ts';

const probe: ServiceDefinition = {
  // Any of the four names: the definition, not the subgraph, is under test.
  name: 'trip',
  schema: 'metrics_probe',
  defaultPort: 0,
  portVariable: 'METRICS_PROBE_PORT',
  configSchema: baseConfigSchema,
  migrations: {},
  async create(runtime) {
    const server = await createSubgraphServer({
      name: 'metrics-probe',
      typeDefs: gql`
        type Query {
          ping: String
        }
      `,
      resolvers: { Query: { ping: () => 'pong' } },
      logger: runtime.logger,
      health: runtime.health,
      signingSecret: runtime.config.GATEWAY_SIGNING_SECRET,
      createContext: () => ({}),
    });
    return { server };
  },
};

describe('where a service alone serves /metrics', () => {
  let database: TestDatabase;
  const started: StartedService[] = [];
  const start = (env: Record<string, string>) =>
    startService(probe, {
      env: {
        DATABASE_URL: database.url,
        GATEWAY_SIGNING_SECRET: testSigningSecret,
        PG_POOL_MAX: '2',
        ...env,
      },
      port: 0,
      host: '127.0.0.1',
      logger: createLogger('metrics-probe', { level: 'silent' }),
    }).then((service) => {
      started.push(service);
      return service;
    });
  beforeAll(async () => {
    database = await createTestDatabase('service_metrics');
  });
  afterAll(async () => {
    for (const service of started) await service.close();
    await database?.drop();
  });

  it('in production: on the metrics port only, with the probes on the service port', async () => {
    // METRICS_PORT 0 stands for production's default 9464, which parallel tests would share.
    const service = await start({ NODE_ENV: 'production', METRICS_PORT: '0', METRICS_HOST: '127.0.0.1' });
    const base = service.url.replace('/graphql', '');
    expect((await fetch(`${base}/metrics`)).status).toBe(404);
    expect((await fetch(`${base}/health`)).status).toBe(200);
    expect((await fetch(`${base}/health/ready`)).status).toBe(200);
    expect(service.metricsUrl).toBeDefined();
    expect(new URL(service.metricsUrl!).port).not.toBe(String(service.port));
    const scraped = await fetch(service.metricsUrl!);
    expect(scraped.status).toBe(200);
    expect(await scraped.text()).toMatch(/http_request_duration_seconds_count\{service="metrics-probe"/);
  });

  it('in development and tests: on the service port, as before', async () => {
    const service = await start({ NODE_ENV: 'test' });
    expect(service.metricsUrl).toBeUndefined();
    const metrics = await fetch(service.url.replace('/graphql', '/metrics'));
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toMatch(/^process_cpu_user_seconds_total /m);
  });
});
