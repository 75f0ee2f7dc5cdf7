/**
 * What the gateway derived from its supergraph follows a reload: a subgraph whose routing URL
 * changed is called at the new one (and checked there by /health/ready), a subgraph the new
 * supergraph adds is called and checked, and /schema.graphql shows the new fields.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gql } from 'graphql-tag';
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunningServer } from '@traveloure/platform';
import type { RunningGateway } from './server.ts';
import { composeSupergraph, gatewayTestEnv, startGateway, startProbeSubgraph } from './test-support.ts';
import { mintToken } from './tokens.ts';

const probeTypeDefs = gql`
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
  type Query {
    whereAmI: String
  }
`;
const extraTypeDefs = gql`
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
  type Query {
    extra: Int
  }
`;

const env = {
  ...gatewayTestEnv,
  SUBGRAPH_FETCH_CACHE_ENABLED: 'false',
  SUPERGRAPH_POLL_MS: '30',
};

describe('a reloaded supergraph', () => {
  let first: RunningServer;
  let second: RunningServer;
  let extra: RunningServer;
  let gateway: RunningGateway;
  let token: string;
  let dir: string;
  let path: string;

  const publish = (services: Parameters<typeof composeSupergraph>[0]) => {
    writeFileSync(`${path}.new`, composeSupergraph(services));
    renameSync(`${path}.new`, path);
  };
  const graphql = async (query: string) => {
    const response = await fetch(gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query }),
    });
    return (await response.json()) as { data?: any; errors?: any[] };
  };
  const until = async (check: () => Promise<boolean>) => {
    const deadline = Date.now() + 5_000;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error('the gateway did not follow the new supergraph');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };

  beforeAll(async () => {
    first = await startProbeSubgraph(probeTypeDefs, { Query: { whereAmI: () => 'first' } });
    second = await startProbeSubgraph(probeTypeDefs, { Query: { whereAmI: () => 'second' } });
    extra = await startProbeSubgraph(extraTypeDefs, { Query: { extra: () => 42 } }, { name: 'extra' });
    dir = mkdtempSync(join(tmpdir(), 'supergraph-follow-'));
    path = join(dir, 'supergraph.graphql');
    publish([{ name: 'probe', url: first.url, typeDefs: probeTypeDefs }]);
    gateway = await startGateway({ ...env, SUPERGRAPH_PATH: path });
    token = await mintToken({ role: 'TRAVELER', userId: 'follow-user', secret: env.JWT_SECRET });
  });

  afterAll(async () => {
    await gateway?.close();
    for (const server of [first, second, extra]) await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('calls a moved subgraph at its new URL and adds a new one, checks and schema included', async () => {
    expect(await graphql('{ whereAmI }')).toEqual({ data: { whereAmI: 'first' } });

    publish([
      { name: 'probe', url: second.url, typeDefs: probeTypeDefs },
      { name: 'extra', url: extra.url, typeDefs: extraTypeDefs },
    ]);
    await until(async () => (await graphql('{ whereAmI }')).data?.whereAmI === 'second');
    expect(await graphql('{ whereAmI extra }')).toEqual({ data: { whereAmI: 'second', extra: 42 } });

    const schema = await (await fetch(gateway.url.replace('/graphql', '/schema.graphql'))).text();
    expect(schema).toContain('extra: Int');

    // Readiness checks the new URL and the new subgraph: with the first probe gone, both are up.
    await first.close();
    const ready = await fetch(gateway.url.replace('/graphql', '/health/ready'));
    const report = (await ready.json()) as { checks: Record<string, { status: string }> };
    expect(report.checks['subgraph:probe']?.status).toBe('up');
    expect(report.checks['subgraph:extra']?.status).toBe('up');
  });
});
