import express from 'express';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildASTSchema, Kind, parse, type ObjectTypeDefinitionNode } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requestIdMiddleware } from '@traveloure/platform';
import { curlCommand, shellQuote } from '../../explorer/src/curl.ts';
import { audienceOf, explorerOperations, explorerRouter } from './explorer.ts';
import { explorerApiRouter } from './explorer-api.ts';
import { sha256, TrustedDocuments, type PersistedOperation } from './persisted.ts';

describe('explorer routes', () => {
  let server: import('node:http').Server;
  let base: string;
  beforeAll(async () => {
    const app = express();
    app.use(requestIdMiddleware());
    app.use(
      explorerRouter({
        enabled: true,
        documents: { byName: new Map() } as any,
        schemaSdl: () => undefined,
      }),
    );
    server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  it('answers a write to an explorer asset with a coded 405 and the request id, not an empty body', async () => {
    for (const method of ['POST', 'PUT', 'DELETE']) {
      const response = await fetch(`${base}/explorer/anything`, {
        method,
        headers: { 'x-request-id': 'explorer-write-1' },
      });
      expect(response.status).toBe(405);
      expect(response.headers.get('allow')).toBe('GET, HEAD');
      expect(await response.json()).toEqual({
        errors: [
          {
            message: 'The explorer is read with GET.',
            extensions: { code: 'BAD_REQUEST', requestId: 'explorer-write-1' },
          },
        ],
      });
    }
  });
});

describe('what the explorer lists and shows', () => {
  const operation = (name: string, body: string): PersistedOperation => ({
    name,
    body,
    type: 'query',
    id: sha256(body),
  });

  it('says who can run an operation from its root fields, fragments followed', () => {
    expect(audienceOf(operation('A', '{ destinations { code } searchFlights(input: {}) { id } }'))).toBe(
      'anyone',
    );
    expect(audienceOf(operation('B', '{ destinations { code } me { id } }'))).toBe('user');
    expect(
      audienceOf(
        operation('C', 'query C { ...F } fragment F on Query { destinationPopularity { tripCount } }'),
      ),
    ).toBe('analyst');
    expect(audienceOf(operation('D', 'mutation { broadcastEmergencyAlert(input: {}) { recipients } }'))).toBe(
      'admin',
    );
    // A field placed nowhere is not promised to anyone.
    expect(audienceOf(operation('E', '{ somethingNew }'))).toBe('user');
  });

  it('lists the operations anyone can run first, analysts’ ones with their CSV export', () => {
    const documents = new TrustedDocuments({
      format: 'apollo-persisted-query-manifest',
      version: 1,
      operations: [
        operation('Popularity', 'query Popularity { destinationPopularity { tripCount } }'),
        operation('Mine', 'query Mine { me { id } }'),
        operation('Cities', 'query Cities { destinations { code } }'),
      ],
    });
    const listed = explorerOperations(documents);
    expect(listed.map((entry) => [entry.name, entry.audience, entry.csvUrl])).toEqual([
      ['Cities', 'anyone', undefined],
      ['Mine', 'user', undefined],
      ['Popularity', 'analyst', '/analytics/Popularity?format=csv'],
    ]);
    expect(listed[0]!.id).toBe(sha256('query Cities { destinations { code } }'));
  });

  it('quotes a curl command so the shell passes every character through', () => {
    expect(shellQuote(`it's "fine" $HOME \\n`)).toBe(`'it'\\''s "fine" $HOME \\n'`);
    const command = curlCommand({
      url: 'http://localhost:4000/graphql',
      headers: { 'x-api-key': 'tvl_abc' },
      body: {
        query: '{ destinations(search: "l\'île") { code } }',
        variables: { first: 1 },
        operationName: null,
      },
    });
    expect(command.split(' \\\n')).toEqual([
      `curl 'http://localhost:4000/graphql'`,
      `  -H 'content-type: application/json'`,
      `  -H 'x-api-key: tvl_abc'`,
      `  --data-raw '{"query":"{ destinations(search: \\"l'\\''île\\") { code } }","variables":{"first":1}}'`,
    ]);
  });
});

describe('the root types the docs open on', () => {
  const root = fileURLToPath(new URL('../../../', import.meta.url));
  const subgraphs = readdirSync(join(root, 'subgraphs')).filter((name) =>
    existsSync(join(root, 'subgraphs', name, 'src/schema.graphql')),
  );

  it('describe the whole API in the supergraph, not one subgraph', () => {
    const schema = buildASTSchema(parse(readFileSync(join(root, 'schema/supergraph.graphql'), 'utf8')), {
      assumeValidSDL: true,
    });
    for (const type of [schema.getQueryType(), schema.getMutationType()]) {
      expect(type?.description, type?.name).toBeTruthy();
      expect(type!.description).not.toMatch(/subgraph/i);
    }
  });

  it('carry the same description in every subgraph, so composition has one to keep', () => {
    for (const rootType of ['Query', 'Mutation']) {
      const descriptions = new Set<string | undefined>();
      for (const name of subgraphs) {
        const document = parse(readFileSync(join(root, 'subgraphs', name, 'src/schema.graphql'), 'utf8'));
        const definition = document.definitions.find(
          (node): node is ObjectTypeDefinitionNode =>
            node.kind === Kind.OBJECT_TYPE_DEFINITION && node.name.value === rootType,
        );
        if (definition) descriptions.add(definition.description?.value);
      }
      expect([...descriptions], rootType).toHaveLength(1);
      expect([...descriptions][0]).toBeTruthy();
    }
  });
});

describe('query plans over the composed supergraph', () => {
  let server: import('node:http').Server;
  let base: string;
  beforeAll(async () => {
    const root = fileURLToPath(new URL('../../../', import.meta.url));
    const supergraphSdl = readFileSync(join(root, 'schema/supergraph.graphql'), 'utf8');
    const app = express();
    app.use(requestIdMiddleware());
    const pass: express.RequestHandler = (req, res, next) => {
      res.locals.identity = { requestId: req.requestId };
      next();
    };
    app.use(
      explorerApiRouter({
        config: { NODE_ENV: 'development', JWT_SECRET: 'x'.repeat(32), JWT_ISSUER: 'i', JWT_AUDIENCE: 'a' },
        supergraphSdl: () => supergraphSdl,
        authenticate: pass,
        rateLimit: pass,
        jsonBody: express.json(),
      }),
    );
    server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  it('shows every subgraph a cross-subgraph query reaches, in the order the plan does', async () => {
    const query = `query Trip {
      trip(id: "t1") {
        title
        itinerarySuggestion { id }
        flightOffers(origin: "NYC") { offers { id } }
        owner { unreadNotificationCount }
      }
    }`;
    const response = await fetch(`${base}/explorer/plan`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query }),
    });
    expect(response.status).toBe(200);
    const answer = (await response.json()) as { subgraphs: string[]; plan: string };
    expect(answer.subgraphs[0]).toBe('trip');
    expect([...answer.subgraphs].sort()).toEqual(['ai', 'notification', 'search', 'trip']);
    expect(answer.plan).toMatch(/Flatten\(path: "trip"\)/);
  });
});
