import { randomUUID } from 'node:crypto';
import { signIdentity, IDENTITY_HEADER, type Identity, type Role, type Region } from '../identity.ts';

export const testSigningSecret = 'test-only-gateway-signing-secret-0123456789';

/**
 * Headers the subgraph named `service` accepts, as if the gateway had vouched for this user
 * (the signature is for that subgraph only, like the gateway's). Async for its callers' sake;
 * signing itself is synchronous.
 */
export async function signedHeaders(
  service: string,
  user?: { id: string; roles?: Role[]; email?: string; name?: string; region?: Region },
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
  user?: Parameters<typeof signedHeaders>[1],
): Promise<{ status: number; body: T }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: await signedHeaders(service, user),
    body: JSON.stringify({ query, variables }),
  });
  return { status: response.status, body: (await response.json()) as T };
}
