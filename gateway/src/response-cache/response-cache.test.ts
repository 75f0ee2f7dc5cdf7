import { describe, expect, it } from 'vitest';
import { HeaderMap } from '@apollo/server';
import { composeServices } from '@apollo/composition';
import { buildSchema, parse, type OperationDefinitionNode } from 'graphql';
import { gql } from 'graphql-tag';
import { entityKeyFieldsOf, entityTagsOf } from './entity-tags.ts';
import { responseCachePlugin } from './http.ts';
import { ResponseStore } from './store.ts';

const schema = buildSchema(/* GraphQL */ `
  interface Node {
    id: ID!
  }
  type Trip implements Node {
    id: ID!
    title: String!
    destination: Destination!
  }
  type Destination {
    code: ID!
    name: String!
  }
  type Page {
    total: Int!
  }
  union Found = Trip | Destination
  type Query {
    trips: [Trip!]!
    destinations: [Destination!]!
    node(id: ID!): Node
    find: [Found!]!
    page: Page
  }
  type Mutation {
    touch: Trip
  }
`);
const keyFields = new Map([['Destination', 'code']]);

function tagsOf(query: string, data: Record<string, unknown>) {
  const document = parse(query);
  const operation = document.definitions.find(
    (node): node is OperationDefinitionNode => node.kind === 'OperationDefinition',
  )!;
  return entityTagsOf({ schema, document, operation, data, keyFields }).sort();
}

describe('entity tags', () => {
  it('tags every entity by its key, under aliases and through fragments', () => {
    expect(
      tagsOf('{ trips { ref: id destination { ...D } } page { total } } fragment D on Destination { code }', {
        trips: [{ ref: '7', destination: { code: 'PAR' } }],
        page: { total: 1 },
      }),
    ).toEqual(['destination:PAR', 'trip:7']);
  });

  it('tags a whole type when an object came back without its key', () => {
    expect(tagsOf('{ trips { title } }', { trips: [{ title: 'a' }] })).toEqual(['trip:*']);
  });

  it('follows __typename on abstract types, and tags every possible type without it', () => {
    expect(
      tagsOf('{ find { __typename ... on Trip { id } ... on Destination { code } } }', {
        find: [
          { __typename: 'Trip', id: '1' },
          { __typename: 'Destination', code: 'LON' },
        ],
      }),
    ).toEqual(['destination:LON', 'trip:1']);
    expect(tagsOf('{ node(id: "1") { id } }', { node: { id: '1' } })).toEqual(['trip:*']);
  });

  it('collapses to type-wide tags past the limit', () => {
    const document = parse('{ trips { id } }');
    const data = { trips: Array.from({ length: 20 }, (_, index) => ({ id: String(index) })) };
    expect(
      entityTagsOf({
        schema,
        document,
        operation: document.definitions[0] as OperationDefinitionNode,
        data,
        keyFields,
        maxTags: 5,
      }),
    ).toEqual(['trip:*']);
  });

  it('reads single-field entity keys from the supergraph', () => {
    const composed = composeServices([
      {
        name: 'one',
        url: 'http://one/graphql',
        typeDefs: gql`
          extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
          type Destination @key(fields: "code") {
            code: ID!
          }
          type Pair @key(fields: "a b") {
            a: ID!
            b: ID!
          }
          type Query {
            destination: Destination
            pair: Pair
          }
        `,
      },
    ]);
    expect(composed.errors).toBeUndefined();
    expect([...entityKeyFieldsOf(composed.supergraphSdl!)]).toEqual([['Destination', 'code']]);
  });
});

const entry = (tags: string[], body = '{"data":{}}') => ({
  body,
  storedAt: Date.now(),
  extraPoints: 0,
  tags,
});

describe('response store', () => {
  const limits = { maxEntries: 100, maxBytes: 10_000, maxEntryBytes: 1_000 };

  it('drops exactly the entries holding an invalidated entity, or its whole type', () => {
    const store = new ResponseStore(limits);
    store.set('paris', entry(['destination:PAR']), 60, store.generation);
    store.set('london', entry(['destination:LON']), 60, store.generation);
    store.set('some-trip', entry(['trip:*']), 60, store.generation);
    expect(store.invalidate(['destination:PAR', 'trip:9'])).toBe(2);
    expect(store.get('paris')).toBeUndefined();
    expect(store.get('some-trip')).toBeUndefined();
    expect(store.get('london')).toBeDefined();
    expect(store.invalidate(['destination:*'])).toBe(1);
    expect(store.size).toBe(0);
  });

  it('does not store what an execution read before an invalidation', () => {
    const store = new ResponseStore(limits);
    const generation = store.generation;
    store.invalidate(['destination:PAR']);
    expect(store.set('paris', entry(['destination:PAR']), 60, generation)).toBe(false);
    expect(store.set('paris', entry(['destination:PAR']), 60, store.generation)).toBe(true);
  });

  it('keeps nothing over the entry size, or with no time to live', () => {
    const store = new ResponseStore(limits);
    expect(store.set('big', entry([], 'x'.repeat(2_000)), 60, store.generation)).toBe(false);
    expect(store.set('now', entry([]), 0, store.generation)).toBe(false);
    expect(store.size).toBe(0);
  });

  it('forgets the tags of evicted entries', () => {
    const store = new ResponseStore({ ...limits, maxEntries: 1 });
    store.set('first', entry(['destination:PAR']), 60, store.generation);
    store.set('second', entry(['destination:LON']), 60, store.generation);
    expect(store.get('first')).toBeUndefined();
    expect(store.invalidate(['destination:PAR'])).toBe(0);
  });
});

describe('response cache plugin', () => {
  const plugin = responseCachePlugin({
    maxTtlSeconds: 300,
    privateEntries: true,
    keyFields: () => keyFields,
  });

  async function decide(options: {
    query: string;
    errors?: unknown[];
    scope?: 'PUBLIC' | 'PRIVATE';
    maxAge?: number;
    user?: boolean;
  }) {
    const document = parse(options.query);
    const operation = document.definitions[0] as OperationDefinitionNode;
    const headers = new HeaderMap();
    const listener = await plugin.requestDidStart!({ request: { http: { method: 'GET' } } } as never);
    await listener!.willSendResponse!({
      response: {
        http: { headers, status: undefined },
        body: {
          kind: 'single',
          singleResult: {
            data: { trips: [{ id: '1' }] },
            ...(options.errors ? { errors: options.errors } : {}),
          },
        },
      },
      operation,
      document,
      schema,
      contextValue: {
        identity: { requestId: 'r', ...(options.user ? { user: { id: 'u', roles: [] } } : {}) },
      },
      overallCachePolicy: {
        policyIfCacheable: () =>
          (options.maxAge ?? 60) > 0
            ? { maxAge: options.maxAge ?? 60, scope: options.scope ?? 'PUBLIC' }
            : null,
      },
    } as never);
    const raw = headers.get('x-traveloure-response-cache');
    return raw ? JSON.parse(Buffer.from(raw, 'base64url').toString()) : undefined;
  }

  it('marks a public answer for anonymous callers with its tags and capped time', async () => {
    expect(await decide({ query: '{ trips { id } }', maxAge: 3_600 })).toEqual({
      ttlSeconds: 300,
      extraPoints: 0,
      tags: ['trip:1'],
    });
  });

  it('never marks answers with errors, mutations, maxAge 0 or a scope that does not fit the caller', async () => {
    expect(await decide({ query: '{ trips { id } }', errors: [{ message: 'partial' }] })).toBeUndefined();
    expect(await decide({ query: 'mutation { touch { id } }' })).toBeUndefined();
    expect(await decide({ query: '{ trips { id } }', maxAge: 0 })).toBeUndefined();
    expect(await decide({ query: '{ trips { id } }', scope: 'PRIVATE' })).toBeUndefined();
    expect(await decide({ query: '{ trips { id } }', scope: 'PUBLIC', user: true })).toBeUndefined();
    expect(await decide({ query: '{ trips { id } }', scope: 'PRIVATE', user: true })).toMatchObject({
      ttlSeconds: 60,
    });
  });
});
