import { describe, expect, it } from 'vitest';
import { buildSchema, parse } from 'graphql';
import { ResponseStore } from './store.ts';
import { parseCacheControl, SubgraphFetchCache } from './subgraph-fetches.ts';

const schema = buildSchema(`
  type Query { trip(id: ID!): Trip }
  type Mutation { renameTrip(id: ID!, title: String!): Trip }
  type Trip { id: ID! title: String! owner: User! }
  type User { id: ID! name: String! }
`);
const keyFields = new Map([
  ['Trip', 'id'],
  ['User', 'id'],
]);

function cacheWith(invalidated: string[][] = []) {
  const store = new ResponseStore({ maxEntries: 100, maxBytes: 1 << 20, maxEntryBytes: 1 << 16 });
  const cache = new SubgraphFetchCache(store, {
    maxTtlSeconds: 60,
    keyFields: () => keyFields,
    writable: () => true,
    invalidateLocally: (tags) => {
      invalidated.push(tags);
      store.invalidate(tags);
    },
  });
  return { store, cache };
}

const query = parse('query { trip(id: "t1") { id title owner { id name } } }');
const data = { trip: { id: 't1', title: 'Lisbon', owner: { id: 'u1', name: 'Ana' } } };
const answer = (cacheControl: string | null) => ({
  text: JSON.stringify({ data }),
  contentType: 'application/json',
  cacheControl,
  data,
});
const request = (caller: string | undefined) => ({ subgraph: 'trip', caller, body: '{"query":"..."}' });

describe('SubgraphFetchCache', () => {
  it('keeps a private answer for its caller only, tagged with the entities it holds', () => {
    const { cache, store } = cacheWith();
    cache.keep(request('ana'), answer('max-age=30, private'), { schema, document: query }, cache.generation);
    expect(cache.lookup(request('ana'))?.tags.sort()).toEqual(['trip:t1', 'user:u1']);
    expect(cache.lookup(request('bob'))).toBeUndefined();
    expect(cache.lookup(request(undefined))).toBeUndefined();
    expect(store.size).toBe(1);
  });

  it('never keeps an anonymous private answer, nor one without max-age, nor after an invalidation began', () => {
    const { cache, store } = cacheWith();
    cache.keep(
      request(undefined),
      answer('max-age=30, private'),
      { schema, document: query },
      cache.generation,
    );
    cache.keep(request('ana'), answer(null), { schema, document: query }, cache.generation);
    cache.keep(request('ana'), answer('max-age=30, no-store'), { schema, document: query }, cache.generation);
    const before = cache.generation;
    store.invalidate(['trip:other']);
    cache.keep(request('ana'), answer('max-age=30, private'), { schema, document: query }, before);
    expect(store.size).toBe(0);
  });

  it('shares a public answer with every caller', () => {
    const { cache } = cacheWith();
    cache.keep(request('ana'), answer('max-age=30, public'), { schema, document: query }, cache.generation);
    expect(cache.lookup(request('bob'))).toBeDefined();
    expect(cache.lookup(request(undefined))).toBeDefined();
  });

  it('drops what a mutation answered with, at once', () => {
    const invalidated: string[][] = [];
    const { cache } = cacheWith(invalidated);
    cache.keep(request('ana'), answer('max-age=30, private'), { schema, document: query }, cache.generation);
    cache.afterMutation(
      { schema, document: parse('mutation { renameTrip(id: "t1", title: "Porto") { id title } }') },
      { renameTrip: { id: 't1', title: 'Porto' } },
    );
    expect(invalidated).toEqual([['trip:t1']]);
    expect(cache.lookup(request('ana'))).toBeUndefined();
  });

  it('tags an _entities answer by its representations', () => {
    const { cache } = cacheWith();
    const document = parse(
      'query ($representations: [_Any!]!) { _entities(representations: $representations) { ... on Trip { title owner { id } } } }',
    );
    const entities = { _entities: [{ title: 'Lisbon', owner: { id: 'u1' } }] };
    cache.keep(
      request('ana'),
      {
        text: JSON.stringify({ data: entities }),
        contentType: 'application/json',
        cacheControl: 'max-age=30, private',
        data: entities,
      },
      { schema, document, variables: { representations: [{ __typename: 'Trip', id: 't1' }] } },
      cache.generation,
    );
    expect(cache.lookup(request('ana'))?.tags.sort()).toEqual(['trip:t1', 'user:u1']);
    // Without the representations, nothing could invalidate it: not kept.
    const { cache: other, store } = cacheWith();
    other.keep(request('ana'), answer('max-age=30, private'), { schema, document }, other.generation);
    expect(store.size).toBe(0);
  });

  it('reads Cache-Control as Apollo Server writes it', () => {
    expect(parseCacheControl('max-age=30, private')).toEqual({ maxAge: 30, scope: 'PRIVATE' });
    expect(parseCacheControl('max-age=3600, public')).toEqual({ maxAge: 3600, scope: 'PUBLIC' });
    expect(parseCacheControl('no-store')).toEqual({ maxAge: 0 });
    expect(parseCacheControl(null)).toEqual({ maxAge: 0 });
  });
});
