/**
 * What the edge costs per request, side by side in one run, over a subgraph that does no I/O
 * (tests/e2e/edge-fixture.ts), so the gateway's own work dominates:
 *   1. anonymous, free-form query (baseline)
 *   2. the same with a user token (JWT verification)
 *   3. the same with a partner key (verified key cached in process)
 *   4. the same with a partner key and no cache (one PostgreSQL lookup per request)
 *   5. the same operation by manifest id (persisted query)
 * Reported as throughput ratios against (1). Needs the local PostgreSQL and redis-server.
 */
import { createApiKey, sha256 } from '@traveloure/gateway/edge/index';
import { gatewayDb, startEdge, trustedOperations } from '../e2e/edge-fixture.ts';
import { measurePost, printComparison } from './report.ts';

const durationSeconds = Number(process.env.BENCH_DURATION ?? 8);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 20);
const unlimited = { RATE_LIMIT_ANONYMOUS: '100000000', RATE_LIMIT_USER: '100000000' };

const measure = (name: string, url: string, headers: Record<string, string>, body: object) =>
  measurePost(name, url, headers, body, { connections, duration: durationSeconds });

const cached = await startEdge('bench_edge', unlimited);
const uncached = await startEdge('bench_edge_nocache', { ...unlimited, API_KEY_CACHE_TTL_MS: '0' });
try {
  const keyFor = async (url: string) => {
    const db = gatewayDb(url);
    const { key } = await createApiKey(db, { owner: 'Bench', scopes: ['catalog'], rateLimit: 100_000_000 });
    await db.destroy();
    return key;
  };
  const query = { query: trustedOperations.Destinations };
  const token = await cached.token('TRAVELER', 'bench-user');
  // Warm both gateways up (JIT, connection pools, caches) before anything is measured.
  for (const edge of [cached, uncached])
    await measurePost('warm-up', edge.url, {}, query, { connections, duration: 3 });
  const baseline = await measure('anonymous, query text', cached.url, {}, query);
  const others = [
    await measure('user token (JWT)', cached.url, { authorization: `Bearer ${token}` }, query),
    await measure(
      'partner key, cached',
      cached.url,
      { 'x-api-key': await keyFor(cached.database.url) },
      query,
    ),
    await measure(
      'partner key, no cache',
      uncached.url,
      { 'x-api-key': await keyFor(uncached.database.url) },
      query,
    ),
    await measure(
      'anonymous, manifest id',
      cached.url,
      {},
      {
        extensions: { persistedQuery: { version: 1, sha256Hash: sha256(trustedOperations.Destinations) } },
      },
    ),
  ];
  printComparison(`edge overhead (${connections} connections, ${durationSeconds} s each)`, baseline, others);
} finally {
  await cached.close();
  await uncached.close();
}
