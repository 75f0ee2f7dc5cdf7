import { describe, expect, it } from 'vitest';
import { codedError, ErrorCode } from './errors.ts';
import { isExpectedError, scrubEvent, scrubText } from './sentry.ts';

describe('scrubText', () => {
  it('replaces e-mail addresses, bearer tokens, JWTs, API keys and credential query parameters', () => {
    const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1In0.c2lnbmF0dXJl';
    expect(scrubText('no mail for Ann.Lee+x@mail.example.org')).toBe('no mail for [email]');
    expect(scrubText('sent Bearer abc.def-123')).toBe('sent [token]');
    expect(scrubText(`token ${jwt}`)).toBe('token [token]');
    expect(scrubText('key trv_live_123abc refused')).toBe('key [token] refused');
    expect(scrubText('GET /cb?code=xyz&state=1&access_token=t0k')).toBe(
      'GET /cb?code=[redacted]&state=1&access_token=[redacted]',
    );
  });
});

describe('scrubEvent', () => {
  it('drops request data and every user field but the id, and scrubs extras', () => {
    const event = scrubEvent({
      message: 'failed for bob@example.com',
      request: { headers: { authorization: 'Bearer x', cookie: 'c' }, data: '{"q":1}' },
      user: { id: 'u1', email: 'bob@example.com', ip_address: '10.0.0.1' },
      extra: { nested: { to: ['bob@example.com'] } },
    });
    expect(event.request).toBeUndefined();
    expect(event.user).toEqual({ id: 'u1' });
    expect(event.message).toBe('failed for [email]');
    expect(event.extra).toEqual({ nested: { to: ['[email]'] } });
  });
});

describe('isExpectedError', () => {
  it('knows the client’s mistakes, limits and outages from bugs', () => {
    for (const code of [
      ErrorCode.BAD_USER_INPUT,
      ErrorCode.NOT_FOUND,
      ErrorCode.UNAUTHENTICATED,
      ErrorCode.RATE_LIMITED,
      ErrorCode.UPSTREAM_UNAVAILABLE,
      'GRAPHQL_PARSE_FAILED',
    ]) {
      expect(isExpectedError(codedError(code as ErrorCode, 'x'))).toBe(true);
    }
    expect(isExpectedError(Object.assign(new SyntaxError('bad json'), { status: 400 }))).toBe(true);
    expect(isExpectedError(new Error('relation "trip.trips" does not exist'))).toBe(false);
    expect(isExpectedError(codedError(ErrorCode.INTERNAL_SERVER_ERROR, 'x'))).toBe(false);
  });
});
