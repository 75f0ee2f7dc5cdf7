import { STATUS_CODES } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { GraphQLDataSource, GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
import {
  codedError,
  counter,
  histogram,
  ErrorCode,
  IDENTITY_HEADER,
  REQUEST_ID_HEADER,
  signIdentity,
} from '@traveloure/platform';
import { GraphQLError, Kind, type DocumentNode } from 'graphql';
import { tracingStarted } from '@traveloure/platform/tracing';
import { Pool, type Dispatcher } from 'undici';
import type { GatewayContext } from './context.ts';
import { fieldPathsOfFetch } from './fetch-error-paths.ts';
import { parseCacheControl, type SubgraphFetchCache } from './response-cache/subgraph-fetches.ts';

export interface SignedDataSourceOptions {
  name: string;
  url: string;
  signingSecret: string;
  /** Longest wait for a subgraph's response headers, and for each part of its body. */
  timeoutMs: number;
  /** Merge identical in-flight queries of one caller (on by default). */
  mergeInFlight?: boolean;
  /** The gateway's cache of subgraph answers, when on (SUBGRAPH_FETCH_CACHE_ENABLED). */
  fetchCache?: SubgraphFetchCache;
}

const mergedFetches = counter(
  'gateway_subgraph_fetches_merged_total',
  'Subgraph fetches answered by an identical fetch already in flight for the same caller',
  ['service', 'subgraph'] as const,
);

const fetchDuration = histogram(
  'gateway_subgraph_fetch_duration_seconds',
  'Calls to a subgraph, request sent to body received (cached and merged answers are not calls)',
  ['service', 'subgraph'] as const,
  [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
);

const fetchRetries = counter(
  'gateway_subgraph_fetch_retries_total',
  'Queries sent again after their connection failed before any answer (a subgraph replica going away, a kept-alive connection closed as it was used); mutations never are',
  ['service', 'subgraph'] as const,
);

/**
 * Connection failures before a response began: the subgraph was not reached (refused), or the
 * connection closed under the request (reset, broken pipe, undici's "other side closed"). A
 * draining replica closing a kept-alive connection as the pool reuses it ends this way.
 */
const connectionFailures = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET']);

/**
 * Waits before each new attempt of a query: the first goes at once on a new connection (a closed
 * kept-alive one is the usual cause); the later ones give a load balancer time to drop a replica
 * that stopped listening.
 */
const retryDelaysMs = [0, 25, 100];

const fetchErrors = counter(
  'gateway_subgraph_fetch_errors_total',
  'Calls to a subgraph that failed: timeout, unreachable (refused, reset), status_5xx, signature_refused (401)',
  ['service', 'subgraph', 'reason'] as const,
);

type ProcessOptions = GraphQLDataSourceProcessOptions<GatewayContext>;
type IncomingOperation = Extract<ProcessOptions, { incomingRequestContext: unknown }>;

/** A call made for a client's operation (not the gateway's own health or schema calls). */
const isIncomingOperation = (options: ProcessOptions): options is IncomingOperation =>
  // The kind enum is not exported from the package root; its value is.
  (options.kind as string) === 'incoming operation';

/** A subgraph's answer as received, before parsing: merged callers each parse their own copy. */
interface SubgraphAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

const headerValue = (headers: SubgraphAnswer['headers'], name: string) => {
  const value = headers[name];
  return Array.isArray(value) ? value.join(', ') : (value ?? null);
};

/**
 * Calls a subgraph with the caller's identity and request id in a signed header (the subgraph
 * trusts nothing else), and turns a subgraph that cannot be reached into UPSTREAM_UNAVAILABLE.
 *
 * Written against the GraphQLDataSource interface rather than on RemoteGraphQLDataSource: that
 * class goes through the WHATWG fetch API (web streams, Request/Response and Headers objects, and
 * an AbortSignal for the deadline on every call), which profiles showed as the largest part of
 * the gateway's own work. Here each subgraph has one undici connection pool, kept alive, whose
 * headers and body timeouts are the deadline.
 */
export class SignedDataSource implements GraphQLDataSource<GatewayContext> {
  /**
   * One signature per client request for this subgraph, shared by every call its query plan
   * makes here; keyed by the request's context object. A signature carries this subgraph's
   * audience, so no other subgraph accepts it: each subgraph a request reaches costs one signing.
   */
  private readonly signatures = new WeakMap<object, string>();
  /** Who is calling, as far as a subgraph's answer can depend on it; per request context. */
  private readonly callerKeys = new WeakMap<object, { signedIn?: string; anonymous: string }>();
  /** Queries on their way to this subgraph, by caller, query and variables. */
  private readonly inFlight = new Map<string, Promise<SubgraphAnswer>>();
  private readonly pool: Pool;
  private readonly path: string;

  constructor(private readonly options: SignedDataSourceOptions) {
    const target = new URL(options.url);
    this.path = `${target.pathname}${target.search}`;
    this.pool = new Pool(target.origin, {
      // A subgraph that accepts the connection but never answers (or stalls mid-body) is given
      // up on after the deadline; undici keeps these timers on a shared coarse clock instead of
      // one timer and signal per call.
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
      connectTimeout: Math.min(options.timeoutMs, 10_000),
    });
  }

  async process(options: ProcessOptions): Promise<GatewayGraphQLResponse> {
    try {
      return await this.send(options);
    } catch (error) {
      const response = (error as { extensions?: { response?: { status?: number; body?: unknown } } })
        .extensions?.response;
      const body = response?.body as { errors?: unknown; data?: unknown } | undefined;
      // A subgraph that refused the request with GraphQL errors (400: a scalar it rejected, a
      // variable it could not coerce) has answered: its coded errors go to the client as they are.
      if (
        response?.status &&
        response.status < 500 &&
        response.status !== 401 &&
        Array.isArray(body?.errors)
      ) {
        return {
          errors: body.errors,
          ...(body.data !== undefined ? { data: body.data as Record<string, unknown> } : {}),
        };
      }
      if (response?.status === 401) {
        // The subgraph refused our signature: a deployment mistake (secrets differ), not the caller's.
        // A plain Error: the formatter logs and reports it, and the client sees INTERNAL_SERVER_ERROR.
        throw new Error(`subgraph ${this.options.name} refused the gateway's identity signature`);
      }
      // A network failure, a timeout, a 5xx or a non-GraphQL answer: the subgraph is not available.
      const unavailable = codedError(
        ErrorCode.UPSTREAM_UNAVAILABLE,
        `The ${this.options.name} service is unavailable right now; try again shortly.`,
        { service: this.options.name, ...(response?.status ? { status: response.status } : {}) },
      );
      // Answered as errors rather than thrown: the gateway then places each at the field it
      // nulled (a thrown error reaches the client without a path), so the client can tell
      // which parts of a partial answer are missing.
      const paths = fieldPathsOfFetch({ ...options.request, document: documentOf(options) });
      if (paths.length === 0) throw unavailable;
      return {
        errors: paths.map((path) => ({
          message: unavailable.message,
          path,
          extensions: unavailable.extensions,
        })),
      };
    }
  }

  /** Closes the connection pool (the gateway is stopping). */
  async close(): Promise<void> {
    if (!this.pool.closed) await this.pool.close();
  }

  private async send(options: ProcessOptions): Promise<GatewayGraphQLResponse> {
    const { request } = options;
    if (!request.query) throw new Error('Missing query');
    const headers: Record<string, string> = {};
    if (request.http?.headers) for (const [name, value] of request.http.headers) headers[name] = value;
    headers['content-type'] = 'application/json';
    // Context is empty for the gateway's own health and schema calls.
    const context = options.context as Partial<GatewayContext> | undefined;
    if (context?.identity) {
      headers[IDENTITY_HEADER] = this.signatureFor(context as GatewayContext);
      headers[REQUEST_ID_HEADER] = context.requestId!;
      // Without tracing the client's trace context is passed on as it came, so every service logs
      // the same one; with tracing on, the undici instrumentation sends this fetch's own span.
      if (context.traceparent && !tracingStarted()) headers.traceparent = context.traceparent;
    }
    const { http: _http, ...payload } = request;
    const body = JSON.stringify(payload);

    const mergeKey = this.mergeKeyOf(options, body);
    const cached = this.cachedFetchOf(options, body);
    let answer: Promise<SubgraphAnswer>;
    const pending = mergeKey ? this.inFlight.get(mergeKey) : undefined;
    const hit = cached?.cache.lookup(cached.request);
    if (hit) {
      answer = Promise.resolve({
        status: 200,
        headers: { 'content-type': hit.contentType, 'cache-control': hit.cacheControl },
        text: hit.body,
      });
    } else if (pending) {
      mergedFetches.inc({ service: 'gateway', subgraph: this.options.name });
      answer = pending;
    } else {
      answer = this.post(headers, body, options);
      if (mergeKey) {
        const shared = answer.finally(() => {
          if (this.inFlight.get(mergeKey) === shared) this.inFlight.delete(mergeKey);
        });
        this.inFlight.set(mergeKey, shared);
        answer = shared;
      }
    }
    const { status, headers: responseHeaders, text } = await answer;

    const contentType = headerValue(responseHeaders, 'content-type');
    const parsed: unknown =
      contentType &&
      (contentType.startsWith('application/json') ||
        contentType.startsWith('application/graphql-response+json'))
        ? JSON.parse(text)
        : text;
    if (status < 200 || status >= 300) {
      // The shape RemoteGraphQLDataSource gives a refused call, which process() reads.
      throw new GraphQLError(`${status}: ${STATUS_CODES[status] ?? ''}`, {
        extensions: {
          response: { url: this.options.url, status, statusText: STATUS_CODES[status], body: parsed },
          ...(status === 401 ? { code: 'UNAUTHENTICATED' } : status === 403 ? { code: 'FORBIDDEN' } : {}),
        },
      });
    }
    if (typeof parsed !== 'object' || parsed === null) {
      throw new Error(`Expected JSON response body, but received: ${String(parsed).slice(0, 200)}`);
    }
    const cacheControl = headerValue(responseHeaders, 'cache-control');
    this.restrictCachePolicy(options, cacheControl);
    const result = parsed as GatewayGraphQLResponse;
    if (cached && !hit && !result.errors?.length) {
      cached.cache.keep(
        cached.request,
        { text, contentType, cacheControl, data: result.data },
        cached.fetch,
        cached.generation,
      );
    }
    if (!cached && isIncomingOperation(options) && options.document) {
      this.options.fetchCache?.afterMutation(
        { schema: options.incomingRequestContext.schema, document: options.document },
        result.data,
      );
    }
    return {
      ...(parsed as GatewayGraphQLResponse),
      http: {
        status,
        headers: { get: (name: string) => headerValue(responseHeaders, name.toLowerCase()) } as any,
      },
    };
  }

  private async post(
    headers: Record<string, string>,
    body: string,
    options: ProcessOptions,
  ): Promise<SubgraphAnswer> {
    const labels = { service: 'gateway', subgraph: this.options.name };
    const startedAt = performance.now();
    try {
      // One await per call: the loop only turns again after a failure (maySendAgain).
      let response: Dispatcher.ResponseData;
      for (let attempt = 0; ; attempt++) {
        try {
          response = await this.pool.request({ path: this.path, method: 'POST', headers, body });
          break;
        } catch (error) {
          if (!this.maySendAgain(error, attempt, options)) throw error;
          fetchRetries.inc(labels);
          const delay = retryDelaysMs[attempt]!;
          if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
        }
      }
      const text = await response.body.text();
      if (response.statusCode >= 500) fetchErrors.inc({ ...labels, reason: 'status_5xx' });
      else if (response.statusCode === 401) fetchErrors.inc({ ...labels, reason: 'signature_refused' });
      return { status: response.statusCode, headers: response.headers, text };
    } catch (error) {
      // undici's HeadersTimeoutError, BodyTimeoutError and ConnectTimeoutError all say TIMEOUT.
      const code = String((error as { code?: unknown }).code ?? '');
      fetchErrors.inc({ ...labels, reason: code.includes('TIMEOUT') ? 'timeout' : 'unreachable' });
      throw error;
    } finally {
      fetchDuration.observe(labels, (performance.now() - startedAt) / 1000);
    }
  }

  /**
   * Whether a call whose connection failed before any answer is sent again: only when the
   * operation reads. A query asked twice answers the same, while a mutation may have run before
   * the connection broke, so it never is. Only the failure path looks at the operation; a call
   * that succeeds pays nothing for this. A failure once the answer began (its body cut off) is
   * not retried either: that call did reach the subgraph.
   */
  private maySendAgain(error: unknown, attempt: number, options: ProcessOptions): boolean {
    const code = String((error as { code?: unknown }).code ?? '');
    return (
      attempt < retryDelaysMs.length &&
      connectionFailures.has(code) &&
      !this.pool.closed &&
      isQuery(documentOf(options), options.request.query!)
    );
  }

  private signatureFor(context: GatewayContext): string {
    let signed = this.signatures.get(context);
    if (!signed) {
      signed = signIdentity(context.identity, this.options.signingSecret, this.options.name);
      this.signatures.set(context, signed);
    }
    return signed;
  }

  /**
   * The key under which identical fetches share one subgraph call, or undefined when this one
   * must go alone. Only queries of an incoming operation with a caller merge, never mutations;
   * the key holds everything in the signed identity a subgraph's answer may depend on (the user
   * with roles and region, the partner key with scopes, and for anonymous callers the address
   * the subgraph rate-limits them by), so two callers never share an answer. The request id is
   * left out: a merged fetch runs at the subgraph under the first caller's request id.
   */
  private mergeKeyOf(options: ProcessOptions, body: string): string | undefined {
    if (this.options.mergeInFlight === false) return undefined;
    if (!isIncomingOperation(options)) return undefined;
    const context = options.context as Partial<GatewayContext> | undefined;
    if (!context?.identity || !isQuery(options.document, options.request.query!)) return undefined;
    const caller = this.callerOf(context as GatewayContext);
    return `${caller.signedIn ?? caller.anonymous}\n${body}`;
  }

  /**
   * Who is calling, as far as a subgraph's answer can depend on it, once per request context:
   * the user or key for a signed-in caller (what merged fetches and cached private answers are
   * keyed by), else the address anonymous callers are rate-limited by (merging only).
   */
  private callerOf(context: GatewayContext): { signedIn?: string; anonymous: string } {
    let caller = this.callerKeys.get(context);
    if (caller === undefined) {
      const { user, apiKey, ip } = context.identity;
      caller =
        user || apiKey
          ? { signedIn: JSON.stringify({ user, apiKey }), anonymous: '' }
          : { anonymous: JSON.stringify({ ip }) };
      this.callerKeys.set(context, caller);
    }
    return caller;
  }

  /**
   * Whether this fetch may be answered from (and kept in) the gateway's fetch cache: a query of
   * an incoming operation, with its document. Mutations never are.
   */
  private cachedFetchOf(options: ProcessOptions, body: string) {
    const cache = this.options.fetchCache;
    if (!cache || !isIncomingOperation(options) || !options.document) return undefined;
    const context = options.context as Partial<GatewayContext> | undefined;
    if (!context?.identity || !isQuery(options.document, options.request.query!)) return undefined;
    return {
      cache,
      generation: cache.generation,
      request: {
        subgraph: this.options.name,
        // The same identity fields the merge key holds; anonymous callers share public answers only.
        caller: this.callerOf(context as GatewayContext).signedIn,
        body,
      },
      fetch: {
        schema: options.incomingRequestContext.schema,
        document: options.document,
        variables: options.request.variables,
      },
    };
  }

  /** Subgraph Cache-Control hints narrow the response's cache policy, as Apollo's data source does. */
  private restrictCachePolicy(options: ProcessOptions, header: string | null) {
    if (!isIncomingOperation(options)) return;
    const policy = options.incomingRequestContext.overallCachePolicy;
    if (!policy || !('restrict' in policy)) return;
    const { maxAge, scope } = parseCacheControl(header);
    policy.restrict({ maxAge, ...(scope ? { scope } : {}) });
  }
}

/**
 * Whether a subgraph operation only reads. The gateway hands over the operation's document; its
 * text is the fallback, where anything but an explicit query (or the `{` shorthand) counts as a
 * write and is never merged.
 */
function isQuery(document: DocumentNode | undefined, text: string): boolean {
  if (document) {
    return document.definitions.every(
      (definition) => definition.kind !== Kind.OPERATION_DEFINITION || definition.operation === 'query',
    );
  }
  return /^\s*(query\b|\{)/.test(text);
}

function documentOf(options: GraphQLDataSourceProcessOptions<GatewayContext>) {
  return 'document' in options ? options.document : undefined;
}
