import { Kind, type DocumentNode, type GraphQLSchema, type OperationDefinitionNode } from 'graphql';
import { counter } from '@traveloure/platform';
import { entityTagsOf } from './entity-tags.ts';
import type { CachedResponse, ResponseStore } from './store.ts';

/** A subgraph's Cache-Control header, as far as caching its answer goes. */
export interface SubgraphCacheHint {
  maxAge: number;
  scope?: 'PUBLIC' | 'PRIVATE';
}

export function parseCacheControl(header: string | null | undefined): SubgraphCacheHint {
  const directives = new Map<string, string | true>();
  for (const part of (header ?? '').split(',')) {
    const [name, value] = part.split('=', 2).map((piece) => piece.trim());
    if (name) directives.set(name.toLowerCase(), value === undefined ? true : value.replace(/^"|"$/g, ''));
  }
  const maxAge = directives.get('max-age');
  const noStore = directives.has('no-store') || directives.has('no-cache');
  return {
    maxAge: !noStore && typeof maxAge === 'string' && /^[0-9]+$/.test(maxAge) ? Number(maxAge) : 0,
    ...(directives.get('private') === true ? { scope: 'PRIVATE' as const } : {}),
    ...(directives.get('public') === true ? { scope: 'PUBLIC' as const } : {}),
  };
}

const lookups = counter(
  'gateway_subgraph_fetch_cache_requests_total',
  'Subgraph fetches looked up in the gateway fetch cache, by subgraph and result (hit, miss, stored)',
  ['service', 'subgraph', 'result'] as const,
);

/** What the data source knows of one fetch when it asks the cache. */
export interface FetchCacheRequest {
  subgraph: string;
  /** Everything in the caller's identity a subgraph's answer may depend on; undefined: anonymous. */
  caller: string | undefined;
  /** The exact JSON body sent to the subgraph (query, variables, operation name). */
  body: string;
}

/**
 * The gateway's cache of subgraph answers (what Apollo Router calls entity caching): a query a
 * subgraph answered with `Cache-Control: max-age=N` is kept for min(N, the cap) under the caller
 * it was made for (`private`) or for everyone (`public`), and the next identical fetch is
 * answered without calling the subgraph. Entries carry the entity tags of what they hold
 * (`trip:42`) and go when a subgraph cache invalidates one of them, or when a mutation through
 * this gateway answers with that entity. An anonymous caller's private answer is never kept.
 *
 * It sits in the data source, below the query planner, so one operation can mix kept parts (the
 * trip, a stored suggestion) with parts that may not be kept (an unread count), which a cache of
 * whole responses cannot.
 */
export class SubgraphFetchCache {
  constructor(
    private readonly store: ResponseStore,
    private readonly options: {
      maxTtlSeconds: number;
      keyFields: () => ReadonlyMap<string, string>;
      /** Whether entries may be written now (false while invalidations could be missed). */
      writable: () => boolean;
      /** Drops entries holding these entities here (and in the response cache). */
      invalidateLocally: (tags: string[]) => void;
    },
  ) {}

  /** The store's generation, read before the fetch is sent (see `keep`). */
  get generation() {
    return this.store.generation;
  }

  lookup(request: FetchCacheRequest): CachedResponse | undefined {
    const entry =
      this.store.get(keyOf(request.subgraph, 'public', request.body)) ??
      (request.caller === undefined
        ? undefined
        : this.store.get(keyOf(request.subgraph, request.caller, request.body)));
    lookups.inc({ service: 'gateway', subgraph: request.subgraph, result: entry ? 'hit' : 'miss' });
    return entry;
  }

  /**
   * Keeps a query's answer when its hint allows and no invalidation happened since `generation`
   * was read (a value read before an invalidation is never written back).
   */
  keep(
    request: FetchCacheRequest,
    answer: { text: string; contentType: string | null; cacheControl: string | null; data: unknown },
    fetch: { schema: GraphQLSchema; document: DocumentNode; variables?: Record<string, unknown> },
    generation: number,
  ) {
    const hint = parseCacheControl(answer.cacheControl);
    if (hint.maxAge <= 0 || !this.options.writable()) return;
    const partition = hint.scope === 'PUBLIC' ? 'public' : request.caller;
    if (partition === undefined) return;
    const operation = operationOf(fetch.document);
    if (!operation || operation.operation !== 'query' || !answer.data || typeof answer.data !== 'object')
      return;
    const tags = this.tagsOf(fetch, operation, answer.data as Record<string, unknown>);
    if (!tags) return;
    const stored = this.store.set(
      keyOf(request.subgraph, partition, request.body),
      {
        body: answer.text,
        contentType: answer.contentType ?? undefined,
        cacheControl: answer.cacheControl ?? undefined,
        storedAt: Date.now(),
        extraPoints: 0,
        tags,
      },
      Math.min(hint.maxAge, this.options.maxTtlSeconds),
      generation,
    );
    if (stored) lookups.inc({ service: 'gateway', subgraph: request.subgraph, result: 'stored' });
  }

  /**
   * A mutation's answer came back through this gateway: what it returned has changed, so entries
   * holding those entities go at once, before the client can ask again (the subgraph's own
   * invalidation message reaches the other replicas).
   */
  afterMutation(
    fetch: { schema: GraphQLSchema; document: DocumentNode; variables?: Record<string, unknown> },
    data: unknown,
  ) {
    const operation = operationOf(fetch.document);
    if (!operation || operation.operation !== 'mutation' || !data || typeof data !== 'object') return;
    const tags = this.tagsOf(fetch, operation, data as Record<string, unknown>);
    if (tags?.length) this.options.invalidateLocally(tags);
  }

  private tagsOf(
    fetch: { schema: GraphQLSchema; document: DocumentNode; variables?: Record<string, unknown> },
    operation: OperationDefinitionNode,
    data: Record<string, unknown>,
  ) {
    const entitiesFetch = operation.selectionSet.selections.some(
      (selection) => selection.kind === Kind.FIELD && selection.name.value === '_entities',
    );
    const representations = fetch.variables?.representations;
    // Entities the fetch cannot name could not be invalidated: such an answer is not kept.
    if (entitiesFetch && !Array.isArray(representations)) return undefined;
    return entityTagsOf({
      schema: fetch.schema,
      document: fetch.document,
      operation,
      data,
      keyFields: this.options.keyFields(),
      ...(entitiesFetch ? { entities: representations as Record<string, unknown>[] } : {}),
    });
  }
}

const keyOf = (subgraph: string, partition: string, body: string) => `${subgraph}\n${partition}\n${body}`;

function operationOf(document: DocumentNode) {
  const operations = document.definitions.filter(
    (definition): definition is OperationDefinitionNode => definition.kind === Kind.OPERATION_DEFINITION,
  );
  return operations.length === 1 ? operations[0] : undefined;
}
