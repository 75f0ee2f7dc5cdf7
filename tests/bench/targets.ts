/**
 * The targets compared side by side, each its own process in front of the same subgraphs:
 *   P  our gateway (gateway/, the edge included), production settings
 *   A  stock @apollo/gateway in @apollo/server 5, defaults (./targets/apollo-peer.ts)
 *   H  Hive Gateway, defaults (./targets/hive-peer.ts)
 *   D  the trip subgraph called directly, with a signed identity header
 *   M  a minimal @apollo/subgraph answering the same shapes from memory (./targets/minimal-subgraph.ts)
 *   R  raw node:http answering 1 KB (./targets/raw-http.ts): the machine's ceiling
 */
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@traveloure/platform/testing';
import { spawnNode, repositoryRoot, subgraphNames, type BenchProcess, type Stack } from './stack.ts';
import type { TargetName } from './workloads.ts';

export const targetDescriptions: Record<TargetName, string> = {
  P: 'our gateway (the edge: auth, limits, persisted queries, signing), production settings',
  A: 'stock @apollo/gateway 2.14 in @apollo/server 5, defaults',
  H: 'Hive Gateway (@graphql-hive/gateway-runtime), defaults',
  D: 'the trip subgraph called directly (signed identity header)',
  M: 'minimal @apollo/subgraph serving the same shapes from memory',
  R: 'raw node:http answering a 1 KB body',
};

export const supergraphPath = join(repositoryRoot, 'schema/supergraph.graphql');
export const manifestPath = join(repositoryRoot, 'schema/operations/persisted-operations.json');

const subgraphUrls = (stack: Stack) =>
  Object.fromEntries(subgraphNames.map((name) => [name, stack.subgraphs[name].url]));

/** P: gateway/src/main.ts as production runs it; only the per-caller rate limits are lifted (one client address, 50 users at full speed). */
export async function startOurGateway(stack: Stack): Promise<BenchProcess> {
  const port = await freePort();
  const gateway = await spawnNode('P', 'gateway/src/main.ts', {
    env: {
      ...stack.baseEnv,
      GATEWAY_PORT: String(port),
      METRICS_PORT: String(await freePort()),
      TRIP_URL: stack.subgraphs.trip.url,
      AI_URL: stack.subgraphs.ai.url,
      SEARCH_URL: stack.subgraphs.search.url,
      NOTIFICATION_URL: stack.subgraphs.notification.url,
      RATE_LIMIT_USER: '1000000000',
      RATE_LIMIT_ANONYMOUS: '1000000000',
    },
    readyUrl: `http://127.0.0.1:${port}/health/ready`,
  });
  gateway.url = `http://127.0.0.1:${port}/graphql`;
  return gateway;
}

/** A, H, M and R (D is the trip subgraph itself). */
export async function startPeers(
  stack: Stack,
  minimalData: unknown,
  wanted: Set<TargetName>,
): Promise<Partial<Record<TargetName, BenchProcess>>> {
  const peerEnv = {
    PATH: stack.baseEnv.PATH!,
    NODE_ENV: 'production',
    JWT_SECRET: stack.jwtSecret,
    GATEWAY_SIGNING_SECRET: stack.signingSecret,
    BENCH_SUPERGRAPH: supergraphPath,
    BENCH_MANIFEST: manifestPath,
    BENCH_SUBGRAPH_URLS: JSON.stringify(subgraphUrls(stack)),
  };
  const dataFile = join(tmpdir(), `bench-minimal-${process.pid}.json`);
  writeFileSync(dataFile, JSON.stringify(minimalData));
  const files: Partial<Record<TargetName, string>> = {
    A: 'tests/bench/targets/apollo-peer.ts',
    H: 'tests/bench/targets/hive-peer.ts',
    M: 'tests/bench/targets/minimal-subgraph.ts',
    R: 'tests/bench/targets/raw-http.ts',
  };
  const started: Partial<Record<TargetName, BenchProcess>> = {};
  for (const [name, file] of Object.entries(files) as [TargetName, string][]) {
    if (!wanted.has(name)) continue;
    started[name] = await spawnNode(name, file, {
      env: { ...peerEnv, BENCH_PORT: String(await freePort()), BENCH_DATA: dataFile },
    });
  }
  return started;
}
