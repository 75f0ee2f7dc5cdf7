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
    const { request, context } = options as { request: { http?: { headers: Map<string, string> } }; context: Partial<GatewayContext> };
    // Context is empty for the gateway's own health and schema calls.
    if (!context?.identity || !request.http) return;
    request.http.headers.set(IDENTITY_HEADER, await signIdentity(context.identity, this.options.signingSecret));
    request.http.headers.set(REQUEST_ID_HEADER, context.requestId!);
    if (context.traceparent) request.http.headers.set('traceparent', context.traceparent);
  }

  override async process(
    options: GraphQLDataSourceProcessOptions<GatewayContext>,
  ): Promise<GatewayGraphQLResponse> {
    try {
      return await super.process(options);
    } catch (error) {
      const status = (error as { extensions?: { response?: { status?: number } } }).extensions?.response?.status;
      // A 4xx/5xx that carries GraphQL errors is passed through by super.process; what lands
      // here is a network failure or a non-GraphQL answer: the subgraph is not available.
      throw codedError(
        ErrorCode.UPSTREAM_UNAVAILABLE,
        `The ${this.options.name} service is unavailable right now; try again shortly.`,
        { service: this.options.name, ...(status ? { status } : {}) },
      );
    }
  }
}
