import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testSigningSecret } from '@traveloure/platform/testing';
import { startSupergraph, type RunningSupergraph } from './supergraph.ts';

describe('one process hosting the gateway and subgraphs (npm start)', () => {
  let supergraph: RunningSupergraph;
  beforeAll(async () => {
    // No host: as npm start runs it, the gateway on every interface.
    supergraph = await startSupergraph({
      services: ['search'],
      env: {
        NODE_ENV: 'test',
        LOG_LEVEL: 'silent',
        PGLITE_DATA_DIR: `memory://supergraph-loopback-${process.pid}`,
        GATEWAY_SIGNING_SECRET: testSigningSecret,
        SEARCH_WARM_INTERVAL_MS: '0',
      },
    });
  }, 120_000);
  afterAll(async () => {
    await supergraph?.close();
  });

  it('binds the subgraphs to loopback: only the gateway beside them calls them', async () => {
    expect(supergraph.mode).toBe('embedded');
    expect(supergraph.services.search?.host).toBe('127.0.0.1');
    const ready = await fetch(supergraph.gatewayUrl.replace('/graphql', '/health/ready'));
    expect(
      ((await ready.json()) as { checks: Record<string, { status: string }> }).checks['subgraph:search'],
    ).toMatchObject({
      status: 'up',
    });
  });
});
