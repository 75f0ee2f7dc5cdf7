/**
 * Chaos harness: the gateway and chosen subgraphs (in this process, real HTTP on free ports) on a
 * database and a Redis the test hands in (a private cluster or redis-server it can kill), plus a
 * load driver that records every answer and the figures RELIABILITY.md reports.
 */
import { startSupergraph, type RunningSupergraph, type ServiceName } from '@traveloure/supergraph';
import { mintToken } from '@traveloure/gateway';
import type { Role } from '@traveloure/platform';
import {
  createTestDatabase,
  serviceEnv,
  startPrivateRedis,
  type PrivateRedis,
  type TestDatabase,
} from '@traveloure/testing';

export const chaosJwtSecret = 'chaos-test-jwt-secret-0123456789abcdefghij';

export interface GraphQLAnswer<T = any> {
  status: number;
  ms: number;
  body: {
    data?: T;
    errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, any> }[];
  };
}

export interface ChaosStack extends RunningSupergraph {
  env: Record<string, string>;
  graphql<T = any>(
    query: string,
    variables?: Record<string, unknown>,
    token?: string,
  ): Promise<GraphQLAnswer<T>>;
  token(role: Role, userId: string): Promise<string>;
  ready(url?: string): Promise<{ status: number; body: { status: string; checks: Record<string, any> } }>;
}

/**
 * A chaos stack on a fresh database and a private redis-server of its own, which the test may
 * stop and start again; closing the stack drops and stops both.
 */
export async function startChaosStackOnOwnServers(
  label: string,
  options: { services: readonly ServiceName[]; env?: Record<string, string> },
): Promise<ChaosStack & { database: TestDatabase; redis: PrivateRedis }> {
  const [database, redis] = await Promise.all([createTestDatabase(label), startPrivateRedis()]);
  const dropServers = () => Promise.all([redis.stop(), database.drop()]);
  let stack: ChaosStack;
  try {
    stack = await startChaosStack({ databaseUrl: database.url, redisUrl: redis.url, ...options });
  } catch (error) {
    await dropServers();
    throw error;
  }
  return {
    ...stack,
    database,
    redis,
    close: async () => {
      try {
        await stack.close();
      } finally {
        await dropServers();
      }
    },
  };
}

export async function startChaosStack(options: {
  databaseUrl: string;
  redisUrl?: string;
  services: readonly ServiceName[];
  env?: Record<string, string>;
}): Promise<ChaosStack> {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    ...serviceEnv({
      databaseUrl: options.databaseUrl,
      redisUrl: options.redisUrl,
      jwtSecret: chaosJwtSecret,
      poolMax: 5,
    }),
    // An outage must show as fast errors, not as requests queued behind a dead pool.
    PG_CONNECT_TIMEOUT_MS: '1000',
    TRIP_POPULARITY_REFRESH_MS: '0',
    SEARCH_WARM_INTERVAL_MS: '0',
    OUTBOX_POLL_MS: '50',
    OUTBOX_ACK_TIMEOUT_MS: '2000',
    ...options.env,
  };
  const supergraph = await startSupergraph({ env, services: options.services, host: '127.0.0.1' });
  const graphql: ChaosStack['graphql'] = async (query, variables, token) => {
    const started = performance.now();
    const response = await fetch(supergraph.gatewayUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: JSON.stringify({ query, variables }),
    });
    const text = await response.text();
    const ms = performance.now() - started;
    try {
      return { status: response.status, ms, body: JSON.parse(text) };
    } catch {
      throw new Error(`gateway answered ${response.status} with non-JSON: ${text.slice(0, 200)}`);
    }
  };
  return {
    ...supergraph,
    env,
    graphql,
    token: (role, userId) =>
      mintToken({ role, userId, secret: chaosJwtSecret, region: 'US_EAST', email: `${userId}@example.test` }),
    async ready(url = supergraph.gatewayUrl) {
      const response = await fetch(url.replace(/\/graphql\/?$/, '') + '/health/ready');
      return { status: response.status, body: (await response.json()) as any };
    },
  };
}

/** Every answer a load loop saw, with the time it was sent relative to the loop's start. */
export interface Sample<T> {
  at: number;
  ms: number;
  outcome: T;
}

/**
 * Runs `step` from `concurrency` workers until `until()` says stop (checked between steps), so
 * the load spans the fault however long it takes; `maxSteps` bounds it in any case.
 */
export async function drive<T>(
  concurrency: number,
  step: (index: number) => Promise<T>,
  until: () => boolean,
  maxSteps = 5_000,
): Promise<Sample<T>[]> {
  const samples: Sample<T>[] = [];
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (!until() && next < maxSteps) {
        const index = next++;
        const at = performance.now() - started;
        const outcome = await step(index);
        samples.push({ at, ms: performance.now() - started - at, outcome });
      }
    }),
  );
  return samples;
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

// The chaos tests poll through the test kit's waitFor.
export { waitFor } from '@traveloure/testing';

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Figures of the run, printed as one line per scenario (`CHAOS_FIGURES=1`) so RELIABILITY.md can
 * quote the last run.
 */
export function reportFigures(scenario: string, figures: Record<string, unknown>) {
  if (process.env.CHAOS_FIGURES)
    process.stdout.write(`chaos-figures ${scenario} ${JSON.stringify(figures)}\n`);
}

export const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
