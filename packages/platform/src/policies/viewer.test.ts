import { describe, expect, it } from 'vitest';
import { GraphQLError } from 'graphql';
import { viewerOf } from '../identity.ts';
import { isSelfOrAdmin, requireAdmin, requireSelf, requireViewer } from './viewer.ts';

const codeOf = (check: () => unknown) => {
  try {
    check();
    return 'ALLOWED';
  } catch (error) {
    expect(error).toBeInstanceOf(GraphQLError);
    return (error as GraphQLError).extensions.code;
  }
};

const traveler = viewerOf({ requestId: 'r1', user: { id: 'tia', roles: ['TRAVELER'] } });
const admin = viewerOf({ requestId: 'r2', user: { id: 'ada', roles: ['ADMIN'] } });
const anonymous = viewerOf({ requestId: 'r3' });

describe('viewer policies', () => {
  it('requireViewer returns the signed-in caller and refuses anonymous callers', () => {
    expect(requireViewer({ viewer: traveler })).toEqual({ id: 'tia', admin: false, analyst: false });
    expect(codeOf(() => requireViewer({ viewer: anonymous }))).toBe('UNAUTHENTICATED');
  });

  it('requireAdmin lets admins through, FORBIDDEN for others, UNAUTHENTICATED for no one', () => {
    expect(requireAdmin({ viewer: admin }).id).toBe('ada');
    expect(codeOf(() => requireAdmin({ viewer: traveler }))).toBe('FORBIDDEN');
    expect(codeOf(() => requireAdmin({ viewer: anonymous }))).toBe('UNAUTHENTICATED');
    expect(() => requireAdmin({ viewer: traveler }, 'Admins only.')).toThrow('Admins only.');
  });

  it('requireSelf is for the user themselves; even an admin is someone else', () => {
    expect(requireSelf({ viewer: traveler }, 'tia').id).toBe('tia');
    expect(codeOf(() => requireSelf({ viewer: admin }, 'tia'))).toBe('FORBIDDEN');
    expect(codeOf(() => requireSelf({ viewer: anonymous }, 'tia'))).toBe('UNAUTHENTICATED');
  });

  it('isSelfOrAdmin: the owner and admins', () => {
    expect(isSelfOrAdmin(traveler, 'tia')).toBe(true);
    expect(isSelfOrAdmin(traveler, 'tom')).toBe(false);
    expect(isSelfOrAdmin(admin, 'tom')).toBe(true);
    expect(isSelfOrAdmin(anonymous, 'tom')).toBe(false);
  });
});
