import { describe, expect, it } from 'vitest';
import { classifyAddress, classifyHost } from './address.ts';
import { createEgressPolicy } from './policy.ts';

const refused: [address: string, range: string][] = [
  ['127.0.0.1', 'loopback'],
  ['127.255.0.9', 'loopback'],
  ['10.0.0.1', 'private'],
  ['172.16.0.1', 'private'],
  ['172.31.255.254', 'private'],
  ['192.168.1.1', 'private'],
  ['100.64.0.1', 'carrierGradeNat'],
  ['100.127.255.254', 'carrierGradeNat'],
  ['169.254.169.254', 'linkLocal'],
  ['0.0.0.0', 'unspecified'],
  ['0.1.2.3', 'unspecified'],
  ['224.0.0.1', 'multicast'],
  ['239.255.255.250', 'multicast'],
  ['255.255.255.255', 'broadcast'],
  ['192.0.0.170', 'reserved'],
  ['192.0.2.10', 'reserved'],
  ['198.18.0.1', 'reserved'],
  ['240.0.0.1', 'reserved'],
  ['::1', 'loopback'],
  ['::', 'unspecified'],
  ['fe80::1', 'linkLocal'],
  ['fc00::1', 'uniqueLocal'],
  ['fd00:ec2::254', 'uniqueLocal'],
  ['ff02::1', 'multicast'],
  ['::ffff:127.0.0.1', 'ipv4Mapped'],
  ['::ffff:a9fe:a9fe', 'ipv4Mapped'],
  ['::ffff:93.184.216.34', 'ipv4Mapped'],
  ['64:ff9b::7f00:1', 'nat64:loopback'],
  ['64:ff9b::a9fe:a9fe', 'nat64:linkLocal'],
  ['64:ff9b::a00:1', 'nat64:private'],
  ['64:ff9b:1::1', 'rfc6052'],
  ['::7f00:1', 'unassigned'],
  ['4000::1', 'unassigned'],
  ['fec0::1', 'deprecatedSiteLocal'],
  ['2002:7f00:1::', '6to4'],
  ['2001::1', 'teredo'],
  ['2001:db8::1', 'reserved'],
  ['100::1', 'discard'],
];

const allowed = [
  '93.184.216.34',
  '8.8.8.8',
  '1.1.1.1',
  '2606:4700::1',
  '2a00:1450:4001::1',
  '64:ff9b::5db8:d822',
];

describe('address classification', () => {
  it.each(refused)('refuses %s (%s)', (address, range) => {
    expect(classifyAddress(address)).toMatchObject({ allowed: false, range });
  });

  it.each(allowed)('allows the public address %s', (address) => {
    expect(classifyAddress(address).allowed).toBe(true);
  });

  it('opens loopback, and only loopback, when asked to', () => {
    const options = { allowLoopback: true };
    expect(classifyAddress('127.0.0.1', options).allowed).toBe(true);
    expect(classifyAddress('::1', options).allowed).toBe(true);
    for (const [address, range] of refused.filter(([, name]) => name !== 'loopback'))
      expect(classifyAddress(address, options), address).toMatchObject({ allowed: false, range });
  });

  it('judges host names: localhost is loopback, metadata and internal names are refused, others wait for DNS', () => {
    for (const host of ['localhost', 'LOCALHOST.', 'hooks.localhost'])
      expect(classifyHost(host), host).toMatchObject({ allowed: false, loopback: true });
    expect(classifyHost('hooks.localhost', { allowLoopback: true }).allowed).toBe(true);
    for (const host of [
      'metadata.google.internal',
      'metadata.google.internal.',
      'METADATA.GOOGLE.INTERNAL',
      'metadata',
      'metadata.goog',
      'instance-data',
      'printer.local',
      'intranet',
      'router.home.arpa',
    ])
      expect(classifyHost(host, { allowLoopback: true }), host).toMatchObject({
        allowed: false,
        range: 'internalName',
      });
    expect(classifyHost('hooks.example.com')).toMatchObject({ allowed: true, range: 'name' });
    expect(classifyHost('[::ffff:7f00:1]')).toMatchObject({ allowed: false, range: 'ipv4Mapped' });
  });
});

describe('URL check before saving', () => {
  const policy = createEgressPolicy();

  it.each([
    'https://127.0.0.1:8443/hook',
    'https://10.0.0.1/',
    'https://169.254.169.254/latest/meta-data/',
    'https://[::ffff:127.0.0.1]/',
    'https://2130706433/',
    'https://0x7f.1/',
    'https://017700000001/',
    'https://127.1/',
    'https://127.0.0.1./',
    'https://metadata.google.internal/computeMetadata/v1/',
    'https://metadata.google.internal./',
    'https://metadata/',
    'https://localhost/',
    'https://api.localhost/',
    'https://[::1]/',
    'https://[::]/',
    'https://0.0.0.0/',
    'https://100.64.0.1/',
    'https://[fd00::1]/',
    'https://[fe80::1]/',
    'https://[64:ff9b::a9fe:a9fe]/',
    'https://[ff02::1]/',
    'https://224.0.0.1/',
    'http://169.254.169.254/',
  ])('refuses %s', (url) => {
    expect(policy.checkUrl(url)).toEqual({ code: 'ADDRESS_NOT_ALLOWED', message: 'address not allowed' });
  });

  it('takes https to public names and addresses, and nothing but http(s)', () => {
    for (const url of [
      'https://hooks.example.com/x',
      'https://93.184.216.34/',
      'https://[2606:4700::1]:8443/',
    ])
      expect(policy.checkUrl(url), url).toBeUndefined();
    expect(policy.checkUrl('http://hooks.example.com/x')?.code).toBe('SCHEME_NOT_ALLOWED');
    expect(policy.checkUrl('ftp://hooks.example.com/x')?.code).toBe('SCHEME_NOT_ALLOWED');
    expect(policy.checkUrl('file:///etc/passwd')?.code).toBe('SCHEME_NOT_ALLOWED');
    expect(policy.checkUrl('https://a:b@hooks.example.com/')?.code).toBe('CREDENTIALS_NOT_ALLOWED');
    expect(policy.checkUrl('nope')?.code).toBe('INVALID_URL');
  });

  it('with loopback opened, takes plain http to loopback but to nothing else', () => {
    const open = createEgressPolicy({ allowLoopback: true });
    expect(open.checkUrl('http://127.0.0.1:9000/hook')).toBeUndefined();
    expect(open.checkUrl('http://localhost:9000/hook')).toBeUndefined();
    expect(open.checkUrl('http://[::1]:9000/hook')).toBeUndefined();
    expect(open.checkUrl('http://hooks.example.com/x')?.code).toBe('SCHEME_NOT_ALLOWED');
    expect(open.checkUrl('https://10.0.0.1/')?.code).toBe('ADDRESS_NOT_ALLOWED');
    expect(open.checkUrl('https://[::ffff:127.0.0.1]/')?.code).toBe('ADDRESS_NOT_ALLOWED');
  });
});
