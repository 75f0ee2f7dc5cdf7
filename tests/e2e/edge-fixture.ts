/**
 * A gateway with the full edge in front of a small subgraph made for edge tests: its fields
 * cover every scope, a recursive type for depth probes, list sizes, a cache hint and a resolver
 * that fails on purpose. Real PostgreSQL (a fresh database) and a private Redis.
 */
import { composeServices } from '@apollo/composition';
import { parse, type DocumentNode } from 'graphql';
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import pg from 'pg';
import { Kysely, PostgresDialect } from 'kysely';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createLogger,
  createSubgraphServer,
  Health,
  type Identity,
  type Logger,
  type RunningServer,
} from '@traveloure/platform';
import {
  createTestDatabase,
  serviceEnv,
  startPrivateRedis,
  testSigningSecret,
  type PrivateRedis,
  type TestDatabase,
} from '@traveloure/testing';
import { createGateway, loadGatewayConfig, mintToken, type RunningGateway } from '@traveloure/gateway';
import { sha256, type GatewayDatabase, type PersistedQueryManifest } from '@traveloure/gateway/edge/index';

/** A direct connection to the gateway's tables, for making keys in tests. */
export function gatewayDb(url: string): Kysely<GatewayDatabase> {
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  // The test database is dropped with force at the end; idle connections may see that.
  pool.on('error', () => {});
  return new Kysely<GatewayDatabase>({ dialect: new PostgresDialect({ pool }) });
}

export const jwtSecret = 'edge-test-jwt-secret-0123456789abcdef0123';

/** The federation link and the @cacheControl directive every fixture schema starts with. */
export const fixtureSchemaHead = /* GraphQL */ `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])

  directive @cacheControl(
    maxAge: Int
    scope: CacheControlScope
    inheritMaxAge: Boolean
  ) on FIELD_DEFINITION | OBJECT | INTERFACE | UNION
  enum CacheControlScope {
    PUBLIC
    PRIVATE
  }
`;

const typeDefs = parse(/* GraphQL */ `
  ${fixtureSchemaHead}
  "A city."
  type Destination @key(fields: "code") {
    code: ID!
    name: String!
    "Nearby destinations (recursive, for depth probes)."
    related(first: Int = 3): [Destination!]!
  }
  type DestinationPopularity {
    destination: Destination!
    tripCount: Int!
    note: String
  }
  input FlightSearchInput {
    origin: String!
    maxResults: Int = 10
  }
  type Query {
    destinations(search: String, first: Int = 20): [Destination!]! @cacheControl(maxAge: 120)
    searchFlights(input: FlightSearchInput!): [String!]!
    trips(first: Int = 20): [String!]!
    destinationPopularity(days: Int = 30, first: Int = 20): [DestinationPopularity!]!
    "Who the subgraph was told is calling (scope: none, so no API key may call it)."
    whoami: String
    "Always fails with an unexpected error."
    boom: String
  }
`);

const cities = ['PAR', 'LON', 'NYC', 'TYO', 'ROM'];
const destination = (code: string) => ({ code, name: `City ${code}` });

const resolvers = {
  Query: {
    destinations: (_: unknown, args: { first: number }) => cities.slice(0, args.first).map(destination),
    searchFlights: (_: unknown, args: { input: { origin: string } }) => [`offer from ${args.input.origin}`],
    trips: () => ['trip-1'],
    destinationPopularity: (_: unknown, args: { first: number }) =>
      cities.slice(0, args.first).map((code, index) => ({
        destination: destination(code),
        tripCount: 10 - index,
        // Commas, quotes and newlines: CSV output must quote them.
        note: index === 0 ? 'busy, "very" busy\nall year' : null,
      })),
    whoami: (_: unknown, __: unknown, context: { identity: Identity }) =>
      JSON.stringify({
        user: context.identity.user?.id ?? null,
        roles: context.identity.user?.roles ?? [],
        apiKey: context.identity.apiKey?.owner ?? null,
      }),
    boom: () => {
      throw new Error('database password is hunter2 at /srv/app/secret.ts:42');
    },
  },
  Destination: {
    __resolveReference: (ref: { code: string }) => destination(ref.code),
    related: (parent: { code: string }, args: { first: number }) =>
      cities
        .filter((code) => code !== parent.code)
        .slice(0, args.first)
        .map(destination),
  },
};

/** The manifest the tests run with: a few operations of the fixture schema. */
export const trustedOperations = {
  Destinations:
    'query Destinations($first: Int = 3) {\n  destinations(first: $first) {\n    code\n    name\n  }\n}',
  DestinationPopularity:
    'query DestinationPopularity($days: Int = 30, $first: Int = 20) {\n  destinationPopularity(days: $days, first: $first) {\n    destination {\n      code\n      name\n    }\n    tripCount\n    note\n  }\n}',
  WhoAmI: 'query WhoAmI {\n  whoami\n}',
};

export function manifestOf(operations: Record<string, string>): PersistedQueryManifest {
  return {
    format: 'apollo-persisted-query-manifest',
    version: 1,
    operations: Object.entries(operations).map(([name, body]) => ({
      id: sha256(body),
      name,
      type: 'query',
      body,
    })),
  };
}

/** A fixture subgraph on a free port, and the supergraph composed of it alone. */
export async function startFixtureSubgraph(
  typeDefs: DocumentNode,
  resolvers: object,
  logger: Logger,
): Promise<{ running: RunningServer; supergraphSdl: string }> {
  const server = await createSubgraphServer({
    name: 'fixture',
    typeDefs,
    resolvers: resolvers as never,
    logger,
    health: new Health('test'),
    signingSecret: testSigningSecret,
    createContext: () => ({}),
  });
  const running = await server.listen(0, '127.0.0.1');
  const composed = composeServices([{ name: 'fixture', url: running.url, typeDefs }]);
  if (composed.errors) throw new Error(composed.errors.map((error) => error.message).join('\n'));
  return { running, supergraphSdl: composed.supergraphSdl };
}

/** A gateway's settings over a fixture subgraph, with the rate limits out of the tests' way. */
export function edgeGatewayEnv(options: {
  database: TestDatabase;
  redis: PrivateRedis;
  jwtSecret: string;
  manifestPath: string;
}): Record<string, string> {
  return {
    ...serviceEnv({
      databaseUrl: options.database.url,
      redisUrl: options.redis.url,
      jwtSecret: options.jwtSecret,
    }),
    PERSISTED_OPERATIONS_PATH: options.manifestPath,
    RATE_LIMIT_ANONYMOUS: '100000',
    RATE_LIMIT_USER: '100000',
    EXPLORER_ENABLED: 'false',
  };
}

/** A log line the gateway wrote (pino's JSON, parsed). */
export interface LogLine {
  level: string;
  msg?: string;
  [field: string]: unknown;
}

export interface EdgeHarness {
  url: string;
  /** Lines at warn and above the gateway and the fixture subgraph wrote, oldest first. */
  logs: LogLine[];
  origin: string;
  database: TestDatabase;
  redis: PrivateRedis;
  env: Record<string, string>;
  token(role: 'TRAVELER' | 'EXPERT' | 'ANALYST' | 'ADMIN', userId?: string): Promise<string>;
  post(
    body: unknown,
    headers?: Record<string, string>,
  ): Promise<{ status: number; headers: Headers; json: any }>;
  close(): Promise<void>;
}

export async function startEdge(label: string, extraEnv: Record<string, string> = {}): Promise<EdgeHarness> {
  // Warnings and errors are kept for tests that must prove a request never reached the
  // unexpected-error path (which logs at error level before reporting to Sentry).
  const logs: LogLine[] = [];
  const logger = createLogger('edge-test', {
    level: 'warn',
    destination: {
      write(line: string) {
        logs.push(JSON.parse(line) as LogLine);
        if (process.env.LOG_LEVEL && process.env.LOG_LEVEL !== 'silent') process.stderr.write(line);
      },
    },
  });
  const database = await createTestDatabase(label);
  const redis = await startPrivateRedis();
  const dir = mkdtempSync(join(tmpdir(), 'edge-'));
  const manifestPath = join(dir, 'persisted-operations.json');
  writeFileSync(manifestPath, JSON.stringify(manifestOf(trustedOperations)));

  const { running: runningSubgraph, supergraphSdl } = await startFixtureSubgraph(typeDefs, resolvers, logger);

  const env: Record<string, string> = {
    ...edgeGatewayEnv({ database, redis, jwtSecret, manifestPath }),
    API_KEY_CACHE_TTL_MS: '0',
    ...extraEnv,
  };
  const gateway = await createGateway({
    config: loadGatewayConfig(env),
    logger,
    supergraphSdl,
    subgraphUrls: { fixture: runningSubgraph.url },
  });
  const running: RunningGateway = await gateway.listen(0, '127.0.0.1');
  const origin = running.url.replace(/\/graphql$/, '');

  return {
    url: running.url,
    logs,
    origin,
    database,
    redis,
    env,
    token: (role, userId) =>
      mintToken({ role, userId: userId ?? `user-${role.toLowerCase()}`, secret: jwtSecret }),
    async post(body, headers = {}) {
      const response = await fetch(running.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      });
      const text = await response.text();
      let json: any;
      try {
        json = JSON.parse(text);
      } catch {
        json = { raw: text };
      }
      return { status: response.status, headers: response.headers, json };
    },
    async close() {
      await running.close();
      await runningSubgraph.close();
      await redis.stop();
      await database.drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
