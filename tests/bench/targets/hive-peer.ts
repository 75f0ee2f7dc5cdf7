/**
 * H: Hive Gateway (@graphql-hive/gateway-runtime) with its defaults, the same supergraph, the
 * trusted documents of schema/operations as its persisted documents (arbitrary documents still
 * allowed, as our edge allows them), and the caller's identity signed into each subgraph call
 * through its documented header hook (propagateHeaders.fromClientToSubgraphs, ./identity.ts).
 * Run as its own process by the bench, with the same variables as ./apollo-peer.ts and
 * BENCH_MANIFEST (the persisted query manifest).
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Identity } from '@traveloure/platform';
import { IDENTITY_HEADER, peerFromEnv } from './identity.ts';

const { peer, supergraphSdl: supergraph } = peerFromEnv();
const manifest = JSON.parse(readFileSync(process.env.BENCH_MANIFEST!, 'utf8')) as {
  operations: { id: string; body: string }[];
};
const documents = new Map(manifest.operations.map((operation) => [operation.id, operation.body]));
// One identity per client request, shared by the subgraph calls its plan makes.
const identities = new WeakMap<Request, Promise<Identity>>();

// Loaded by a name the type checker does not follow: graphql-yoga's types augment graphql's
// GraphQLErrorExtensions for the whole program, which would retype the edge's own errors.
const hiveRuntime = '@graphql-hive/gateway-runtime';
const { createGatewayRuntime } = (await import(hiveRuntime)) as {
  createGatewayRuntime(config: {
    supergraph: string;
    persistedDocuments: {
      getPersistedOperation(id: string): string | null;
      allowArbitraryDocuments: boolean;
    };
    propagateHeaders: {
      fromClientToSubgraphs(payload: {
        request: Request;
        subgraphName: string;
      }): Promise<Record<string, string>>;
    };
  }): http.RequestListener;
};

const gateway = createGatewayRuntime({
  supergraph,
  persistedDocuments: {
    getPersistedOperation: (id) => documents.get(id) ?? null,
    allowArbitraryDocuments: true,
  },
  propagateHeaders: {
    async fromClientToSubgraphs({ request, subgraphName }) {
      let identity = identities.get(request);
      if (!identity)
        identities.set(request, (identity = peer.identify(request.headers.get('authorization'))));
      return { [IDENTITY_HEADER]: await peer.header(await identity, subgraphName) };
    },
  },
});
const server = http.createServer(gateway);
server.listen(Number(process.env.BENCH_PORT ?? 0), '127.0.0.1', () => {
  console.log(`listening on http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`);
});
