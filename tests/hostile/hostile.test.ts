/**
 * `npm run test:hostile`: malformed and hostile requests against the whole stack in production
 * settings, every service its own process. Passes when nothing answers 5xx, nothing crashes,
 * every error is coded and carries its request id, no answer shows internals, no service logs
 * at error level, and every service is healthy after every batch.
 *
 * `npm test` runs a deterministic subset (HOSTILE_COUNT, about 300); HOSTILE_FULL=1 runs all of
 * it. HOSTILE_SEED changes the generated requests; HOSTILE_ONLY sends chosen cases again.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { mintToken } from '@traveloure/gateway/tokens';
import {
  categories,
  fastSubset,
  generateCases,
  type Caller,
  type Category,
  type Fixture,
  type HostileCase,
} from './generator.ts';
import { excerpt, judge, send } from './judge.ts';
import { levelNumber, startHostileStack, subgraphNames, type HostileStack, type LogLine } from './stack.ts';

const seed = Number(process.env.HOSTILE_SEED ?? 20_261_201);
const full = process.env.HOSTILE_FULL === '1';
const fastCount = Number(process.env.HOSTILE_COUNT ?? 300);
const concurrency = Number(process.env.HOSTILE_CONCURRENCY ?? 6);
const requestTimeoutMs = 10_000;
/** HOSTILE_ONLY=idor,oversized#35: send just these categories or cases again (same seed, same requests). */
const only = new Set(
  (process.env.HOSTILE_ONLY ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean),
);

interface Outcome {
  testCase: HostileCase;
  status: number;
  ms: number;
  problems: string[];
  codes: string[];
  body: string;
}

interface BatchFigures {
  category: Category;
  sent: number;
  failed: number;
  fiveHundreds: number;
  errorLines: number;
  ms: number;
  healthy: boolean;
}

describe('hostile requests against the production stack', () => {
  let stack: HostileStack;
  let fixture: Fixture;
  let cases: HostileCase[] = [];
  let secrets: string[] = [];
  const tokens = new Map<string, Promise<string>>();
  const figures: BatchFigures[] = [];
  const errorLines: (LogLine & { category: Category })[] = [];
  const started = Date.now();
  let identitiesAt = 0;
  let refreshing: Promise<void> | undefined;

  const tokenFor = (caller: Caller) => {
    if (caller === 'anonymous') return undefined;
    const userId =
      caller === 'A'
        ? fixture.userA
        : caller === 'B'
          ? fixture.userB
          : caller === 'admin'
            ? 'hostile-admin'
            : caller.slice(5);
    if (!tokens.has(userId)) {
      tokens.set(
        userId,
        mintToken({
          role: caller === 'admin' ? 'ADMIN' : 'TRAVELER',
          userId,
          secret: stack.jwtSecret,
          email: caller === 'B' ? secrets[0] : undefined,
        }),
      );
    }
    return tokens.get(userId)!;
  };

  const gateway = async <T = any>(
    query: string,
    variables: Record<string, unknown> = {},
    caller: Caller = 'A',
  ) => {
    const token = await tokenFor(caller);
    const response = await fetch(stack.gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await response.json()) as { data?: T; errors?: unknown[] };
    if (body.errors) throw new Error(`setup query failed: ${JSON.stringify(body.errors)}`);
    return body.data as T;
  };

  /** Signed identities expire in a minute: A asks every subgraph something, and the proxies keep them. */
  const refreshIdentities = async () => {
    if (Date.now() - identitiesAt < 20_000) return;
    refreshing ??= (async () => {
      await gateway(
        '{ me { id notifications(first: 1) { totalCount } } experts(first: 1) { id } searchHotels(input: { cityCode: "PAR", checkIn: "2027-05-01", checkOut: "2027-05-02" }) { meta { provider } } }',
      );
      for (const name of subgraphNames) {
        if (!stack.capturedIdentity(name, fixture.userA)) throw new Error(`no identity captured for ${name}`);
      }
      identitiesAt = Date.now();
    })().finally(() => (refreshing = undefined));
    await refreshing;
  };

  const run = async (testCase: HostileCase): Promise<Outcome> => {
    const headers: Record<string, string> = { ...testCase.headers, connection: 'close' };
    let url: string;
    if (testCase.target === 'gateway') {
      url = stack.gatewayUrl;
      const token = await tokenFor(testCase.caller);
      if (token && !Object.keys(headers).some((name) => name.toLowerCase() === 'authorization')) {
        headers.authorization = `Bearer ${token}`;
      }
    } else {
      url = stack.subgraphUrl[testCase.target];
      await refreshIdentities();
      const identity =
        testCase.identityHeader !== undefined
          ? testCase.identityHeader
          : stack.capturedIdentity(testCase.identityFrom ?? testCase.target, fixture.userA);
      if (identity !== null && identity !== undefined) headers['x-traveloure-identity'] = identity;
    }
    const answer = await send(url, testCase, headers, testCase.timeoutMs ?? requestTimeoutMs);
    const verdict = judge(testCase, answer, secrets);
    return { testCase, status: answer.status, ms: answer.ms, body: answer.text, ...verdict };
  };

  /** A small worker pool: a fixed number of requests in flight, in the generated order. */
  const runAll = async (batch: HostileCase[]) => {
    const outcomes: Outcome[] = new Array(batch.length);
    let next = 0;
    await Promise.all(
      Array.from({ length: Math.min(concurrency, batch.length) }, async () => {
        while (next < batch.length) {
          const index = next++;
          outcomes[index] = await run(batch[index]!);
        }
      }),
    );
    return outcomes;
  };

  const describeFailure = (outcome: Outcome) => {
    const { testCase } = outcome;
    return `[${testCase.category}] ${testCase.id} ${testCase.target} ${testCase.method} ${testCase.path.slice(0, 60)} (${testCase.caller}) "${testCase.summary}" -> ${outcome.status || 'no answer'}: ${outcome.problems.join('; ')} | body: ${excerpt(outcome.body)}`;
  };

  beforeAll(async () => {
    stack = await startHostileStack({
      env: {
        // The suite wants its requests to reach every layer, not to be turned back as a flood.
        RATE_LIMIT_ANONYMOUS: '1000000',
        RATE_LIMIT_USER: '1000000',
      },
    });
    const marker = randomBytes(6).toString('hex');
    secrets = [
      `b-private-${marker}@example.com`,
      `B-TRIP-${marker}`,
      `B-ITEM-${marker}`,
      `B-NOTES-${marker}`,
      `B-MESSAGE-${marker}`,
      `B-NOTIFICATION-${marker}`,
    ];
    const userA = `hostile-a-${marker}`;
    const userB = `hostile-b-${marker}`;
    fixture = {
      signingSecret: stack.signingSecret,
      jwtSecret: stack.jwtSecret,
      userA,
      userB,
      tripA: '',
      tripB: '',
      itemB: '',
      conversationA: '',
      conversationB: '',
      notificationB: '',
      expertId: '',
    };
    // No demo data in production: the expert and B's notification are written as their services would.
    const database = new pg.Client({ connectionString: stack.databaseUrl });
    await database.connect();
    try {
      const expert = await database.query<{ id: string }>(
        "insert into ai.experts (id, name, bio, languages, specialties, destinations, rating) values (gen_random_uuid(), 'Hostile Expert', 'Knows Paris.', '{en}', '{food}', '{PAR}', 4.5) returning id",
      );
      fixture.expertId = expert.rows[0]!.id;
      const notification = await database.query<{ id: string }>(
        "insert into notification.notifications (user_id, kind, severity, title, body, dedupe_key) values ($1, 'SYSTEM', 'INFO', $2, $3, 'hostile') returning id",
        [userB, secrets[5], `${secrets[5]}-body`],
      );
      fixture.notificationB = notification.rows[0]!.id;
    } finally {
      await database.end();
    }
    const createTrip = `mutation($title: String!) { createTrip(input: { title: $title, destinationCode: "PAR", startDate: "2027-05-01", endDate: "2027-05-04" }) { trip { id } userErrors { message } } }`;
    fixture.tripB = (await gateway(createTrip, { title: secrets[1] }, 'B')).createTrip.trip.id;
    fixture.tripA = (await gateway(createTrip, { title: 'A trip' }, 'A')).createTrip.trip.id;
    fixture.itemB = (
      await gateway(
        `mutation { addItineraryItem(tripId: "${fixture.tripB}", input: { kind: NOTE, title: "${secrets[2]}", notes: "${secrets[3]}", startTime: "2027-05-01T10:00:00Z" }) { item { id } } }`,
        {},
        'B',
      )
    ).addItineraryItem.item.id;
    const start = `mutation($trip: ID) { startConversation(expertId: "${fixture.expertId}", tripId: $trip) { conversation { id } userErrors { message } } }`;
    // The ai subgraph learns of a trip through its events (outbox, relay, queue): until they
    // arrive, a conversation on it is refused as a trip it does not know.
    const startOn = async (trip: string, caller: Caller) => {
      const deadline = Date.now() + 30_000;
      for (;;) {
        const payload = (await gateway(start, { trip }, caller)).startConversation;
        if (payload.conversation) return payload.conversation.id as string;
        if (Date.now() > deadline)
          throw new Error(`startConversation: ${JSON.stringify(payload.userErrors)}`);
        await new Promise((r) => setTimeout(r, 250));
      }
    };
    fixture.conversationB = await startOn(fixture.tripB, 'B');
    fixture.conversationA = await startOn(fixture.tripA, 'A');
    await gateway(
      `mutation { sendMessage(conversationId: "${fixture.conversationB}", body: "${secrets[4]}") { message { id } } }`,
      {},
      'B',
    );
    const preferences = await gateway('{ me { notificationPreferences { webhookSigningSecret } } }', {}, 'B');
    secrets.push(preferences.me.notificationPreferences.webhookSigningSecret);
    await refreshIdentities();

    const all = await generateCases(seed, fixture);
    cases = only.size
      ? all.filter((testCase) => only.has(testCase.id) || only.has(testCase.category))
      : full
        ? all
        : fastSubset(all, seed, fastCount);
  }, 600_000);

  afterAll(async () => {
    const report = {
      seed,
      mode: full ? 'full' : `subset of ${fastCount}`,
      requests: figures.reduce((sum, batch) => sum + batch.sent, 0),
      failed: figures.reduce((sum, batch) => sum + batch.failed, 0),
      fiveHundreds: figures.reduce((sum, batch) => sum + batch.fiveHundreds, 0),
      errorLines: errorLines.length,
      crashed:
        stack?.exited().map((running) => `${running.name} (${running.exit?.code ?? running.exit?.signal})`) ??
        [],
      seconds: Math.round((Date.now() - started) / 1000),
      batches: figures,
    };
    const path = join(tmpdir(), 'traveloure-hostile-report.json');
    writeFileSync(path, JSON.stringify(report, null, 2));
    console.log(
      `hostile: ${report.requests} requests (${report.mode}, seed ${seed}), ${report.failed} failed, ${report.fiveHundreds} 5xx, ${report.errorLines} error lines, ${report.crashed.length} crashed, ${report.seconds} s; report in ${path}\n` +
        figures
          .map(
            (batch) =>
              `  ${batch.category.padEnd(20)} ${String(batch.sent).padStart(4)} sent ${String(batch.failed).padStart(4)} failed ${String(batch.fiveHundreds).padStart(3)} 5xx ${String(batch.errorLines).padStart(3)} error lines ${batch.healthy ? 'healthy' : 'UNHEALTHY'} ${batch.ms} ms`,
          )
          .join('\n'),
    );
    await stack?.close();
  }, 60_000);

  for (const category of categories) {
    it(`${category}: no 5xx, coded errors with request ids, no internals, no error logs, healthy after`, async (context) => {
      const batch = cases.filter((testCase) => testCase.category === category);
      if (only.size && batch.length === 0) return context.skip();
      expect(batch.length, 'the generator made no case for this category').toBeGreaterThan(0);
      const logStart = stack.logs.length;
      const batchStarted = Date.now();
      const outcomes = await runAll(batch);
      // Lines about the last requests may still be on their way through the pipes.
      await new Promise((r) => setTimeout(r, 300));
      const lines = stack.logs
        .slice(logStart)
        .filter((line) => levelNumber(line.level) >= 50 || line.level === 'raw');
      errorLines.push(...lines.map((line) => ({ ...line, category })));
      const health = await stack.health();
      const unhealthy = Object.entries(health)
        .filter(
          ([, report]) => report.live !== 200 || report.ready !== 200 || report.readyStatus === 'unavailable',
        )
        .map(
          ([name, report]) =>
            `${name}: /health ${report.live}, /health/ready ${report.ready} ${report.readyStatus ?? ''}`,
        );
      const crashed = stack
        .exited()
        .map((running) => `${running.name} exited (${running.exit?.code ?? running.exit?.signal})`);
      const failures = outcomes.filter((outcome) => outcome.problems.length > 0);
      figures.push({
        category,
        sent: outcomes.length,
        failed: failures.length,
        fiveHundreds: outcomes.filter((outcome) => outcome.status >= 500).length,
        errorLines: lines.length,
        ms: Date.now() - batchStarted,
        healthy: unhealthy.length === 0 && crashed.length === 0,
      });
      if (category === 'idor') await expectBUntouched();

      const report = [
        ...crashed.map((line) => `CRASH ${line}`),
        ...unhealthy.map((line) => `UNHEALTHY ${line}`),
        ...failures.map(describeFailure),
        ...lines.map(
          (line) =>
            `${line.level === 'raw' ? 'UNSTRUCTURED OUTPUT' : 'ERROR LOG'} ${line.service}: ${excerpt(line.raw, 300)}`,
        ),
      ];
      expect(
        report,
        `${report.length} problems in ${category} (${failures.length} of ${outcomes.length} requests):\n${report.join('\n')}`,
      ).toEqual([]);
    }, 600_000);
  }

  /** After A's attempts, B's trip, item, conversation and notification are as B left them. */
  async function expectBUntouched() {
    const mine = await gateway(
      `{ trip(id: "${fixture.tripB}") { title items { title notes } } conversation(id: "${fixture.conversationB}") { messages { edges { node { body } } } } me { notifications { edges { node { id readAt } } } } }`,
      {},
      'B',
    );
    expect(mine.trip, "B's trip was deleted or hidden from B").not.toBeNull();
    expect(mine.trip.title).toBe(secrets[1]);
    expect(mine.trip.items).toEqual([{ title: secrets[2], notes: secrets[3] }]);
    const bodies = mine.conversation.messages.edges.map((edge: any) => edge.node.body);
    expect(
      bodies.filter((body: string) => body === 'planted'),
      "A wrote into B's conversation",
    ).toEqual([]);
    const notification = mine.me.notifications.edges.find(
      (edge: any) => edge.node.id === fixture.notificationB,
    );
    expect(notification?.node.readAt ?? null, "A marked B's notification read").toBeNull();
  }

  it('no service crashed or wrote an error-level line during the run', () => {
    expect(stack.exited().map((running) => running.name)).toEqual([]);
    expect(errorLines.map((line) => `${line.category} ${line.service}: ${excerpt(line.raw, 300)}`)).toEqual(
      [],
    );
  });

  it(`sends ${full ? 'at least 1,500 requests' : 'a subset that touches every category'}`, (context) => {
    if (only.size) return context.skip();
    const sent = figures.reduce((sum, batch) => sum + batch.sent, 0);
    if (full) expect(sent).toBeGreaterThanOrEqual(1_500);
    expect(new Set(figures.map((batch) => batch.category))).toEqual(new Set(categories));
  });
});
