import express from 'express';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import type { GraphQLNamedType, GraphQLSchema } from 'graphql';
import { mountLabel, sendGraphQLError, type Logger } from '@traveloure/platform';
import { buildExplorer, explorerDist, explorerIsBuilt, explorerRoot } from '../../explorer/build.ts';
import type { TrustedDocuments } from './persisted.ts';

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

/** GET / (the explorer), its assets and configuration, and GET /schema.graphql. */
export function explorerRouter(options: {
  enabled: boolean;
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
  router.get('/', (_req, res) => {
    res.setHeader('cache-control', 'no-cache');
    res.type('html').send(html);
  });
  router.get('/explorer/config.json', (_req, res) => {
    const examples = [...options.documents.byName.values()]
      .filter((operation) => operation.type === 'query')
      .map((operation) => ({ name: operation.name, body: operation.body }));
    res.json({ endpoint: '/graphql', examples });
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
