/**
 * M: what a subgraph can cost at best. A minimal @apollo/subgraph on @apollo/server's standalone
 * server, answering the bench's trips and destinations shapes from memory (the rows the trip
 * subgraph returned for the same queries, read once from BENCH_DATA): no identity check, no
 * database, no plugins. Run as its own process by the bench (BENCH_PORT, BENCH_DATA).
 */
import { readFileSync } from 'node:fs';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';

const data = JSON.parse(readFileSync(process.env.BENCH_DATA!, 'utf8')) as {
  trips: unknown[];
  destinations: unknown[];
};

const typeDefs = parse(`
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
  type Query {
    trips(first: Int = 20, after: String): TripConnection!
    destinations(search: String, first: Int = 20): [Destination!]!
  }
  type TripConnection { edges: [TripEdge!]! totalCount: Int! }
  type TripEdge { node: Trip! }
  type Trip @key(fields: "id") {
    id: ID!
    title: String!
    owner: User!
    destination: Destination!
    items: [ItineraryItem!]!
  }
  type User @key(fields: "id") { id: ID! name: String! }
  type ItineraryItem { id: ID! title: String! }
  type Destination @key(fields: "code") {
    code: ID!
    name: String!
    country: String!
    region: String!
    timezone: String!
  }
`);

const server = new ApolloServer({
  schema: buildSubgraphSchema({
    typeDefs,
    resolvers: {
      Query: {
        trips: (_: unknown, { first }: { first: number }) => ({
          edges: data.trips.slice(0, first).map((node) => ({ node })),
          totalCount: data.trips.length,
        }),
        destinations: (_: unknown, { first }: { first: number }) => data.destinations.slice(0, first),
      },
    },
  }),
});
const { url } = await startStandaloneServer(server, {
  listen: { port: Number(process.env.BENCH_PORT ?? 0), host: '127.0.0.1' },
});
console.log(`listening on ${url}`);
