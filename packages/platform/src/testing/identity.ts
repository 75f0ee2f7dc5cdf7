import { randomUUID } from 'node:crypto';
import { signIdentity, IDENTITY_HEADER, type Identity, type Role, type Region } from '../identity.ts';

export const testSigningSecret = 'test-only-gateway-signing-secret-0123456789';

/** A user as the gateway vouches for one (roles default to TRAVELER). */
export interface TestUser {
  id: string;
  roles?: Role[];
  email?: string;
  name?: string;
  region?: Region;
}

/**
 * Headers the subgraph named `service` accepts, as if the gateway had vouched for this user
 * (the signature is for that subgraph only, like the gateway's). Async for its callers' sake;
 * signing itself is synchronous.
 */
export async function signedHeaders(
  service: string,
  user?: TestUser,
  secret = testSigningSecret,
  extra: Partial<Identity> = {},
): Promise<Record<string, string>> {
  const identity: Identity = {
    requestId: randomUUID(),
    ...(user ? { user: { roles: ['TRAVELER'], ...user } } : {}),
    ...extra,
  };
  return {
    'content-type': 'application/json',
    [IDENTITY_HEADER]: signIdentity(identity, secret, service),
  };
}

/** POSTs a GraphQL operation straight to the subgraph `service`, signed as the gateway would sign it. */
export async function postSigned<T = any>(
  service: string,
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
  user?: TestUser,
  extra: Partial<Identity> = {},
): Promise<{ status: number; body: T }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: await signedHeaders(service, user, testSigningSecret, extra),
    body: JSON.stringify({ query, variables }),
  });
  return { status: response.status, body: (await response.json()) as T };
}

/** An error in a GraphQL response body. */
export interface GraphQLResponseError {
  message: string;
  path?: (string | number)[];
  extensions?: Record<string, any>;
}

/** A subgraph's answer to a call: the HTTP status and the GraphQL body it sent. */
export interface GraphQLResponse<T = any> {
  status: number;
  body: { data?: T; errors?: GraphQLResponseError[] };
}

/**
 * A subgraph harness's `graphql(query, variables, user)`: calls the subgraph as the gateway
 * would for `user`, anonymously when `user` is absent or null.
 */
export type SignedGraphQL = <T = any>(
  query: string,
  variables?: Record<string, unknown>,
  user?: TestUser | null,
) => Promise<GraphQLResponse<T>>;

/** The `graphql` of a harness over the subgraph `service` listening at `url`. */
export function signedGraphQL(service: string, url: string): SignedGraphQL {
  return (query, variables, user) => postSigned(service, url, query, variables, user ?? undefined);
}
