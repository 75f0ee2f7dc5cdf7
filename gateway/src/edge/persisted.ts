import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Request, Response, NextFunction } from 'express';
import type { ApolloServerOptions, ApolloServerPlugin } from '@apollo/server';
import type { KeyValueCache } from '@apollo/utils.keyvaluecache';
import {
  ErrorCode,
  hasRole,
  sendGraphQLError,
  type Identity,
  type Logger,
  type Redis,
} from '@traveloure/platform';
import type { GatewayContext } from '../context.ts';

export const defaultManifestPath = resolve(
  dirname(fileURLToPath(import.meta.url)),
  '../../../schema/operations/persisted-operations.json',
);

/** Apollo's persisted query manifest format (what `npm run codegen` writes). */
export interface PersistedOperation {
  id: string;
  name: string;
  type: 'query' | 'mutation' | 'subscription';
  body: string;
}
export interface PersistedQueryManifest {
  format: 'apollo-persisted-query-manifest';
  version: 1;
  operations: PersistedOperation[];
}

export function sha256(text: string) {
  return createHash('sha256').update(text).digest('hex');
}

export class TrustedDocuments {
  readonly byId = new Map<string, PersistedOperation>();
  readonly byName = new Map<string, PersistedOperation>();

  constructor(readonly manifest: PersistedQueryManifest) {
    if (manifest.format !== 'apollo-persisted-query-manifest' || manifest.version !== 1) {
      throw new Error('persisted operations manifest: unsupported format');
    }
    for (const operation of manifest.operations) {
      if (sha256(operation.body) !== operation.id) {
        throw new Error(
          `persisted operations manifest: id of ${operation.name} is not the sha256 of its body`,
        );
      }
      this.byId.set(operation.id, operation);
      this.byName.set(operation.name, operation);
    }
  }

  static load(path = defaultManifestPath, logger?: Logger): TrustedDocuments {
    if (!existsSync(path)) {
      logger?.warn({ path }, 'no persisted operations manifest; run `npm run codegen`');
      return new TrustedDocuments({ format: 'apollo-persisted-query-manifest', version: 1, operations: [] });
    }
    return new TrustedDocuments(JSON.parse(readFileSync(path, 'utf8')) as PersistedQueryManifest);
  }
}

/**
 * APQ documents in Redis (shared by every replica), with a small in-process copy so a Redis
 * outage only costs clients a re-registration, never an error.
 */
export function createApqCache(
  redis: Redis,
  options: { prefix?: string; logger: Logger; l1MaxEntries?: number },
): KeyValueCache<string> {
  // Apollo Server adds its own `apq:` prefix, so documents land at `edge:apq:<sha256>`.
  const prefix = options.prefix ?? 'edge:';
  const l1 = new Map<string, string>();
  const l1Max = options.l1MaxEntries ?? 1_000;
  const remember = (key: string, value: string) => {
    if (l1.size >= l1Max) l1.delete(l1.keys().next().value!);
    l1.set(key, value);
  };
  return {
    async get(key) {
      const local = l1.get(key);
      if (local !== undefined) return local;
      try {
        const value = await redis.get(prefix + key);
        if (value !== null) remember(key, value);
        return value ?? undefined;
      } catch (error) {
        options.logger.debug({ err: error }, 'APQ cache read failed');
        return undefined;
      }
    },
    async set(key, value, setOptions) {
      remember(key, value);
      try {
        const ttl = setOptions?.ttl;
        if (ttl) await redis.set(prefix + key, value, 'EX', ttl);
        else await redis.set(prefix + key, value);
      } catch (error) {
        options.logger.debug({ err: error }, 'APQ cache write failed');
      }
    },
    async delete(key) {
      l1.delete(key);
      try {
        await redis.del(prefix + key);
      } catch (error) {
        options.logger.debug({ err: error }, 'APQ cache delete failed');
      }
    },
  };
}

/**
 * Automatic persisted queries as Apollo Server keeps them: registered documents in Redis for
 * APQ_TTL_SECONDS (0: forever), or in Apollo Server's in-process cache without Redis.
 */
export function apqOptions(
  config: { APQ_TTL_SECONDS: number },
  redis: Redis | undefined,
  logger: Logger,
): ApolloServerOptions<GatewayContext>['persistedQueries'] {
  return {
    ttl: config.APQ_TTL_SECONDS || null,
    ...(redis ? { cache: createApqCache(redis, { logger }) } : {}),
  };
}

/** Callers bound to the manifest in safelist mode: anonymous, partner keys and analysts. */
export function boundToSafelist(identity: Identity | undefined) {
  if (hasRole(identity, 'ADMIN')) return false;
  if (!identity?.user) return true;
  return hasRole(identity, 'ANALYST');
}

function persistedHashOf(extensions: unknown): string | undefined {
  const hash = (extensions as { persistedQuery?: { sha256Hash?: unknown } } | undefined)?.persistedQuery
    ?.sha256Hash;
  return typeof hash === 'string' ? hash : undefined;
}

/** The operation a GET or JSON POST carries, before Apollo Server reads it. */
function operationSource(req: Request): { query?: unknown; extensions?: unknown } | undefined {
  if (req.method === 'GET') {
    const params = new URL(req.originalUrl, 'http://gateway').searchParams;
    let extensions: unknown;
    try {
      extensions = params.has('extensions') ? JSON.parse(params.get('extensions')!) : undefined;
    } catch {
      return undefined; // Apollo Server answers malformed extensions itself.
    }
    return { query: params.get('query') ?? undefined, extensions };
  }
  const body: unknown = req.body;
  if (!body || typeof body !== 'object' || Array.isArray(body)) return undefined;
  return body as { query?: unknown; extensions?: unknown };
}

const sha256Hex = /^[0-9a-f]{64}$/;

/** What is wrong with an `extensions.persistedQuery` value, or undefined if nothing is. */
export function persistedQueryProblem(persistedQuery: unknown): string | undefined {
  if (!persistedQuery || typeof persistedQuery !== 'object' || Array.isArray(persistedQuery)) {
    return 'extensions.persistedQuery must be an object: { "version": 1, "sha256Hash": "<sha-256 of the query>" }.';
  }
  const { version, sha256Hash } = persistedQuery as { version?: unknown; sha256Hash?: unknown };
  if (version !== 1) return 'extensions.persistedQuery.version must be 1, the only version supported.';
  if (typeof sha256Hash !== 'string' || !sha256Hex.test(sha256Hash)) {
    return 'extensions.persistedQuery.sha256Hash must be the sha-256 of the query, as 64 lowercase hex digits.';
  }
  return undefined;
}

/**
 * Apollo Server reads `extensions.persistedQuery` without checking its shape: a string, an
 * array or a hash that is not a string ends as an uncoded error or a misleading "not found".
 * A malformed one is refused here as the client's mistake, with what the shape must be.
 */
export function persistedQueryShapeMiddleware() {
  return (req: Request, res: Response, next: NextFunction) => {
    const extensions = operationSource(req)?.extensions;
    // Extensions that are not an object are Apollo Server's to refuse (400 BAD_REQUEST).
    if (!extensions || typeof extensions !== 'object' || Array.isArray(extensions)) return next();
    const persistedQuery = (extensions as { persistedQuery?: unknown }).persistedQuery;
    if (persistedQuery === undefined || persistedQuery === null) return next();
    const problem = persistedQueryProblem(persistedQuery);
    if (!problem) return next();
    sendGraphQLError(res, 400, 'BAD_REQUEST', problem, req.requestId);
  };
}

/**
 * Safelist mode: callers bound to the manifest may send only its operations, by hash or with
 * the exact body; anything else is refused before it is parsed.
 */
export function safelistMiddleware(documents: TrustedDocuments, mode: 'allow' | 'safelist') {
  return (req: Request, res: Response, next: NextFunction) => {
    if (mode !== 'safelist' || !boundToSafelist(res.locals.identity as Identity)) return next();
    const source = operationSource(req);
    if (!source) return next();
    if (typeof source.query === 'string' && source.query.length > 0) {
      if (documents.byId.has(sha256(source.query))) return next();
      return sendGraphQLError(
        res,
        400,
        ErrorCode.PERSISTED_QUERY_NOT_ALLOWED,
        'Only trusted (persisted) operations are accepted; send the id of an operation from the manifest.',
        req.requestId,
      );
    }
    const hash = persistedHashOf(source.extensions);
    if (hash && !documents.byId.has(hash)) {
      return sendGraphQLError(
        res,
        400,
        ErrorCode.PERSISTED_QUERY_NOT_FOUND,
        'PersistedQueryNotFound',
        req.requestId,
      );
    }
    next();
  };
}

/**
 * Resolves manifest ids to their documents (so trusted documents work without registration),
 * and keeps anything but a GET persisted query out of shared caches.
 */
export function persistedQueriesPlugin(documents: TrustedDocuments): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart({ request }) {
      const hash = persistedHashOf(request.extensions);
      if (hash && request.query === undefined) {
        const operation = documents.byId.get(hash);
        if (operation) {
          // A manifest operation needs no APQ registration: run it as the trusted text it is.
          request.query = operation.body;
          const { persistedQuery: _persistedQuery, ...extensions } = request.extensions ?? {};
          request.extensions = extensions;
        }
      }
      return {
        async didResolveOperation({ request: resolved, overallCachePolicy, contextValue, response }) {
          const persistedGet = resolved.http?.method === 'GET' && hash !== undefined;
          if (!persistedGet) {
            overallCachePolicy.restrict({ maxAge: 0 });
            return;
          }
          // A CDN must key cached answers by credentials, and never share a signed-in answer.
          response.http.headers.set('vary', 'authorization, x-api-key');
          const identity = contextValue.identity;
          if (identity?.user || identity?.apiKey) overallCachePolicy.restrict({ scope: 'PRIVATE' });
        },
      };
    },
  };
}
