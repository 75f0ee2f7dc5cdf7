import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';

/** Why an address or host name is (not) reachable: an ipaddr.js range name or one of ours. */
export interface AddressVerdict {
  allowed: boolean;
  /** ipaddr.js range (`loopback`, `private`, `linkLocal`, `ipv4Mapped`, `unicast`, ...) or `internalName`. */
  range: string;
  /** Loopback is the one internal range that local development may open (allowLoopback). */
  loopback: boolean;
}

export interface ClassifyOptions {
  /** 127.0.0.0/8, ::1 and `localhost` names pass: local development and tests only. */
  allowLoopback?: boolean;
}

// Only the global unicast block 2000::/3 is routed on the internet; ipaddr.js calls everything
// it has no special range for `unicast`, which would include the unassigned rest of the space
// (IPv4-compatible ::a.b.c.d among it).
const globalUnicastV6 = ipaddr.parseCIDR('2000::/3');
const nat64WellKnown = ipaddr.parseCIDR('64:ff9b::/96');

function classifyParsed(address: ipaddr.IPv4 | ipaddr.IPv6, options: ClassifyOptions): AddressVerdict {
  if (address.kind() === 'ipv4') {
    const range = address.range();
    if (range === 'loopback') return { allowed: Boolean(options.allowLoopback), range, loopback: true };
    return { allowed: range === 'unicast', range, loopback: false };
  }
  const v6 = address as ipaddr.IPv6;
  const range = v6.range();
  if (range === 'loopback') return { allowed: Boolean(options.allowLoopback), range, loopback: true };
  // ::ffff:a.b.c.d reaches the embedded IPv4 address on a dual-stack socket: never let the
  // mapped form of an internal address through, and refuse the mapped form altogether since
  // a public receiver never needs it.
  if (range === 'ipv4Mapped') return { allowed: false, range, loopback: false };
  // NAT64 (64:ff9b::a.b.c.d) is how IPv6-only networks reach IPv4 receivers: judge the
  // embedded address, so 64:ff9b::7f00:1 is as refused as 127.0.0.1.
  if (v6.match(nat64WellKnown)) {
    const embedded = ipaddr.fromByteArray(v6.toByteArray().slice(12)) as ipaddr.IPv4;
    const inner = classifyParsed(embedded, { allowLoopback: false });
    return { allowed: inner.allowed, range: `nat64:${inner.range}`, loopback: false };
  }
  if (range === 'unicast' && !v6.match(globalUnicastV6))
    return { allowed: false, range: 'unassigned', loopback: false };
  return { allowed: range === 'unicast', range, loopback: false };
}

/** Classifies an IP address in canonical text form (as DNS answers and WHATWG URLs give it). */
export function classifyAddress(address: string, options: ClassifyOptions = {}): AddressVerdict {
  const bare = address.startsWith('[') && address.endsWith(']') ? address.slice(1, -1) : address;
  // node:net decides what is an address (no legacy `0x7f.1` or `127.1` forms: URLs have
  // normalised those already, and DNS never answers them).
  if (!isIP(bare)) return { allowed: false, range: 'invalid', loopback: false };
  return classifyParsed(ipaddr.parse(bare), options);
}

/**
 * Names that only ever resolve inside a network: cloud metadata services, mDNS, the
 * private-use `.internal` TLD and single-label names (resolved through search domains or
 * /etc/hosts). Refused before any DNS lookup, whatever they resolve to.
 */
const metadataHosts = new Set([
  'metadata',
  'metadata.google.internal',
  'metadata.goog',
  'metadata.azure.internal',
  'instance-data',
  'instance-data.ec2.internal',
]);
const internalSuffixes = ['.internal', '.local', '.localdomain', '.home.arpa', '.home', '.corp', '.lan'];

/** Lower case without trailing dots (`metadata.google.internal.` is the same host). */
export function normalizeHostname(hostname: string): string {
  return hostname.toLowerCase().replace(/\.+$/, '');
}

/**
 * Classifies a URL host (`url.hostname`): an IP literal by its range, `localhost` and
 * `*.localhost` as loopback (RFC 6761), internal and metadata names as refused, any other
 * name as allowed until it is resolved (the connection checks the addresses it resolves to).
 */
export function classifyHost(hostname: string, options: ClassifyOptions = {}): AddressVerdict {
  const host = normalizeHostname(hostname);
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  if (isIP(bare)) return classifyAddress(bare, options);
  if (host === 'localhost' || host.endsWith('.localhost'))
    return { allowed: Boolean(options.allowLoopback), range: 'loopback', loopback: true };
  if (
    host === '' ||
    !host.includes('.') ||
    metadataHosts.has(host) ||
    internalSuffixes.some((suffix) => host.endsWith(suffix))
  )
    return { allowed: false, range: 'internalName', loopback: false };
  return { allowed: true, range: 'name', loopback: false };
}
