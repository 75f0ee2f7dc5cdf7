/**
 * Notifications end to end through the gateway: the trip subgraph writes events to its outbox,
 * its relay publishes them to Redis, the notification subgraph projects them and fills inboxes
 * that clients read as `me { notifications }`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSupergraph, type TestSupergraph } from './support.ts';

const DAY_MS = 86_400_000;
const isoDay = (offsetDays: number) => new Date(Date.now() + offsetDays * DAY_MS).toISOString().slice(0, 10);

const inboxQuery = `query Inbox {
  me {
    id
    unreadNotificationCount
    notifications(first: 20) { totalCount edges { node { id kind severity title readAt deliveries { channel status } } } }
  }
}`;

interface InboxNode {
  id: string;
  kind: string;
  severity: string;
  title: string;
  readAt: string | null;
  deliveries: { channel: string; status: string }[];
}

describe('notifications through the gateway', () => {
  let supergraph: TestSupergraph;
  const tokens: Record<string, string> = {};

  beforeAll(async () => {
    supergraph = await startTestSupergraph('notification', {
      services: ['trip', 'notification'],
      env: { OUTBOX_POLL_MS: '50', QUEUE_BACKOFF_MS: '50' },
    });
    for (const name of ['amy', 'ben', 'cat']) {
      tokens[name] = await supergraph.token('TRAVELER', `e2e-${name}`, {
        email: `${name}@example.test`,
        name,
      });
    }
    tokens.admin = await supergraph.token('ADMIN', 'e2e-admin');
  });
  afterAll(async () => {
    await supergraph?.close();
  });

  const inbox = async (who: string) => {
    const result = await supergraph.graphql<{
      me: { unreadNotificationCount: number; notifications: { edges: { node: InboxNode }[] } };
    }>(inboxQuery, {}, { token: tokens[who] });
    expect(result.body.errors).toBeUndefined();
    return {
      unread: result.body.data!.me.unreadNotificationCount,
      entries: result.body.data!.me.notifications.edges.map((edge) => edge.node),
    };
  };
  const waitForInbox = async (who: string, check: (entries: InboxNode[]) => boolean, what: string) => {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const current = await inbox(who);
      if (check(current.entries)) return current;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(current)}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };
  const createTrip = async (who: string, destinationCode: string, startInDays: number) => {
    return supergraph.createTrip(tokens[who]!, {
      title: `${who} in ${destinationCode}`,
      destinationCode,
      startDate: isoDay(startInDays),
      endDate: isoDay(startInDays + 4),
    });
  };

  it('gives a trip created to start in 2 days a TRIP_REMINDER in me { notifications }', async () => {
    await createTrip('amy', 'PAR', 2);
    const { entries, unread } = await waitForInbox(
      'amy',
      (all) => all.some((entry) => entry.kind === 'TRIP_REMINDER'),
      'the reminder',
    );
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      kind: 'TRIP_REMINDER',
      severity: 'INFO',
      title: 'amy in PAR starts in 2 days',
      readAt: null,
    });
    expect(entries[0]!.deliveries.find((delivery) => delivery.channel === 'IN_APP')?.status).toBe('SENT');
    expect(unread).toBe(1);
  });

  it('reaches a traveler at the broadcast destination and not one elsewhere', async () => {
    await createTrip('ben', 'PAR', 2);
    await createTrip('cat', 'ROM', 2);
    // Both trips projected (their reminders are there) before the alert goes out.
    await waitForInbox('ben', (all) => all.some((entry) => entry.kind === 'TRIP_REMINDER'), "ben's reminder");
    await waitForInbox('cat', (all) => all.some((entry) => entry.kind === 'TRIP_REMINDER'), "cat's reminder");
    const alert = `mutation { broadcastEmergencyAlert(input: { destinationCode: "PAR", severity: CRITICAL, title: "Transport strike", body: "Metro closed all day." }) { recipients userErrors { code } } }`;
    const refused = await supergraph.graphql(alert, {}, { token: tokens.ben });
    expect(refused.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const sent = await supergraph.graphql(alert, {}, { token: tokens.admin });
    // amy and ben travel to Paris; cat to Rome.
    expect(sent.body.data.broadcastEmergencyAlert).toEqual({ recipients: 2, userErrors: [] });
    const ben = await waitForInbox(
      'ben',
      (all) => all.some((entry) => entry.kind === 'EMERGENCY_ALERT'),
      "ben's alert",
    );
    expect(ben.entries.find((entry) => entry.kind === 'EMERGENCY_ALERT')).toMatchObject({
      severity: 'CRITICAL',
      title: 'Transport strike',
    });
    expect((await inbox('cat')).entries.map((entry) => entry.kind)).toEqual(['TRIP_REMINDER']);
  });

  it("does not let a traveler mark another traveler's notification read", async () => {
    const cat = await inbox('cat');
    const target = cat.entries[0]!;
    const mark = `mutation($id: ID!) { markNotificationRead(id: $id) { notification { id readAt } userErrors { field code } } }`;
    const stranger = await supergraph.graphql(mark, { id: target.id }, { token: tokens.ben });
    expect(stranger.body.data.markNotificationRead).toEqual({
      notification: null,
      userErrors: [{ field: ['id'], code: 'NOT_FOUND' }],
    });
    expect((await inbox('cat')).unread).toBe(1);
    const own = await supergraph.graphql(mark, { id: target.id }, { token: tokens.cat });
    expect(own.body.data.markNotificationRead.notification.readAt).toEqual(expect.any(String));
    expect((await inbox('cat')).unread).toBe(0);
    const anonymous = await supergraph.graphql(`mutation { markAllNotificationsRead { count } }`);
    expect(anonymous.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('serves preferences, mark-all and stats to the right roles, and answers bad input with a coded error and the request id', async () => {
    tokens.analyst ??= await supergraph.token('ANALYST', 'e2e-analyst');
    const preferences = `mutation($input: NotificationPreferencesInput!) {
      updateNotificationPreferences(input: $input) { preferences { emailEnabled webhookUrl quietHours { start end timeZone } } userErrors { field code } } }`;
    const refused = await supergraph.graphql(
      preferences,
      { input: { webhookUrl: 'http://hooks.example.com/x' } },
      { token: tokens.amy },
    );
    expect(refused.body.data.updateNotificationPreferences).toEqual({
      preferences: null,
      userErrors: [{ field: ['input', 'webhookUrl'], code: 'INVALID_WEBHOOK_URL' }],
    });
    // The egress policy, as a client meets it: internal addresses are refused with their own code.
    for (const webhookUrl of [
      'https://127.0.0.1:4004/',
      'https://10.0.0.1/',
      'https://169.254.169.254/latest/meta-data/',
      'https://[::ffff:127.0.0.1]/',
      'https://2130706433/',
      'https://metadata.google.internal/',
    ]) {
      const internal = await supergraph.graphql(
        preferences,
        { input: { webhookUrl } },
        { token: tokens.amy },
      );
      expect(internal.body.data.updateNotificationPreferences, webhookUrl).toEqual({
        preferences: null,
        userErrors: [{ field: ['input', 'webhookUrl'], code: 'WEBHOOK_URL_NOT_ALLOWED' }],
      });
    }
    const saved = await supergraph.graphql(
      preferences,
      {
        input: {
          webhookUrl: 'https://hooks.example.com/amy',
          emailEnabled: false,
          quietHours: { start: '22:00', end: '07:00', timeZone: 'Europe/Paris' },
        },
      },
      { token: tokens.amy },
    );
    expect(saved.body.data.updateNotificationPreferences.userErrors).toEqual([]);
    const me = await supergraph.graphql(
      `{ me { notificationPreferences { emailEnabled webhookUrl webhookSigningSecret quietHours { start end timeZone } } } }`,
      {},
      { token: tokens.amy },
    );
    expect(me.body.data.me.notificationPreferences).toEqual({
      emailEnabled: false,
      webhookUrl: 'https://hooks.example.com/amy',
      webhookSigningSecret: expect.stringMatching(/^whsec_/),
      quietHours: { start: '22:00', end: '07:00', timeZone: 'Europe/Paris' },
    });

    const before = await inbox('amy');
    expect(before.unread).toBeGreaterThan(0);
    const markAll = await supergraph.graphql(
      `mutation { markAllNotificationsRead { count userErrors { code } } }`,
      {},
      { token: tokens.amy },
    );
    expect(markAll.body.data.markAllNotificationsRead).toEqual({ count: before.unread, userErrors: [] });
    expect((await inbox('amy')).unread).toBe(0);

    const stats = `{ notificationStats(days: 1) { day channel sent failed dead } }`;
    const analyst = await supergraph.graphql(stats, {}, { token: tokens.analyst });
    expect(analyst.body.data.notificationStats).toContainEqual({
      day: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
      channel: 'IN_APP',
      sent: expect.any(Number),
      failed: 0,
      dead: 0,
    });
    const traveler = await supergraph.graphql(stats, {}, { token: tokens.amy });
    expect(traveler.body.errors?.[0]?.extensions).toMatchObject({
      code: 'FORBIDDEN',
      requestId: expect.any(String),
    });

    const forged = Buffer.from(JSON.stringify(['not-a-date', 'x'])).toString('base64url');
    const badCursor = await supergraph.graphql(
      `query($after: String) { me { notifications(first: 5, after: $after) { totalCount } } }`,
      { after: forged },
      { token: tokens.amy },
    );
    expect(badCursor.body.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      requestId: expect.any(String),
    });
    expect(JSON.stringify(badCursor.body)).not.toMatch(/stack|timestamp with time zone/);
    const badDays = await supergraph.graphql(
      `{ notificationStats(days: 0) { day } }`,
      {},
      { token: tokens.analyst },
    );
    expect(badDays.body.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      requestId: expect.any(String),
    });
  });
});
