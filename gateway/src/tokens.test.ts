import { describe, expect, it } from 'vitest';
import { decodeJwt } from 'jose';
import { mintToken } from './tokens.ts';

const secret = 'token-test-secret-0123456789abcdefghijkl';

describe('mintToken', () => {
  it('fills in a whole profile for tests by default', async () => {
    const claims = decodeJwt(await mintToken({ role: 'ANALYST', userId: 'ana', secret }));
    expect(claims).toMatchObject({
      sub: 'ana',
      roles: ['ANALYST'],
      email: 'ana@example.com',
      name: 'ana',
      region: 'US_EAST',
    });
  });

  it('leaves out claims that were not given when asked (npm run token)', async () => {
    const claims = decodeJwt(
      await mintToken({ role: 'TRAVELER', userId: 'user-demo-eu', secret, onlyGivenClaims: true }),
    );
    expect(claims).toMatchObject({ sub: 'user-demo-eu', roles: ['TRAVELER'] });
    expect(claims).not.toHaveProperty('email');
    expect(claims).not.toHaveProperty('name');
    expect(claims).not.toHaveProperty('region');
  });
});
