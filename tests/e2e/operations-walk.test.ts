/**
 * Every operation we ship or show runs at the gateway's default limits: the trusted documents of
 * schema/operations and the GraphQL operations in the code blocks of README.md and docs/*.md
 * (```graphql blocks, gql`...` in code, and the "query" of JSON bodies such as curl's -d). Each
 * is parsed and validated against the running gateway's public schema with the default limits,
 * then sent to the real gateway over the real subgraphs as the caller its root fields call for
 * (a traveler for `me` and trips, an analyst for analytics, anyone for the catalog).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  buildSchema,
  Kind,
  parse,
  type DocumentNode,
  type FragmentDefinitionNode,
  type OperationDefinitionNode,
} from 'graphql';
import {
  keyForbiddenRootFields,
  rootFields,
  scopeOfRootField,
  userOnlyRootFields,
} from '@traveloure/gateway/edge/index';
import { buildManifest } from '../../scripts/build-persisted-operations.ts';
import { checkAtDefaultLimits } from './default-limits.ts';
import { startTestSupergraph, type TestSupergraph } from './support.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));

interface WalkedOperation {
  /** Where it was found: file and line. */
  source: string;
  text: string;
}

/** Fenced code blocks of a markdown file, with their info string and first line number. */
function codeBlocks(path: string) {
  const blocks: { info: string; line: number; body: string }[] = [];
  const lines = readFileSync(path, 'utf8').split('\n');
  let open: { info: string; line: number; body: string[] } | undefined;
  lines.forEach((line, index) => {
    const fence = /^\s*```(.*)$/.exec(line);
    if (fence && !open) open = { info: fence[1]!.trim(), line: index + 2, body: [] };
    else if (fence && open) {
      blocks.push({ info: open.info, line: open.line, body: open.body.join('\n') });
      open = undefined;
    } else open?.body.push(line);
  });
  return blocks;
}

/** The GraphQL operations in the docs' code blocks, wherever in the block they are written. */
function docOperations(): WalkedOperation[] {
  const files = [
    join(root, 'README.md'),
    ...readdirSync(join(root, 'docs'))
      .filter((name) => name.endsWith('.md'))
      .map((name) => join(root, 'docs', name)),
  ];
  const found: WalkedOperation[] = [];
  for (const file of files) {
    for (const block of codeBlocks(file)) {
      const source = (offset: number) =>
        `${relative(root, file)}:${block.line + block.body.slice(0, offset).split('\n').length - 1}`;
      if (block.info === 'graphql' || block.info === 'gql') {
        found.push({ source: source(0), text: block.body });
        continue;
      }
      // gql`...` and graphql`...` tagged templates (the client examples).
      for (const match of block.body.matchAll(/\b(?:gql|graphql)\s*`([^`]*)`/g)) {
        found.push({ source: source(match.index), text: match[1]! });
      }
      // "query": "..." in a JSON body (curl -d '{"query":"..."}'): a JSON string literal.
      for (const match of block.body.matchAll(/"query"\s*:\s*("(?:[^"\\]|\\.)*")/g)) {
        found.push({ source: source(match.index), text: JSON.parse(match[1]!) as string });
      }
    }
  }
  return found;
}

function manifestOperations(): WalkedOperation[] {
  return buildManifest().operations.map((operation) => ({
    source: `schema/operations: ${operation.name}`,
    text: operation.body,
  }));
}

const walked = [...manifestOperations(), ...docOperations()];

type Caller = 'anonymous' | 'TRAVELER' | 'ANALYST' | 'ADMIN';

/** Who may run an operation: the most privileged its root fields call for. */
function callerOf(operation: OperationDefinitionNode, document: DocumentNode): Caller {
  const fragments: Record<string, FragmentDefinitionNode> = {};
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments[definition.name.value] = definition;
  }
  const names = rootFields(operation, fragments).map((field) => field.name.value);
  if (names.some((name) => keyForbiddenRootFields.has(name) || name.startsWith('__'))) return 'ADMIN';
  if (names.some((name) => scopeOfRootField[name] === 'analytics')) return 'ANALYST';
  if (names.some((name) => userOnlyRootFields.has(name))) return 'TRAVELER';
  return 'anonymous';
}

/** Codes that mean the gateway refused the operation itself, not that a field had no answer. */
const refusals = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'OPERATION_LIMIT_EXCEEDED',
  'OPERATION_RESOLUTION_FAILURE',
  'BAD_USER_INPUT',
  'BAD_REQUEST',
  'FORBIDDEN',
  'UNAUTHENTICATED',
  'RATE_LIMITED',
]);

let supergraph: TestSupergraph;
let tokens: Record<Exclude<Caller, 'anonymous'>, string>;

beforeAll(async () => {
  supergraph = await startTestSupergraph('operations_walk', {
    services: ['trip', 'ai', 'search', 'notification'],
  });
  tokens = {
    TRAVELER: await supergraph.token('TRAVELER', 'walk-traveler'),
    ANALYST: await supergraph.token('ANALYST', 'walk-analyst'),
    ADMIN: await supergraph.token('ADMIN', 'walk-admin'),
  };
  // A trip, so trip-reading operations have something to nest into.
  await supergraph.createTrip(tokens.TRAVELER, {
    title: 'Walk through Paris',
    destinationCode: 'PAR',
    startDate: '2027-04-10',
    endDate: '2027-04-12',
    travelers: 1,
    budget: 'MIDRANGE',
    pace: 'MODERATE',
  });
});
afterAll(async () => {
  await supergraph?.close();
});

describe('every operation we ship or show', () => {
  it('finds the operations of schema/operations and of the docs', () => {
    const names = walked.flatMap((operation) =>
      [...operation.text.matchAll(/\b(?:query|mutation)\s+(\w+)/g)].map((match) => match[1]),
    );
    expect(names).toEqual(
      expect.arrayContaining(['MyTrips', 'Destinations', 'DestinationPopularity', 'MyTripPlans']),
    );
    // The README's and partners.md's curl bodies.
    expect(walked.filter((operation) => operation.source.startsWith('README.md')).length).toBeGreaterThan(1);
    expect(walked.filter((operation) => operation.source.startsWith('docs/')).length).toBeGreaterThan(4);
  });

  it('parses and validates each against the gateway’s schema at the default limits', async () => {
    const sdl = await (await fetch(supergraph.gatewayUrl.replace(/\/graphql$/, '/schema.graphql'))).text();
    const schema = buildSchema(sdl);
    for (const operation of walked) {
      expect(checkAtDefaultLimits(schema, operation.text).errors, operation.source).toEqual([]);
    }
  });

  it('runs each as the caller it is for, with nothing refused', async () => {
    const ran: string[] = [];
    const checked: string[] = [];
    for (const { source, text } of walked) {
      const document = parse(text);
      for (const operation of document.definitions) {
        if (operation.kind !== Kind.OPERATION_DEFINITION) continue;
        const caller = callerOf(operation, document);
        const required = (operation.variableDefinitions ?? []).filter(
          (variable) => variable.type.kind === Kind.NON_NULL_TYPE && !variable.defaultValue,
        );
        const response = await fetch(supergraph.gatewayUrl, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            accept: 'application/graphql-response+json',
            ...(caller === 'anonymous' ? {} : { authorization: `Bearer ${tokens[caller]}` }),
          },
          body: JSON.stringify({ query: text, operationName: operation.name?.value }),
        });
        const result = { status: response.status, body: (await response.json()) as any };
        const label = `${source} ${operation.name?.value ?? '(anonymous)'} as ${caller}`;
        if (required.length) {
          // Variables the docs leave to the reader: without them the gateway still parses,
          // validates and checks limits (which pass), then stops at the missing variable.
          expect(
            result.body.errors?.map((error: any) => error.extensions?.code),
            label,
          ).toEqual(required.map(() => 'BAD_USER_INPUT'));
          checked.push(label);
          continue;
        }
        expect(result.status, `${label}: ${JSON.stringify(result.body)}`).toBe(200);
        const refused = (result.body.errors ?? []).filter((error: any) =>
          refusals.has(error.extensions?.code),
        );
        expect(refused, label).toEqual([]);
        expect(result.body.data, label).toBeTruthy();
        ran.push(label);
      }
    }
    expect(ran.length + checked.length).toBeGreaterThanOrEqual(walked.length);
    expect(ran.length).toBeGreaterThan(checked.length);
  });
});

describe('the depth limit over the real schema', () => {
  const ask = (query: string) =>
    supergraph.graphql(query, undefined, {
      token: tokens.TRAVELER,
      headers: { accept: 'application/graphql-response+json' },
    });

  it('lets a connection’s edges and node through, and refuses an owner/trips cycle', async () => {
    const natural = await ask(
      '{ me { trips { edges { node { itinerarySuggestion { days { date } } } } } } }',
    );
    expect(natural.status, JSON.stringify(natural.body)).toBe(200);
    expect(natural.body.errors).toBeUndefined();
    expect(natural.body.data.me.trips.edges[0].node.itinerarySuggestion.days.length).toBeGreaterThan(0);

    const cycle = await ask(
      '{ me { trips { edges { node { owner { trips { edges { node { owner { trips { totalCount } } } } } } } } } } }',
    );
    expect(cycle.status).toBe(400);
    expect(cycle.body.errors?.[0]?.extensions).toMatchObject({
      code: 'OPERATION_LIMIT_EXCEEDED',
      limit: 'depth',
      requestId: expect.any(String),
    });
    expect(cycle.body.errors?.[0]?.message).toBe('Query depth limit of 6 exceeded, found 7.');
  });
});
