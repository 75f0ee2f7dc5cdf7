import type { ApolloServerPlugin } from '@apollo/server';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { createHash } from 'node:crypto';
import { counter, type Identity } from '@traveloure/platform';
import { chargeOrRefuse, extraRootFieldPoints, type EdgeRateLimiter } from '../edge/rate-limit.ts';
import type { GatewayContext } from '../context.ts';
import { entityTagsOf } from './entity-tags.ts';
import type { ResponseStore } from './store.ts';

/**
 * How the plugin (which sees the operation, its cache policy and data) tells the middleware
 * (which sees the bytes Apollo sends) that an answer may be kept. Set on the Apollo response,
 * always removed by the middleware before anything is written.
 */
const DECISION_HEADER = 'x-traveloure-response-cache';

interface Decision {
  ttlSeconds: number;
  extraPoints: number;
  tags: string[];
}

const lookups = counter(
  'gateway_response_cache_requests_total',
  'GET persisted queries looked up in the gateway response cache, by result (hit, miss, stored)',
  ['service', 'result'] as const,
);

/**
 * Whose entries a caller may see: anonymous callers share public answers; anyone signed in or
 * calling with a key gets entries of their own, keyed by everything the identity carries that a
 * resolver could look at (not the request id or the client address).
 */
export function partitionOf(identity: Identity | undefined): string {
  if (!identity?.user && !identity?.apiKey) return 'public';
  const { user, apiKey } = identity;
  const canonical = JSON.stringify([
    user
      ? [user.id, [...user.roles].sort(), user.region ?? null, user.email ?? null, user.name ?? null]
      : null,
    apiKey ? [apiKey.id, apiKey.owner, [...apiKey.scopes].sort()] : null,
  ]);
  return createHash('sha256').update(canonical).digest('base64url');
}

const simpleContentTypes = new Set([
  'application/x-www-form-urlencoded',
  'multipart/form-data',
  'text/plain',
]);

/**
 * Apollo Server's CSRF prevention, which a hit would otherwise skip: a GET needs a preflight
 * header (or a content type a browser cannot send cross-site). When in doubt the request goes on
 * to Apollo Server, which refuses it.
 */
function passesCsrfPrevention(req: Request) {
  const preflight = req.headers['apollo-require-preflight'] || req.headers['x-apollo-operation-name'];
  if (preflight && preflight.length > 0) return true;
  const contentType = req.headers['content-type'];
  if (!contentType) return false;
  const essence = contentType.split(';')[0]!.trim().toLowerCase();
  return /^[\w!#$&^.+-]+\/[\w!#$&^.+-]+$/.test(essence) && !simpleContentTypes.has(essence);
}

/** A GET persisted query (by hash; any text sent must be that hash's), the only kind kept. */
function isPersistedGet(req: Request) {
  const params = new URL(req.originalUrl, 'http://gateway').searchParams;
  let hash: unknown;
  try {
    hash = (JSON.parse(params.get('extensions') ?? 'null') as { persistedQuery?: { sha256Hash?: unknown } })
      ?.persistedQuery?.sha256Hash;
  } catch {
    return false;
  }
  if (typeof hash !== 'string') return false;
  const query = params.get('query');
  return query === null || createHash('sha256').update(query).digest('hex') === hash;
}

export interface ResponseCacheHttpOptions {
  store: ResponseStore;
  limiter: EdgeRateLimiter;
  /** Whether entries may be written now (false while invalidations could be missed). */
  writable: () => boolean;
  privateEntries: boolean;
}

/**
 * In front of Apollo Server on /graphql, after identity, rate limit and safelist: answers a GET
 * persisted query from the store when the same caller class asked the same URL before, and
 * otherwise keeps Apollo's answer if the plugin marked it cacheable.
 */
export function responseCacheMiddleware(options: ResponseCacheHttpOptions): RequestHandler {
  const { store } = options;
  return (req: Request, res: Response, next: NextFunction) => {
    if (req.method !== 'GET') return next();
    const identity = res.locals.identity as Identity | undefined;
    const partition = partitionOf(identity);
    const shared = partition === 'public';
    // The URL carries the whole operation (hash, variables, operation name); the accept header
    // decides the response's media type.
    const key = `${partition}\n${req.headers.accept ?? ''}\n${req.originalUrl}`;
    const entry = shared || options.privateEntries ? store.get(key) : undefined;
    if (entry && passesCsrfPrevention(req)) {
      serveHit(req, res, next, entry, identity, options.limiter);
      return;
    }
    const candidate = (shared || options.privateEntries) && isPersistedGet(req);
    if (candidate) {
      lookups.inc({ service: 'gateway', result: 'miss' });
      res.setHeader('x-cache', 'MISS');
    }
    const generation = store.generation;
    const send = res.send.bind(res);
    res.send = (body?: unknown) => {
      const raw = res.getHeader(DECISION_HEADER);
      res.removeHeader(DECISION_HEADER);
      if (!candidate || typeof raw !== 'string' || typeof body !== 'string' || res.statusCode !== 200)
        return send(body);
      const result = send(body);
      if (options.writable()) keep(store, key, body, res, decode(raw), generation);
      return result;
    };
    next();
  };
}

function keep(
  store: ResponseStore,
  key: string,
  body: string,
  res: Response,
  decision: Decision,
  generation: number,
) {
  const header = (name: string) => {
    const value = res.getHeader(name);
    return typeof value === 'string' ? value : undefined;
  };
  const stored = store.set(
    key,
    {
      body,
      contentType: header('content-type'),
      cacheControl: header('cache-control'),
      vary: header('vary'),
      etag: header('etag'),
      storedAt: Date.now(),
      extraPoints: decision.extraPoints,
      tags: decision.tags,
    },
    decision.ttlSeconds,
    generation,
  );
  if (stored) lookups.inc({ service: 'gateway', result: 'stored' });
}

function serveHit(
  req: Request,
  res: Response,
  next: NextFunction,
  entry: NonNullable<ReturnType<ResponseStore['get']>>,
  identity: Identity | undefined,
  limiter: EdgeRateLimiter,
) {
  const answer = () => {
    lookups.inc({ service: 'gateway', result: 'hit' });
    res.status(200);
    if (entry.contentType) res.setHeader('content-type', entry.contentType);
    if (entry.cacheControl) res.setHeader('cache-control', entry.cacheControl);
    if (entry.vary) res.setHeader('vary', entry.vary);
    if (entry.etag) res.setHeader('etag', entry.etag);
    res.setHeader('age', String(Math.max(0, Math.floor((Date.now() - entry.storedAt) / 1000))));
    res.setHeader('x-cache', 'HIT');
    res.send(entry.body);
  };
  // A hit costs what the execution would have: the request's point was taken in front, the
  // extra root fields are taken here.
  if (entry.extraPoints <= 0 || !identity) return answer();
  chargeOrRefuse(limiter, req, res, identity, entry.extraPoints).then((refused) => {
    if (!refused) answer();
  }, next);
}

function encode(decision: Decision) {
  return Buffer.from(JSON.stringify(decision)).toString('base64url');
}

function decode(raw: string): Decision {
  return JSON.parse(Buffer.from(raw, 'base64url').toString()) as Decision;
}

/**
 * Marks an answer the middleware may keep: a query over GET, without errors, whose overall cache
 * policy (the minimum of every field's hint and of the subgraphs' Cache-Control) allows it. A
 * public answer is kept for anonymous callers only, a private one per identity; an anonymous
 * private answer (and anything with maxAge 0) is never kept.
 */
export function responseCachePlugin(options: {
  maxTtlSeconds: number;
  privateEntries: boolean;
  keyFields: () => ReadonlyMap<string, string>;
}): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart({ request }) {
      if (request.http?.method !== 'GET') return;
      return {
        async willSendResponse({ response, operation, document, schema, contextValue, overallCachePolicy }) {
          if (operation?.operation !== 'query' || !document || response.body.kind !== 'single') return;
          const { errors, data } = response.body.singleResult;
          if (errors?.length || !data || (response.http.status ?? 200) !== 200) return;
          const policy = overallCachePolicy.policyIfCacheable();
          if (!policy) return;
          const identity = contextValue.identity;
          const anonymous = !identity?.user && !identity?.apiKey;
          if (policy.scope === 'PUBLIC' ? !anonymous : anonymous || !options.privateEntries) return;
          const decision: Decision = {
            ttlSeconds: Math.min(policy.maxAge, options.maxTtlSeconds),
            extraPoints: extraRootFieldPoints(operation, document),
            tags: entityTagsOf({ schema, document, operation, data, keyFields: options.keyFields() }),
          };
          response.http.headers.set(DECISION_HEADER, encode(decision));
        },
      };
    },
  };
}
