import { describe, expect, it } from 'vitest';
import type { ErrorEvent } from '@sentry/node';
import { scrubEvent, scrubText } from './sentry.ts';

describe('what leaves for Sentry', () => {
  it('has e-mail addresses and tokens replaced in messages and exception values', () => {
    const token = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl';
    expect(scrubText(`no user ada.lovelace+trips@example.co.uk; Authorization: Bearer ${token}`)).toBe(
      'no user [email]; Authorization: Bearer [token]',
    );
    expect(scrubText(`token=${token}`)).toBe('token=[token]');
  });

  it('keeps of the request only its method and path, of the user only the id, and no breadcrumbs', () => {
    const event = scrubEvent({
      type: undefined,
      message: 'failed for grace@example.com',
      request: {
        method: 'POST',
        url: 'http://gateway/graphql?token=secret',
        headers: { authorization: 'Bearer x', cookie: 'a=b' },
        data: '{"query":"..."}',
        query_string: 'token=secret',
      },
      user: { id: 'u-1', email: 'grace@example.com', ip_address: '10.0.0.1' },
      exception: { values: [{ type: 'Error', value: 'duplicate key for grace@example.com' }] },
      extra: { note: 'mail grace@example.com' },
      breadcrumbs: [{ message: 'GET /graphql?token=secret' }],
    } as ErrorEvent);
    expect(event.request).toEqual({ method: 'POST', url: 'http://gateway/graphql' });
    expect(event.user).toEqual({ id: 'u-1' });
    expect(event.message).toBe('failed for [email]');
    expect(event.exception?.values?.[0]?.value).toBe('duplicate key for [email]');
    expect(event.extra).toEqual({ note: 'mail [email]' });
    expect(event.breadcrumbs).toBeUndefined();
  });
});
