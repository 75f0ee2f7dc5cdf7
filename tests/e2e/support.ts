/**
 * End-to-end harness: the gateway and the chosen subgraphs started in this process on free
 * ports, against a fresh PostgreSQL database and a private redis-server, spoken to over HTTP as
 * a client would. Every test file gets its own database and Redis, so files run in parallel
 * without seeing each other's rows, caches or queues.
 */
import { startSupergraph, type RunningSupergraph, type ServiceName } from '@traveloure/supergraph';
import { mintToken } from '@traveloure/gateway';
import {
  createTestDatabase,
  serviceEnv,
  startPrivateRedis,
  type PrivateRedis,
  type TestDatabase,
} from '@traveloure/testing';
import type { Region, Role } from '@traveloure/platform';

export const testJwtSecret = 'e2e-test-jwt-secret-0123456789abcdefghij';

export interface GraphQLResult<T = any> {
  status: number;
  headers: Headers;
  body: { data?: T; errors?: { message: string; path?: string[]; extensions?: Record<string, any> }[] };
}

export interface TestSupergraph extends RunningSupergraph {
  database: TestDatabase;
  redis: PrivateRedis;
  env: Record<string, string>;
  /** POST a GraphQL operation to the gateway. */
  graphql<T = any>(
    query: string,
    variables?: Record<string, unknown>,
    options?: { token?: string; headers?: Record<string, string> },
  ): Promise<GraphQLResult<T>>;
  /** Creates a trip as `token`'s user and returns its id; fails loudly on any userError. */
  createTrip(token: string, input: Record<string, unknown>): Promise<string>;
  /** A signed-in user's bearer token. */
  token(
    role: Role,
    userId: string,
    extra?: { region?: Region; email?: string; name?: string },
  ): Promise<string>;
}

/** POSTs GraphQL operations to a gateway, as a client would; a body that is not JSON fails loudly. */
export function graphqlClient(gatewayUrl: string): TestSupergraph['graphql'] {
  return async (query, variables, requestOptions = {}) => {
    const response = await fetch(gatewayUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(requestOptions.token ? { authorization: `Bearer ${requestOptions.token}` } : {}),
        ...requestOptions.headers,
      },
      body: JSON.stringify({ query, variables }),
    });
    const text = await response.text();
    let body;
    try {
      body = JSON.parse(text);
    } catch {
      throw new Error(`gateway answered ${response.status} with non-JSON: ${text.slice(0, 200)}`);
    }
    return { status: response.status, headers: response.headers, body };
  };
}

/** A signed-in user's bearer token, signed with the secret the test stacks' gateways trust. */
export const testToken: TestSupergraph['token'] = (role, userId, extra = {}) =>
  mintToken({
    role,
    userId,
    secret: testJwtSecret,
    region: extra.region ?? 'US_EAST',
    email: extra.email,
    name: extra.name,
  });

/**
 * The embedded default (no DATABASE_URL, no REDIS_URL): the chosen services on an in-memory
 * PGlite of their own and the in-process queue and cache.
 */
export async function startEmbeddedSupergraph(
  label: string,
  services: readonly ServiceName[],
  env: Record<string, string> = {},
): Promise<RunningSupergraph & Pick<TestSupergraph, 'graphql' | 'token'>> {
  const supergraph = await startSupergraph({
    services,
    host: '127.0.0.1',
    env: {
      ...serviceEnv({ jwtSecret: testJwtSecret, logLevel: 'silent' }),
      PGLITE_DATA_DIR: `memory://${label}-${process.pid}`,
      ...env,
    },
  });
  return { ...supergraph, graphql: graphqlClient(supergraph.gatewayUrl), token: testToken };
}

export async function startTestSupergraph(
  label: string,
  options: {
    services?: readonly ServiceName[];
    env?: Record<string, string>;
    onQuery?: (sqlText: string, service: string) => void;
  } = {},
): Promise<TestSupergraph> {
  const database = await createTestDatabase(`e2e_${label}`);
  const redis = await startPrivateRedis();
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    ...serviceEnv({ databaseUrl: database.url, redisUrl: redis.url, jwtSecret: testJwtSecret, poolMax: 5 }),
    ...options.env,
  };
  let supergraph: RunningSupergraph;
  try {
    supergraph = await startSupergraph({
      env,
      services: options.services,
      onQuery: options.onQuery,
      host: '127.0.0.1',
    });
  } catch (error) {
    await redis.stop();
    await database.drop();
    throw error;
  }
  const graphql = graphqlClient(supergraph.gatewayUrl);
  return {
    ...supergraph,
    database,
    redis,
    env,
    graphql,
    async createTrip(token, input) {
      const result = await graphql(
        'mutation ($input: CreateTripInput!) { createTrip(input: $input) { trip { id } userErrors { field message code } } }',
        { input },
        { token },
      );
      const payload = result.body.data?.createTrip;
      if (!payload?.trip) throw new Error(`createTrip failed: ${JSON.stringify(result.body)}`);
      return payload.trip.id as string;
    },
    token: testToken,
    close: async () => {
      try {
        await supergraph.close();
      } finally {
        await redis.stop();
        await database.drop();
      }
    },
  };
}
