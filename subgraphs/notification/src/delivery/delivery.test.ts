import { describe, expect, it } from 'vitest';
import { createEgressPolicy } from '@traveloure/platform';
import { webhookUrlProblem } from '../preferences/preferences.input.ts';
import { quietHoursDelayMs } from './quiet-hours.ts';
import { signWebhook, verifyWebhookSignature } from './signing.ts';

describe('quiet hours', () => {
  const at = (iso: string) => Date.parse(iso);

  it('holds pushes inside an overnight window until it ends, in the user time zone', () => {
    const setting = { start: '22:00', end: '07:00', timeZone: 'Europe/Paris' };
    // 23:30 in Paris (UTC+2 in June): 7 h 30 min to go.
    expect(quietHoursDelayMs(setting, at('2026-06-10T21:30:00Z'))).toBe(7.5 * 3_600_000);
    // 06:59:30 in Paris: 30 seconds to go.
    expect(quietHoursDelayMs(setting, at('2026-06-11T04:59:30Z'))).toBe(30_000);
    // 07:00 and noon in Paris: not quiet.
    expect(quietHoursDelayMs(setting, at('2026-06-11T05:00:00Z'))).toBe(0);
    expect(quietHoursDelayMs(setting, at('2026-06-11T10:00:00Z'))).toBe(0);
  });

  it('never releases a push inside the window on a daylight-saving night', () => {
    const setting = { start: '22:00', end: '07:00', timeZone: 'Europe/Paris' };
    // 23:00 CEST on 24 October 2026; the clocks go back at 03:00. 07:00 CET is 06:00 UTC: 9 hours.
    expect(quietHoursDelayMs(setting, at('2026-10-24T21:00:00Z'))).toBe(9 * 3_600_000);
    // 23:00 CET on 28 March 2026; the clocks go forward at 02:00: released by 08:00 CEST, never before 07:00.
    const spring = at('2026-03-28T22:00:00Z');
    const release = spring + quietHoursDelayMs(setting, spring);
    expect(release).toBeGreaterThanOrEqual(at('2026-03-29T05:00:00Z'));
    expect(release).toBeLessThanOrEqual(at('2026-03-29T06:00:00Z'));
  });

  it('handles same-day windows and no window', () => {
    const setting = { start: '12:00', end: '14:00', timeZone: 'UTC' };
    expect(quietHoursDelayMs(setting, at('2026-06-10T13:00:00Z'))).toBe(3_600_000);
    expect(quietHoursDelayMs(setting, at('2026-06-10T14:00:00Z'))).toBe(0);
    expect(quietHoursDelayMs(setting, at('2026-06-10T11:59:00Z'))).toBe(0);
    expect(quietHoursDelayMs(undefined, at('2026-06-10T13:00:00Z'))).toBe(0);
    expect(
      quietHoursDelayMs({ start: '09:00', end: '09:00', timeZone: 'UTC' }, at('2026-06-10T09:00:00Z')),
    ).toBe(0);
  });
});

describe('webhook signatures', () => {
  const secret = 'whsec_test';
  const body = JSON.stringify({ id: 'n1', title: 'Hello' });
  const now = Date.parse('2026-06-10T12:00:00Z');
  const timestamp = Math.floor(now / 1000);

  it('verifies a signature over timestamp and body, and refuses tampering and replays', () => {
    const signature = signWebhook(secret, timestamp, body);
    expect(signature).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(verifyWebhookSignature(secret, { signature, timestamp: String(timestamp) }, body, { now })).toBe(
      true,
    );
    expect(
      verifyWebhookSignature(secret, { signature, timestamp: String(timestamp) }, `${body} `, { now }),
    ).toBe(false);
    expect(verifyWebhookSignature('other', { signature, timestamp: String(timestamp) }, body, { now })).toBe(
      false,
    );
    expect(
      verifyWebhookSignature(secret, { signature, timestamp: String(timestamp + 1) }, body, { now }),
    ).toBe(false);
    // The same call ten minutes later is a replay.
    expect(
      verifyWebhookSignature(secret, { signature, timestamp: String(timestamp) }, body, {
        now: now + 600_000,
      }),
    ).toBe(false);
  });
});

describe('webhook URL rules', () => {
  const strict = createEgressPolicy();
  const loopbackOpen = createEgressPolicy({ allowLoopback: true });
  const problem = (value: string, production: boolean, egress = strict) =>
    webhookUrlProblem(value, { production, egress });

  it('accepts https to public hosts; http only to loopback, only when opted in and outside production', () => {
    expect(problem('https://hooks.example.com/traveloure', true)).toBeUndefined();
    expect(problem('https://93.184.216.34/hook', true)).toBeUndefined();
    expect(problem('http://127.0.0.1:9000/hook', false, loopbackOpen)).toBeUndefined();
    expect(problem('http://localhost/hook', false, loopbackOpen)).toBeUndefined();
    expect(problem('http://127.0.0.1:9000/hook', true, loopbackOpen)?.message).toBe(
      'Webhook URL must use https.',
    );
    expect(problem('http://hooks.example.com/x', false)).toMatchObject({
      code: 'INVALID_WEBHOOK_URL',
      message: expect.stringMatching(/https/),
    });
    expect(problem('ftp://example.com/x', false)?.message).toMatch(/https/);
    expect(problem('not a url', false)?.message).toBe('Webhook URL is not a valid URL.');
    expect(problem('https://user:pw@example.com/x', false)?.message).toMatch(/credentials/);
  });

  it('refuses loopback by default, development included, with its own code', () => {
    for (const url of ['http://127.0.0.1:9000/hook', 'https://localhost/hook', 'https://[::1]/hook']) {
      expect(problem(url, false), url).toMatchObject({ code: 'WEBHOOK_URL_NOT_ALLOWED' });
    }
    expect(problem('https://10.0.0.1/', false, loopbackOpen)).toMatchObject({
      code: 'WEBHOOK_URL_NOT_ALLOWED',
    });
  });
});
