import type { LookupAddress } from 'node:dns';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWebhookEmulator, type WebhookEmulator } from '@traveloure/testing';
import { inboxOf, startSubgraphForTest, type SubgraphForTest } from './test-support.ts';

// No EGRESS_ALLOW_LOOPBACK here: the defaults, as in production, must keep webhooks off every
// internal address, both when the URL is saved and when a delivery connects.
describe('webhook egress policy (defaults)', () => {
  let harness: SubgraphForTest;
  let webhook: WebhookEmulator;
  const resolved: string[] = [];

  beforeAll(async () => {
    webhook = await startWebhookEmulator();
    harness = await startSubgraphForTest('notif_egress', {
      redisUrl: null,
      // A public-looking name that resolves to loopback (DNS rebinding, or simply a hostile
      // record): the save-time check cannot see it, the connection must.
      egressResolver: async (hostname): Promise<LookupAddress[]> => {
        resolved.push(hostname);
        return hostname === 'rebind.example.com' ? [{ address: '127.0.0.1', family: 4 }] : [];
      },
    });
  });
  afterAll(async () => {
    await harness?.close();
    await webhook?.close();
  });

  const setWebhook = async (userId: string, url: string) =>
    (
      await harness.graphql(
        `mutation($url: String) { updateNotificationPreferences(input: { webhookUrl: $url }) { preferences { webhookUrl } userErrors { field message code } } }`,
        { url },
        { id: userId },
      )
    ).body;
  const savedUrl = async (userId: string) =>
    (
      await harness.graphql(
        `query($id: ID!) { _entities(representations: [{ __typename: "User", id: $id }]) { ... on User { notificationPreferences { webhookUrl } } } }`,
        { id: userId },
        { id: userId },
      )
    ).body.data._entities[0].notificationPreferences.webhookUrl;
  const webhookDelivery = (userId: string, status: string) =>
    harness.until(async () => {
      const delivery = (await inboxOf(harness, userId)).entries[0]?.deliveries.find(
        (d) => d.channel === 'WEBHOOK',
      );
      return delivery?.status === status && delivery;
    }, `${userId}'s webhook to be ${status}`);
  const notify = (userId: string) =>
    harness.services.notifier.notify({
      userId,
      kind: 'SYSTEM',
      severity: 'INFO',
      title: 'Hello',
      body: 'Anyone home?',
      dedupeKey: 'egress',
    });

  it('refuses every internal address the issue lists with WEBHOOK_URL_NOT_ALLOWED, and writes nothing', async () => {
    expect(
      (await setWebhook('ivy', 'https://hooks.example.com/ivy')).data.updateNotificationPreferences,
    ).toEqual({
      preferences: { webhookUrl: 'https://hooks.example.com/ivy' },
      userErrors: [],
    });
    const port = new URL(webhook.url).port;
    for (const url of [
      webhook.url,
      `https://127.0.0.1:${port}/`,
      'https://10.0.0.1/',
      'https://169.254.169.254/latest/meta-data/',
      'https://[::ffff:127.0.0.1]/',
      'https://2130706433/',
      'https://0x7f.1/',
      'https://metadata.google.internal/computeMetadata/v1/',
      'https://metadata.google.internal./',
      'https://localhost/',
      'https://100.64.0.1/',
      'https://[fd00::1]/',
    ]) {
      const result = await setWebhook('ivy', url);
      expect(result.errors, url).toBeUndefined();
      expect(result.data.updateNotificationPreferences, url).toEqual({
        preferences: null,
        userErrors: [
          {
            field: ['input', 'webhookUrl'],
            code: 'WEBHOOK_URL_NOT_ALLOWED',
            message: expect.stringContaining('not allowed'),
          },
        ],
      });
    }
    expect(await savedUrl('ivy')).toBe('https://hooks.example.com/ivy');
    // Saving does not resolve names: DNS answers are judged where they are used, on connect.
    expect(resolved).toEqual([]);
  });

  it('refuses on delivery a loopback URL stored before the policy: DEAD at once, never connected', async () => {
    await setWebhook('jon', 'https://hooks.example.com/jon');
    await harness.db
      .updateTable('notification.preferences')
      .set({ webhook_url: webhook.url })
      .where('user_id', '=', 'jon')
      .execute();
    await notify('jon');
    expect(await webhookDelivery('jon', 'DEAD')).toMatchObject({
      attempts: 1,
      lastError: 'address not allowed',
    });
    expect(webhook.calls).toHaveLength(0);
  });

  it('refuses on connect a name that passed the save-time check but resolves to loopback', async () => {
    const saved = await setWebhook('kim', 'https://rebind.example.com/hook');
    expect(saved.data.updateNotificationPreferences.userErrors).toEqual([]);
    await notify('kim');
    expect(await webhookDelivery('kim', 'DEAD')).toMatchObject({
      attempts: 1,
      lastError: 'address not allowed',
    });
    expect(resolved).toEqual(['rebind.example.com']);
  });
});
