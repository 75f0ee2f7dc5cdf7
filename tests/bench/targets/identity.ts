/**
 * How the peer gateways (A: stock @apollo/gateway, H: Hive Gateway) and the direct calls (D)
 * vouch for the caller, in one place: the subgraphs refuse any call without a valid signed
 * identity header, so a peer must do what our edge does on the way in (verify the bearer token)
 * and on the way out (sign the identity for each subgraph call: the signature's audience names
 * the subgraph, so each gets its own). `signFor` is the one place a peer signs.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { jwtVerify } from 'jose';
import { IDENTITY_HEADER, signIdentity, type Identity, type Region, type Role } from '@traveloure/platform';

export { IDENTITY_HEADER };

/** The one place a peer signs: the caller's identity for one subgraph. */
export function signFor(identity: Identity, secret: string, subgraph: string, ttlSeconds?: number) {
  return signIdentity(identity, secret, subgraph, ttlSeconds);
}

export interface PeerIdentityOptions {
  jwtSecret: string;
  signingSecret: string;
  issuer?: string;
  audience?: string;
}

/**
 * What a lean gateway in front of these subgraphs needs: the caller's identity from the
 * Authorization header (HS256 user tokens as `npm run token` mints them; no header: anonymous,
 * a bad token: thrown), and the signed header for each subgraph call, signed once per request
 * and subgraph.
 */
export function createPeerIdentity(options: PeerIdentityOptions) {
  const key = new TextEncoder().encode(options.jwtSecret);
  const signatures = new WeakMap<Identity, Map<string, string>>();
  return {
    async identify(authorization: string | null | undefined): Promise<Identity> {
      const identity: Identity = { requestId: randomUUID() };
      const token = authorization?.startsWith('Bearer ') ? authorization.slice(7) : undefined;
      if (!authorization) return identity;
      if (!token) throw new Error('Authorization header must be "Bearer <token>"');
      const { payload } = await jwtVerify(token, key, {
        algorithms: ['HS256'],
        issuer: options.issuer ?? 'traveloure',
        audience: options.audience ?? 'traveloure-api',
        requiredClaims: ['exp', 'sub'],
      });
      const roles = (Array.isArray(payload.roles) ? payload.roles : ['TRAVELER']) as Role[];
      identity.user = {
        id: payload.sub!,
        roles,
        ...(typeof payload.email === 'string' ? { email: payload.email } : {}),
        ...(typeof payload.name === 'string' ? { name: payload.name } : {}),
        ...(typeof payload.region === 'string' ? { region: payload.region as Region } : {}),
      };
      return identity;
    },
    header(identity: Identity, subgraph: string): string {
      let bySubgraph = signatures.get(identity);
      if (!bySubgraph) signatures.set(identity, (bySubgraph = new Map()));
      let signed = bySubgraph.get(subgraph);
      if (!signed) bySubgraph.set(subgraph, (signed = signFor(identity, options.signingSecret, subgraph)));
      return signed;
    },
  };
}

/** Pre-signed headers for calling one subgraph directly (D): valid for the whole run. */
export async function directHeaders(
  subgraph: string,
  secret: string,
  user?: { id: string; roles?: Role[]; name?: string; email?: string; region?: Region },
): Promise<Record<string, string>> {
  const identity: Identity = {
    requestId: randomUUID(),
    ...(user ? { user: { roles: ['TRAVELER'], ...user } } : {}),
  };
  return { [IDENTITY_HEADER]: await signFor(identity, secret, subgraph, 24 * 3600) };
}

/** The supergraph with each subgraph's routing URL replaced (peers read URLs from the SDL). */
export function withRoutingUrls(supergraphSdl: string, urls: Record<string, string>): string {
  return supergraphSdl.replace(
    /@join__graph\(name:\s*"([^"]+)",\s*url:\s*"([^"]+)"\)/g,
    (whole, name: string) => (urls[name] ? `@join__graph(name: "${name}", url: "${urls[name]}")` : whole),
  );
}

/**
 * What a peer gateway starts from, as the bench hands it over: the caller's identity from
 * JWT_SECRET and GATEWAY_SIGNING_SECRET, and the supergraph (BENCH_SUPERGRAPH, a file) routed to
 * BENCH_SUBGRAPH_URLS (JSON).
 */
export function peerFromEnv(env: NodeJS.ProcessEnv = process.env) {
  return {
    peer: createPeerIdentity({ jwtSecret: env.JWT_SECRET!, signingSecret: env.GATEWAY_SIGNING_SECRET! }),
    supergraphSdl: withRoutingUrls(
      readFileSync(env.BENCH_SUPERGRAPH!, 'utf8'),
      JSON.parse(env.BENCH_SUBGRAPH_URLS!),
    ),
  };
}
