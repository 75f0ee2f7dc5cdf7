/**
 * The gateway's own tests: a probe subgraph (the platform's subgraph server with test defaults)
 * and a gateway in front of subgraphs composed on the spot, so a test writes only its schema,
 * resolvers and settings.
 */
import { composeServices } from '@apollo/composition';
import type { DocumentNode } from 'graphql';
import { createLogger, createSubgraphServer, Health, type RunningServer } from '@traveloure/platform';
import { testSigningSecret } from '@traveloure/platform/testing';
import { loadGatewayConfig } from './config.ts';
import { createGateway, type RunningGateway } from './server.ts';

/** A subgraph named `probe` on a free loopback port, accepting the gateway's signed calls. */
export async function startProbeSubgraph(typeDefs: DocumentNode, resolvers: object): Promise<RunningServer> {
  const server = await createSubgraphServer({
    name: 'probe',
    typeDefs,
    resolvers: resolvers as any,
    logger: createLogger('probe', { level: 'silent' }),
    health: new Health('test'),
    signingSecret: testSigningSecret,
    createContext: () => ({}),
  });
  return server.listen(0, '127.0.0.1');
}

/** The gateway, with `env` as its settings, over the given subgraphs composed into a supergraph. */
export async function startGatewayOver(
  subgraphs: { name: string; url: string; typeDefs: DocumentNode }[],
  env: Record<string, string>,
): Promise<RunningGateway> {
  const composed = composeServices(subgraphs);
  if (composed.errors) throw composed.errors[0];
  const created = await createGateway({
    config: loadGatewayConfig(env),
    logger: createLogger('gateway', { level: 'silent' }),
    supergraphSdl: composed.supergraphSdl,
  });
  return created.listen(0, '127.0.0.1');
}
