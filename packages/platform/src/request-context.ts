import { AsyncLocalStorage } from 'node:async_hooks';
import type { Identity } from './identity.ts';

/**
 * What is known about the request being served. Kept in AsyncLocalStorage so the logger can
 * stamp the request id on every line without threading it through every call.
 */
export interface RequestContext {
  requestId: string;
  traceparent?: string;
  identity?: Identity;
  /** The resolved GraphQL operation's name, once known (set by operationNameOnRequestContextPlugin). */
  operationName?: string;
}

export const requestContextStorage = new AsyncLocalStorage<RequestContext>();

export function currentRequestContext(): RequestContext | undefined {
  return requestContextStorage.getStore();
}

export function runWithRequestContext<T>(context: RequestContext, fn: () => T): T {
  return requestContextStorage.run(context, fn);
}
