/**
 * A: stock @apollo/gateway in @apollo/server 5 with their defaults (standalone server, in-memory
 * APQ, CSRF prevention), the same supergraph, and the one thing the subgraphs insist on: the
 * caller's identity signed into each subgraph call (./identity.ts). Run as its own process by
 * the bench: BENCH_PORT, BENCH_SUPERGRAPH (a file), BENCH_SUBGRAPH_URLS (JSON), JWT_SECRET,
 * GATEWAY_SIGNING_SECRET.
 */
import { ApolloGateway, RemoteGraphQLDataSource } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import type { Identity } from '@traveloure/platform';
import { IDENTITY_HEADER, peerFromEnv } from './identity.ts';

interface Context {
  identity: Identity;
}

const { peer, supergraphSdl } = peerFromEnv();

class SignedSource extends RemoteGraphQLDataSource<Context> {
  constructor(
    private readonly subgraph: string,
    url: string,
  ) {
    super({ url });
  }
  override async willSendRequest({
    request,
    context,
  }: Parameters<RemoteGraphQLDataSource<Context>['willSendRequest'] & {}>[0]) {
    if (context?.identity)
      request.http!.headers.set(IDENTITY_HEADER, await peer.header(context.identity, this.subgraph));
  }
}

const server = new ApolloServer<Context>({
  gateway: new ApolloGateway({
    supergraphSdl,
    buildService: ({ name, url }) => new SignedSource(name, url!),
  }),
});
const { url } = await startStandaloneServer(server, {
  listen: { port: Number(process.env.BENCH_PORT ?? 0), host: '127.0.0.1' },
  context: async ({ req }) => ({ identity: await peer.identify(req.headers.authorization) }),
});
console.log(`listening on ${url}`);
