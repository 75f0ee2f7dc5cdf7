import express from 'express';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import type { Request } from 'express';
import type {
  FragmentDefinitionNode,
  GraphQLNamedType,
  GraphQLSchema,
  OperationDefinitionNode,
} from 'graphql';
import { mountLabel, sendGraphQLError, type Logger } from '@traveloure/platform';
import { buildExplorer, explorerDist, explorerIsBuilt, explorerRoot } from '../../explorer/build.ts';
import { demoUsers } from './explorer-api.ts';
import type { PersistedOperation, TrustedDocuments } from './persisted.ts';
import { keyForbiddenRootFields, rootFields, scopeOfRootField, userOnlyRootFields } from './scopes.ts';

// The gateway (CommonJS) builds its schema with the CommonJS graphql; print it with the same
// copy, whichever one an ESM loader picked for this module.
const graphql = createRequire(import.meta.url)('graphql') as typeof import('graphql');

let building: Promise<void> | undefined;

/** Builds the explorer bundle once per process when it is missing or older than its sources. */
export function ensureExplorerBuilt(logger: Logger): Promise<void> {
  if (explorerIsBuilt()) return Promise.resolve();
  building ??= (async () => {
    const started = performance.now();
    await buildExplorer();
    logger.info({ ms: Math.round(performance.now() - started) }, 'schema explorer bundled');
  })();
  return building;
}

const federationInternals = /^(join__|link__|federation__|core__)/;

/**
 * The public API schema as SDL: no join__/link__ types or directives, nothing a client cannot
 * query. The gateway's API schema already leaves those out; this filter keeps it that way.
 */
export function publicSchemaSdl(apiSchema: GraphQLSchema): string {
  const config = apiSchema.toConfig();
  const schema = new graphql.GraphQLSchema({
    ...config,
    types: config.types.filter((type: GraphQLNamedType) => !federationInternals.test(type.name)),
    directives: config.directives.filter(
      (directive) =>
        graphql.isSpecifiedDirective(directive) ||
        (!federationInternals.test(directive.name) && directive.name !== 'link'),
    ),
  });
  return graphql.printSchema(schema);
}

export type Audience = 'anyone' | 'user' | 'analyst' | 'admin';

/**
 * Who can run an operation, from its root fields: public reference data and search are open to
 * anyone; analytics fields to analysts; the rest needs a signed-in user (or an admin).
 */
export function audienceOf(operation: PersistedOperation): Audience {
  const document = graphql.parse(operation.body);
  const fragments: Record<string, FragmentDefinitionNode> = {};
  let definition: OperationDefinitionNode | undefined;
  for (const node of document.definitions) {
    if (node.kind === graphql.Kind.FRAGMENT_DEFINITION) fragments[node.name.value] = node;
    else if (node.kind === graphql.Kind.OPERATION_DEFINITION) definition ??= node;
  }
  const audiences = new Set<Audience>();
  for (const field of definition ? rootFields(definition, fragments) : []) {
    const name = field.name.value;
    if (name.startsWith('__')) continue;
    const scope = scopeOfRootField[name];
    if (keyForbiddenRootFields.has(name)) audiences.add('admin');
    else if (scope === 'analytics') audiences.add('analyst');
    else if (scope === 'catalog' || scope === 'search') audiences.add('anyone');
    else if (userOnlyRootFields.has(name) || !scope || scope === 'ai') audiences.add('user');
  }
  for (const strictest of ['admin', 'analyst', 'user'] as const)
    if (audiences.has(strictest)) return strictest;
  return 'anyone';
}

const audienceOrder: Audience[] = ['anyone', 'user', 'analyst', 'admin'];

/** The manifest as the explorer lists it: what anyone can run first, so the first tab works. */
export function explorerOperations(documents: TrustedDocuments) {
  return [...documents.byName.values()]
    .map((operation) => {
      const audience = audienceOf(operation);
      return {
        name: operation.name,
        id: operation.id,
        type: operation.type,
        body: operation.body,
        audience,
        ...(audience === 'analyst' && operation.type === 'query'
          ? { csvUrl: `/analytics/${encodeURIComponent(operation.name)}?format=csv` }
          : {}),
      };
    })
    .sort((a, b) => audienceOrder.indexOf(a.audience) - audienceOrder.indexOf(b.audience));
}

/**
 * A browser opening the GraphQL endpoint itself (a GET that prefers HTML and carries no
 * operation): it gets the explorer rather than an error or a landing page that cannot load.
 */
export function wantsExplorer(req: Request): boolean {
  if (req.method !== 'GET' && req.method !== 'HEAD') return false;
  const params = new URL(req.originalUrl, 'http://gateway').searchParams;
  if (params.has('query') || params.has('extensions')) return false;
  return req.accepts(['application/json', 'application/graphql-response+json', 'text/html']) === 'text/html';
}

/**
 * GET / and GET /graphql from a browser (the explorer), its assets and configuration, and
 * GET /schema.graphql.
 */
export function explorerRouter(options: {
  enabled: boolean;
  /** NODE_ENV is development: the explorer offers the demo users' sign-in. */
  development?: boolean;
  documents: TrustedDocuments;
  schemaSdl: () => string | undefined;
}) {
  const router = express.Router();
  router.get('/schema.graphql', (req, res) => {
    const sdl = options.schemaSdl();
    if (!sdl) return res.status(503).type('text/plain').send('schema not loaded yet');
    res.setHeader('cache-control', 'public, max-age=60');
    res.type('text/plain; charset=utf-8').send(sdl);
  });
  if (!options.enabled) return router;
  const html = readFileSync(join(explorerRoot, 'index.html'), 'utf8');
  const sendExplorer = (_req: Request, res: express.Response) => {
    res.setHeader('cache-control', 'no-cache');
    // The same URL answers JSON to API clients: caches must keep the two apart.
    res.setHeader('vary', 'accept');
    res.type('html').send(html);
  };
  router.get('/', sendExplorer);
  router.get('/graphql', (req, res, next) => (wantsExplorer(req) ? sendExplorer(req, res) : next()));
  const operations = explorerOperations(options.documents);
  router.get('/explorer/config.json', (_req, res) => {
    res.setHeader('cache-control', 'no-cache');
    res.json({
      endpoint: '/graphql',
      development: options.development ?? false,
      planEndpoint: '/explorer/plan',
      ...(options.development ? { signInEndpoint: '/explorer/sign-in' } : {}),
      demoUsers: options.development ? demoUsers : [],
      operations,
    });
  });
  const assets = express.static(explorerDist, { index: false, maxAge: '1h', fallthrough: false });
  router.use('/explorer', mountLabel('/explorer'), (req, res, next) => {
    // The static handler answers other methods with a bare 405; the explorer's assets are read-only.
    if (req.method === 'GET' || req.method === 'HEAD') return assets(req, res, next);
    res.setHeader('allow', 'GET, HEAD');
    sendGraphQLError(res, 405, 'BAD_REQUEST', 'The explorer is read with GET.', req.requestId);
  });
  return router;
}
