import type { Request, Response } from 'express';
import type { Identity } from '@traveloure/platform';

/** What every resolver, plugin and subgraph call of one GraphQL request knows about it. */
export interface GatewayContext {
  /** Who is calling: set by the identity step (edge/auth.ts) before Apollo Server sees the request. */
  identity: Identity;
  requestId: string;
  /** The caller's W3C trace context, passed on to the subgraphs. */
  traceparent?: string;
}

/** The context of an HTTP request, for expressMiddleware. */
export async function gatewayContextOf({
  req,
  res,
}: {
  req: Request;
  res: Response;
}): Promise<GatewayContext> {
  return {
    identity: res.locals.identity as Identity,
    requestId: req.requestId,
    traceparent: req.headers.traceparent as string | undefined,
  };
}
