import { describe, expect, it } from 'vitest';
import type { Identity, Role } from '../identity.ts';
import { isAdmin, isAnalystOrAdmin, requireAnalyticsReader } from './roles.ts';

const as = (roles: Role[]): Identity => ({
  requestId: 'req-roles',
  user: { id: 'someone', roles },
});

describe('role checks', () => {
  it('isAdmin and isAnalystOrAdmin read the roles the gateway signed', () => {
    expect(isAdmin(as(['ADMIN']))).toBe(true);
    expect(isAdmin(as(['ANALYST', 'TRAVELER']))).toBe(false);
    expect(isAdmin(undefined)).toBe(false);
    expect(isAnalystOrAdmin(as(['ANALYST']))).toBe(true);
    expect(isAnalystOrAdmin(as(['ADMIN']))).toBe(true);
    expect(isAnalystOrAdmin(as(['TRAVELER', 'EXPERT']))).toBe(false);
    expect(isAnalystOrAdmin({ requestId: 'anonymous' })).toBe(false);
  });
});

describe('requireAnalyticsReader', () => {
  const reader = (identity: Partial<Identity>) => () =>
    requireAnalyticsReader({ requestId: 'req-analytics-1', ...identity }, 'Figures');
  const codeOf = (fn: () => void) => {
    try {
      fn();
      return 'ALLOWED';
    } catch (error) {
      return (error as { extensions: { code: string } }).extensions.code;
    }
  };

  it('lets analysts, admins and analytics keys read, and no one else', () => {
    expect(codeOf(reader({ user: { id: 'a', roles: ['ANALYST'] } }))).toBe('ALLOWED');
    expect(codeOf(reader({ user: { id: 'b', roles: ['ADMIN'] } }))).toBe('ALLOWED');
    expect(codeOf(reader({ apiKey: { id: 'k1', owner: 'Acme', scopes: ['analytics'] } }))).toBe('ALLOWED');
    expect(codeOf(reader({ user: { id: 'c', roles: ['TRAVELER'] } }))).toBe('FORBIDDEN');
    expect(codeOf(reader({ apiKey: { id: 'k2', owner: 'Acme', scopes: ['search', 'catalog'] } }))).toBe(
      'FORBIDDEN',
    );
    expect(codeOf(reader({}))).toBe('UNAUTHENTICATED');
  });
});
