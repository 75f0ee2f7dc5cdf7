import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
import {
  codedError,
  ErrorCode,
  IDENTITY_HEADER,
  REQUEST_ID_HEADER,
  signIdentity,
  type Identity,
} from '@traveloure/platform';
import { fieldPathsOfFetch } from './fetch-error-paths.ts';

export interface GatewayContext {
  identity: Identity;
  requestId: string;
  traceparent?: string;
}

/**
 * Calls a subgraph with the caller's identity and request id in a signed header (the subgraph
 * trusts nothing else), and turns a subgraph that cannot be reached into UPSTREAM_UNAVAILABLE.
 */
export class SignedDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  /**
   * One signature per client request for this subgraph, shared by every call its query plan
   * makes here; keyed by the request's context object. A signature carries this subgraph's
   * audience, so no other subgraph accepts it: each subgraph a request reaches costs one signing.
   */
  private readonly signatures = new WeakMap<object, Promise<string>>();

  constructor(
    private readonly options: { name: string; url: string; signingSecret: string; timeoutMs: number },
  ) {
    super({
      url: options.url,
      // Node's fetch keeps connections alive; the deadline keeps one slow subgraph from holding
      // gateway requests open indefinitely.
      fetcher: ((url: string, init: RequestInit) =>
        fetch(url, { ...init, signal: AbortSignal.timeout(options.timeoutMs) })) as any,
    });
  }

  override async willSendRequest(options: GraphQLDataSourceProcessOptions<GatewayContext>) {
    const { request, context } = options as {
      request: { http?: { headers: Map<string, string> } };
      context: Partial<GatewayContext>;
    };
    // Context is empty for the gateway's own health and schema calls.
    if (!context?.identity || !request.http) return;
    let signed = this.signatures.get(context);
    if (!signed) {
      signed = signIdentity(context.identity, this.options.signingSecret, this.options.name);
      this.signatures.set(context, signed);
    }
    request.http.headers.set(IDENTITY_HEADER, await signed);
    request.http.headers.set(REQUEST_ID_HEADER, context.requestId!);
    if (context.traceparent) request.http.headers.set('traceparent', context.traceparent);
  }

  override async process(
    options: GraphQLDataSourceProcessOptions<GatewayContext>,
  ): Promise<GatewayGraphQLResponse> {
    try {
      return await super.process(options);
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
}

function documentOf(options: GraphQLDataSourceProcessOptions<GatewayContext>) {
  return 'document' in options ? options.document : undefined;
}
