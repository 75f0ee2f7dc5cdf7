/**
 * Readiness and partial answers in the production layout: every subgraph started alone (its own
 * server, as `node subgraphs/<name>/src/index.ts` runs it) and the gateway on its own database.
 * A stopped subgraph degrades the gateway (200) and fails only the fields it serves, each error at
 * the path of a field it nulled; the gateway's own database gone makes it unready (503).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGateway, loadGatewayConfig, mintToken, type RunningGateway } from '@traveloure/gateway';
import { loadServiceDefinitions, type ServiceName } from '@traveloure/supergraph';
import { createLogger, startService, type StartedService } from '@traveloure/platform';
import { createTestDatabase, serviceEnv, type TestDatabase } from '@traveloure/testing';

const jwtSecret = 'e2e-readiness-jwt-secret-0123456789abcdef';
const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);

const TRIP_PAGE = `query ($id: ID!) {
  trip(id: $id) { id title flightOffers(origin: "NYC") { offers { id } } }
}`;
const TRIP_LIST = `{
  trips(first: 5) { edges { node { id title flightOffers(origin: "NYC") { offers { id } } } } }
}`;
const SEARCH = `query ($input: FlightSearchInput!) { searchFlights(input: $input) { offers { id } } }`;

interface Report {
  status: string;
  checks: Record<string, { status: string; detail?: string }>;
}

describe('readiness with each service alone', () => {
  let subgraphDatabase: TestDatabase;
  let gatewayDatabase: TestDatabase;
  const services: Partial<Record<ServiceName, StartedService<any>>> = {};
  let gateway: RunningGateway;
  let traveler: string;
  const tripIds: string[] = [];

  const env = (database: TestDatabase): Record<string, string> => ({
    ...serviceEnv({ databaseUrl: database.url, jwtSecret, logLevel: 'silent', poolMax: 3 }),
    SEED_DEMO_DATA: 'false',
    TRIP_POPULARITY_REFRESH_MS: '0',
    SEARCH_WARM_INTERVAL_MS: '0',
  });

  const graphql = async (query: string, variables?: Record<string, unknown>) => {
    const response = await fetch(gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${traveler}` },
      body: JSON.stringify({ query, variables }),
    });
    return (await response.json()) as {
      data?: any;
      errors?: { message: string; path?: (string | number)[]; extensions: Record<string, unknown> }[];
    };
  };
  const readiness = async () => {
    const response = await fetch(gateway.url.replace('/graphql', '/health/ready'));
    return { status: response.status, report: (await response.json()) as Report };
  };
  const stop = async (name: ServiceName) => {
    await services[name]!.close();
    delete services[name];
  };

  beforeAll(async () => {
    subgraphDatabase = await createTestDatabase('readiness_subgraphs');
    gatewayDatabase = await createTestDatabase('readiness_gateway');
    for (const definition of await loadServiceDefinitions()) {
      services[definition.name] = await startService(definition, {
        env: env(subgraphDatabase),
        port: 0,
        host: '127.0.0.1',
        logger: createLogger(definition.name, { level: 'silent' }),
      });
    }
    const created = await createGateway({
      config: loadGatewayConfig(env(gatewayDatabase)),
      logger: createLogger('gateway', { level: 'silent' }),
      subgraphUrls: Object.fromEntries(
        Object.values(services).map((service) => [service!.name, service!.url]),
      ),
    });
    gateway = await created.listen(0, '127.0.0.1');
    traveler = await mintToken({ role: 'TRAVELER', userId: 'readiness-traveler', secret: jwtSecret });
    for (const title of ['Paris in spring', 'Paris again']) {
      const created = await graphql(
        'mutation ($input: CreateTripInput!) { createTrip(input: $input) { trip { id } userErrors { code } } }',
        { input: { title, destinationCode: 'PAR', startDate: inDays(60), endDate: inDays(65) } },
      );
      tripIds.push(created.data.createTrip.trip.id);
    }
  }, 180_000);

  afterAll(async () => {
    await gateway?.close();
    for (const service of Object.values(services)) await service?.close();
    await subgraphDatabase?.drop();
    await gatewayDatabase?.drop();
  });

  it('is ready with every subgraph up', async () => {
    const { status, report } = await readiness();
    expect(status).toBe(200);
    expect(report.status).toBe('ok');
    for (const check of [
      'subgraph:trip',
      'subgraph:ai',
      'subgraph:search',
      'subgraph:notification',
      'database',
      'supergraph',
    ]) {
      expect(report.checks[check]?.status, check).toBe('up');
    }
    const page = await graphql(TRIP_PAGE, { id: tripIds[0] });
    expect(page.errors).toBeUndefined();
    expect(page.data.trip.flightOffers.offers.length).toBeGreaterThan(0);
  });

  it('stays ready with notification stopped, reports it down, and serves trip, ai and search', async () => {
    await stop('notification');
    const { status, report } = await readiness();
    expect(status).toBe(200);
    expect(report.status).toBe('degraded');
    expect(report.checks['subgraph:notification']?.status).toBe('down');
    expect(report.checks['subgraph:trip']?.status).toBe('up');

    const page = await graphql(TRIP_PAGE, { id: tripIds[0] });
    expect(page.errors).toBeUndefined();
    expect(page.data.trip.title).toBe('Paris in spring');
    const experts = await graphql('{ experts(first: 1) { id } }');
    expect(experts.errors).toBeUndefined();
    const search = await graphql(SEARCH, {
      input: { origin: 'NYC', destination: 'PAR', departureDate: inDays(30) },
    });
    expect(search.errors).toBeUndefined();
    expect(search.data.searchFlights.offers.length).toBeGreaterThan(0);
  });

  it('with search stopped too, names each field search would have filled', async () => {
    await stop('search');
    const { status, report } = await readiness();
    expect(status).toBe(200);
    expect(report.checks['subgraph:search']?.status).toBe('down');

    const page = await graphql(TRIP_PAGE, { id: tripIds[0] });
    expect(page.errors).toEqual([
      expect.objectContaining({
        path: ['trip', 'flightOffers'],
        extensions: expect.objectContaining({ code: 'UPSTREAM_UNAVAILABLE', service: 'search' }),
      }),
    ]);
    // The nulled field is nullable, so the rest of the trip still arrives.
    expect(page.data.trip).toMatchObject({ id: tripIds[0], title: 'Paris in spring', flightOffers: null });

    const list = await graphql(TRIP_LIST);
    expect(list.errors?.map((error) => error.path)).toEqual(
      [0, 1].map((index) => ['trips', 'edges', index, 'node', 'flightOffers']),
    );
    expect(list.errors?.every((error) => error.extensions.code === 'UPSTREAM_UNAVAILABLE')).toBe(true);
    expect(list.data.trips.edges.map((edge: any) => edge.node.flightOffers)).toEqual([null, null]);

    const search = await graphql(SEARCH, {
      input: { origin: 'NYC', destination: 'PAR', departureDate: inDays(30) },
    });
    expect(search.errors).toEqual([
      expect.objectContaining({
        path: ['searchFlights'],
        extensions: expect.objectContaining({ code: 'UPSTREAM_UNAVAILABLE', service: 'search' }),
      }),
    ]);
  });

  it('turns unready (503) when its own database is gone', async () => {
    await gatewayDatabase.drop();
    const { status, report } = await readiness();
    expect(status).toBe(503);
    expect(report.status).toBe('unavailable');
    expect(report.checks.database?.status).toBe('down');
  });
});
