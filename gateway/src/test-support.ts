/**
 * The gateway's own tests: a probe subgraph (the platform's subgraph server with test defaults)
 * and a gateway in front of subgraphs composed on the spot, so a test writes only its schema,
 * resolvers and settings.
 */
import { composeServices } from '@apollo/composition';
import type { Request } from 'express';
import type { DocumentNode } from 'graphql';
import { createLogger, createSubgraphServer, Health, type RunningServer } from '@traveloure/platform';
import { testSigningSecret } from '@traveloure/platform/testing';
import { loadGatewayConfig } from './config.ts';
import { createGateway, type RunningGateway } from './server.ts';

/**
 * The settings every gateway under test starts from: the subgraphs' signing secret, a JWT secret,
 * no logs, and its database of partner keys in memory, apart from every other test's.
 */
export const gatewayTestEnv = {
  GATEWAY_SIGNING_SECRET: testSigningSecret,
  JWT_SECRET: 'gateway-test-jwt-secret-0123456789abcdef',
  LOG_LEVEL: 'silent',
  PGLITE_DATA_DIR: 'memory://',
};

export interface ProbeSubgraphOptions {
  /** The subgraph's name, as the gateway signs for it and reports it (`probe` by default). */
  name?: string;
  /** Sees each request the subgraph accepted, such as the identity header the gateway signed. */
  onRequest?: (req: Request) => void;
}

/** A subgraph on a free loopback port, accepting the gateway's signed calls. */
export async function startProbeSubgraph(
  typeDefs: DocumentNode,
  resolvers: object,
  { name = 'probe', onRequest }: ProbeSubgraphOptions = {},
): Promise<RunningServer> {
  const server = await createSubgraphServer({
    name,
    typeDefs,
    resolvers: resolvers as any,
    logger: createLogger(name, { level: 'silent' }),
    health: new Health('test'),
    signingSecret: testSigningSecret,
    createContext: ({ req }) => {
      onRequest?.(req);
      return {};
    },
  });
  return server.listen(0, '127.0.0.1');
}

/**
 * The gateway with `env` as its settings, on a free loopback port; over `supergraphSdl`, else the
 * supergraph its settings name (SUPERGRAPH_PATH, followed as it changes).
 */
export async function startGateway(
  env: Record<string, string>,
  supergraphSdl?: string,
): Promise<RunningGateway> {
  const created = await createGateway({
    config: loadGatewayConfig(env),
    logger: createLogger('gateway', { level: 'silent' }),
    supergraphSdl,
  });
  return created.listen(0, '127.0.0.1');
}

/** Composes the subgraphs into a supergraph, throwing the first composition error. */
export function composeSupergraph(
  subgraphs: { name: string; url: string; typeDefs: DocumentNode }[],
): string {
  const composed = composeServices(subgraphs);
  if (composed.errors) throw composed.errors[0];
  return composed.supergraphSdl;
}

/** The gateway, with `env` as its settings, over the given subgraphs composed into a supergraph. */
export async function startGatewayOver(
  subgraphs: { name: string; url: string; typeDefs: DocumentNode }[],
  env: Record<string, string>,
): Promise<RunningGateway> {
  return startGateway(env, composeSupergraph(subgraphs));
}
