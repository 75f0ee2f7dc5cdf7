import { describe, expect, it } from 'vitest';
import { buildSchema, parse, validate, type GraphQLSchema } from 'graphql';
import { apiSchema } from '../../../scripts/build-persisted-operations.ts';
import { armorOptions, nestingDepthRule, type OperationLimits } from './operation-limits.ts';

const schema: GraphQLSchema = apiSchema()!;

function depthErrors(query: string, maxDepth = 6) {
  return validate(schema, parse(query), [nestingDepthRule(maxDepth)]).map((error) => ({
    message: error.message,
    limit: error.extensions.limit,
  }));
}

const found = (query: string) => {
  const [error] = depthErrors(query, 0);
  return Number(/found (\d+)/.exec(error?.message ?? '')?.[1] ?? 0);
};

describe('nesting depth', () => {
  it('does not count a connection’s edges and an edge’s node', () => {
    const query = '{ me { trips { edges { node { itinerarySuggestion { days { date } } } } } } }';
    // Seven levels of syntax, five of nesting: me, trips, itinerarySuggestion, days, date.
    expect(found(query)).toBe(5);
    expect(depthErrors(query)).toEqual([]);
  });

  it('counts every other field, leaves included', () => {
    expect(found('{ destinations { code } }')).toBe(2);
    expect(found('{ me { trips { totalCount pageInfo { hasNextPage } } } }')).toBe(4);
    expect(found('{ myConversations { edges { cursor node { id } } } }')).toBe(2);
  });

  it('still refuses owner/trips cycles', () => {
    const cycle =
      '{ me { trips { edges { node { owner { trips { edges { node { owner { trips { totalCount } } } } } } } } } } }';
    expect(found(cycle)).toBe(7);
    expect(depthErrors(cycle)).toEqual([
      { message: 'Query depth limit of 6 exceeded, found 7.', limit: 'depth' },
    ]);
  });

  it('follows fragments and inline fragments without counting them as levels', () => {
    const query = `
      query { me { ...Trips } }
      fragment Trips on User { trips { edges { node { ...Plan } } } }
      fragment Plan on Trip { ... on Trip { itinerarySuggestion { days { date } } } }
    `;
    expect(found(query)).toBe(5);
    const deeper = `
      query { me { ...Trips } }
      fragment Trips on User { trips { edges { node { owner { ...Again } } } } }
      fragment Again on User { trips { edges { node { owner { id } } } } }
    `;
    expect(found(deeper)).toBe(6);
  });

  it('only exempts the Relay shape: edges and node elsewhere count', () => {
    const other = buildSchema(`
      type Query { list: ListConnection! relay: ThingConnection! }
      "Named like a connection, but without pageInfo: not a Relay connection."
      type ListConnection { edges: [ListEdge!]! }
      type ListEdge { node: Thing! cursor: String! }
      type ThingConnection { edges: [ThingEdge!]! pageInfo: PageInfo! }
      "Named like an edge, but without a cursor: not a Relay edge."
      type ThingEdge { node: Thing! }
      type PageInfo { hasNextPage: Boolean! }
      type Thing { name: String! }
    `);
    const depthIn = (query: string) =>
      Number(/found (\d+)/.exec(validate(other, parse(query), [nestingDepthRule(0)])[0]!.message)![1]);
    expect(depthIn('{ list { edges { node { name } } } }')).toBe(3);
    expect(depthIn('{ relay { edges { node { name } } } }')).toBe(3);
  });

  it('is the depth rule armorOptions installs', () => {
    const limits: OperationLimits = {
      maxDepth: 6,
      maxAliases: 15,
      maxDirectives: 50,
      maxTokens: 1000,
      maxCost: 5000,
      maxListSize: 100,
      maxListCost: 10000,
      fieldSuggestions: false,
      introspectionPublic: false,
    };
    const { validationRules } = armorOptions(limits);
    const natural = parse('{ me { trips { edges { node { itinerarySuggestion { days { date } } } } } } }');
    expect(validate(schema, natural, validationRules)).toEqual([]);
    const cycle = parse(
      '{ me { trips { edges { node { owner { trips { edges { node { owner { trips { totalCount } } } } } } } } } } }',
    );
    expect(validate(schema, cycle, validationRules).map((error) => error.extensions.limit)).toEqual([
      'depth',
    ]);
  });
});
