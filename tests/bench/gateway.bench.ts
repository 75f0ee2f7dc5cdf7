/**
 * Gateway overhead and cross-subgraph cost, side by side in one run:
 *   1. destinations(first: 20) straight to the trip subgraph (signed, as the gateway would call it)
 *   2. the same query through the gateway
 *   3. a cross-subgraph query through the gateway (trips with owner, destination and items)
 * Reported as throughput ratios against (1). Needs the local PostgreSQL and redis-server.
 */
import { signedHeaders } from '@traveloure/platform/testing';
import { startTestSupergraph } from '../e2e/support.ts';
import { measurePost, printComparison } from './report.ts';

const durationSeconds = Number(process.env.BENCH_DURATION ?? 8);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 20);

const measure = (name: string, url: string, headers: Record<string, string>, query: string) =>
  measurePost(name, url, headers, { query }, { connections, duration: durationSeconds });

// The edge's per-identity rate limits would otherwise cap what is measured.
const supergraph = await startTestSupergraph('bench_gateway', {
  services: ['trip'],
  env: { RATE_LIMIT_USER: '10000000', RATE_LIMIT_ANONYMOUS: '10000000' },
});
try {
  const userId = 'bench-user';
  const token = await supergraph.token('TRAVELER', userId);
  for (let index = 0; index < 20; index++) {
    const tripId = await supergraph.createTrip(token, {
      title: `Bench trip ${index}`,
      destinationCode: ['PAR', 'LON', 'NYC', 'TYO'][index % 4],
      startDate: '2030-05-01',
      endDate: '2030-05-05',
      travelers: 2,
      budget: 'MIDRANGE',
      pace: 'MODERATE',
    });
    await supergraph.graphql(
      `mutation($tripId: ID!) { addItineraryItem(tripId: $tripId, input: { kind: ACTIVITY, title: "Museum", startTime: "2030-05-02T10:00:00Z", endTime: "2030-05-02T12:00:00Z" }) { userErrors { message } } }`,
      { tripId },
      { token },
    );
  }
  const destinations = '{ destinations(first: 20) { code name country } }';
  const tripUrl = supergraph.services.trip!.url;
  // The identity token is valid for 60 s; one signed per run is plenty for an 8 s measurement.
  const direct = await measure(
    'trip subgraph direct',
    tripUrl,
    await signedHeaders('trip', { id: userId }),
    destinations,
  );
  const viaGateway = await measure('through the gateway', supergraph.gatewayUrl, {}, destinations);
  const crossSubgraph = await measure(
    'gateway, trips with owner/destination/items',
    supergraph.gatewayUrl,
    { authorization: `Bearer ${token}` },
    '{ trips(first: 20) { edges { node { title owner { name } destination { name } items { title } } } } }',
  );
  printComparison(`${connections} connections, ${durationSeconds}s each`, direct, [
    viaGateway,
    crossSubgraph,
  ]);
} finally {
  await supergraph.close();
}
