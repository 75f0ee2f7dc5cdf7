/**
 * Malformed and hostile requests, generated from a seed: the same seed gives the same requests
 * (tokens and ids of the fixture aside), so a failure found once can be sent again.
 */
import { SignJWT } from 'jose';
import prand from 'pure-rand';
import type { SubgraphName } from './stack.ts';

export const categories = [
  'broken-json',
  'wrong-json-types',
  'invalid-utf8-nul',
  'huge-values',
  'deep-json',
  'deep-graphql',
  'alias-flood',
  'fragment-flood',
  'directive-flood',
  'many-operations',
  'content-type-method',
  'oversized',
  'batched',
  'persisted-query',
  'injection',
  'forged-identity',
  'idor',
] as const;
export type Category = (typeof categories)[number];

/** Who a request is sent as: a bearer token at the gateway, the gateway's signature at a subgraph. */
export type Caller = 'anonymous' | 'A' | 'B' | 'admin' | `user:${string}`;

export interface HostileCase {
  id: string;
  category: Category;
  summary: string;
  target: 'gateway' | SubgraphName;
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
  caller: Caller;
  /** At a subgraph: this exact identity header instead of the caller's real one (forgeries). */
  identityHeader?: string | null;
  /**
   * At a subgraph: the identity header the gateway signed for the caller at this other subgraph
   * (a signature replayed where it was not meant to go).
   */
  identityFrom?: SubgraphName;
  /** Content-Length to declare when it is not the body's (a lie). */
  declaredLength?: number;
  timeoutMs?: number;
  /** Strings the request carries that an answer may echo (kept out of the internals scan). */
  echoes: string[];
  expect?: {
    status?: number[];
    /** At least one error must carry one of these codes. */
    codes?: string[];
    /** Must not appear anywhere in the answer (another user's data). */
    secrets?: boolean;
    /** Paths in the answer that must be null or absent (e.g. a conversation opened on B's trip). */
    nullPaths?: string[][];
  };
}

export interface Fixture {
  signingSecret: string;
  jwtSecret: string;
  userA: string;
  userB: string;
  tripA: string;
  tripB: string;
  itemB: string;
  conversationA: string;
  conversationB: string;
  notificationB: string;
  expertId: string;
}

const json = (value: unknown) => Buffer.from(JSON.stringify(value));
const gql = (query: string, variables?: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  json({ query, ...(variables ? { variables } : {}), ...extra });
const jsonHeaders = { 'content-type': 'application/json' };
/** The header Apollo's CSRF prevention asks of a GET, so the request reaches the operation. */
const preflight = { 'apollo-require-preflight': '1' };
/** A GET of `path`, with no body. */
const getOf = (path: string, headers: Record<string, string> = preflight) =>
  ({ method: 'GET', path, headers, body: undefined }) as const;
const limit = 'OPERATION_LIMIT_EXCEEDED';
const subgraphs: SubgraphName[] = ['trip', 'ai', 'search', 'notification'];

/** A seeded stream of choices (pure-rand's xoroshiro128+). */
export class Choices {
  private rng: prand.RandomGenerator;
  constructor(seed: number) {
    this.rng = prand.xoroshiro128plus(seed);
  }
  int(min: number, max: number): number {
    const [value, next] = prand.uniformIntDistribution(min, max, this.rng);
    this.rng = next;
    return value;
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(0, items.length - 1)]!;
  }
  shuffle<T>(items: readonly T[]): T[] {
    const copy = [...items];
    for (let index = copy.length - 1; index > 0; index--) {
      const other = this.int(0, index);
      [copy[index], copy[other]] = [copy[other]!, copy[index]!];
    }
    return copy;
  }
  hex(length: number): string {
    let text = '';
    while (text.length < length) text += this.int(0, 15).toString(16);
    return text;
  }
}

/** SQL, path, template and command injection strings, each sent in every string argument. */
export const injectionPayloads = [
  "' OR '1'='1",
  "' OR 1=1 --",
  "'; DROP TABLE trip.trips; --",
  '" OR ""="',
  "1' UNION SELECT null, current_user, version() --",
  '1; SELECT pg_sleep(3) --',
  "' AND 1=(SELECT COUNT(*) FROM information_schema.tables) --",
  "admin'--",
  "%' AND '1'='1",
  '\\',
  "'",
  '../../../../etc/passwd',
  '..%2f..%2f..%2fetc%2fpasswd',
  '..\\..\\..\\windows\\win.ini',
  '/etc/passwd%00.png',
  'file:///etc/passwd',
  '{{7*7}}${7*7}<%= 7*7 %>',
  '$(id)`id`;id|id',
  '<script>alert(1)</script>',
  '{"$gt": ""}',
  '*)(uid=*))(|(uid=*',
  '\u202e\ufeff\u200b',
];

/** Every string (or ID) argument of the API with a slot for the payload ($s). */
function injectionSlots(fixture: Fixture): { name: string; query: string; caller?: Caller }[] {
  const { tripA, conversationA, expertId } = fixture;
  const flight = (field: string) =>
    `query($s: String!) { searchFlights(input: { origin: "NYC", destination: "PAR", departureDate: "2027-05-01", ${field}: $s }) { meta { provider } } }`;
  const hotel = (field: string) =>
    `query($s: String!) { searchHotels(input: { cityCode: "PAR", checkIn: "2027-05-01", checkOut: "2027-05-04", ${field}: $s }) { meta { provider } } }`;
  const item = (field: string) =>
    `mutation($s: String!) { addItineraryItem(tripId: "${tripA}", input: { kind: NOTE, title: "t", startTime: "2027-05-01T10:00:00Z", ${field}: $s }) { item { id } userErrors { code } } }`;
  return [
    { name: 'trip(id)', query: 'query($s: ID!) { trip(id: $s) { id } }' },
    { name: 'user(id)', query: 'query($s: ID!) { user(id: $s) { id } }' },
    { name: 'destination(code)', query: 'query($s: ID!) { destination(code: $s) { code } }' },
    {
      name: 'destinations(search)',
      query: 'query($s: String) { destinations(search: $s, first: 5) { code } }',
    },
    { name: 'trips(after)', query: 'query($s: String) { trips(first: 2, after: $s) { totalCount } }' },
    {
      name: 'me.trips(after)',
      query: 'query($s: String) { me { trips(first: 2, after: $s) { totalCount } } }',
    },
    {
      name: 'me.notifications(after)',
      query: 'query($s: String) { me { notifications(first: 2, after: $s) { totalCount } } }',
    },
    {
      name: 'experts(destinationCode)',
      query: 'query($s: String) { experts(destinationCode: $s, first: 3) { id } }',
    },
    { name: 'experts(specialty)', query: 'query($s: String) { experts(specialty: $s, first: 3) { id } }' },
    { name: 'conversation(id)', query: 'query($s: ID!) { conversation(id: $s) { id } }' },
    {
      name: 'myConversations(after)',
      query: 'query($s: String) { myConversations(first: 2, after: $s) { totalCount } }',
    },
    {
      name: 'conversation.messages(after)',
      query: `query($s: String) { conversation(id: "${conversationA}") { messages(first: 2, after: $s) { totalCount } } }`,
    },
    { name: 'itinerarySuggestion(id)', query: 'query($s: ID!) { itinerarySuggestion(id: $s) { id } }' },
    { name: 'searchFlights.origin', query: flight('origin').replace('origin: "NYC", ', '') },
    { name: 'searchFlights.destination', query: flight('destination').replace('destination: "PAR", ', '') },
    { name: 'searchFlights.currency', query: flight('currency') },
    { name: 'searchHotels.cityCode', query: hotel('cityCode').replace('cityCode: "PAR", ', '') },
    { name: 'searchHotels.currency', query: hotel('currency') },
    {
      name: 'trip.flightOffers(origin)',
      query: `query($s: String!) { trip(id: "${tripA}") { flightOffers(origin: $s) { meta { provider } } } }`,
    },
    {
      name: 'trip.itinerarySuggestion(interests)',
      query: `query($s: String!) { trip(id: "${tripA}") { itinerarySuggestion(preferences: { interests: [$s] }) { id } } }`,
    },
    {
      name: 'createTrip.title',
      query:
        'mutation($s: String!) { createTrip(input: { title: $s, destinationCode: "PAR", startDate: "2027-05-01", endDate: "2027-05-04" }) { trip { id } userErrors { code } } }',
    },
    {
      name: 'createTrip.destinationCode',
      query:
        'mutation($s: String!) { createTrip(input: { title: "t", destinationCode: $s, startDate: "2027-05-01", endDate: "2027-05-04" }) { trip { id } userErrors { code } } }',
    },
    {
      name: 'updateTrip(id)',
      query:
        'mutation($s: ID!) { updateTrip(id: $s, input: { title: "x" }) { trip { id } userErrors { code } } }',
    },
    {
      name: 'updateTrip.title',
      query: `mutation($s: String) { updateTrip(id: "${tripA}", input: { title: $s }) { trip { id } userErrors { code } } }`,
    },
    {
      name: 'updateTrip.destinationCode',
      query: `mutation($s: String) { updateTrip(id: "${tripA}", input: { destinationCode: $s }) { trip { id } userErrors { code } } }`,
    },
    {
      name: 'deleteTrip(id)',
      query: 'mutation($s: ID!) { deleteTrip(id: $s) { deletedTripId userErrors { code } } }',
    },
    {
      name: 'addItineraryItem(tripId)',
      query:
        'mutation($s: ID!) { addItineraryItem(tripId: $s, input: { kind: NOTE, title: "t", startTime: "2027-05-01T10:00:00Z" }) { item { id } userErrors { code } } }',
    },
    { name: 'addItineraryItem.title', query: item('title').replace('title: "t", ', '') },
    { name: 'addItineraryItem.notes', query: item('notes') },
    { name: 'addItineraryItem.location', query: item('location') },
    {
      name: 'addItineraryItem.cost.amount',
      query: `mutation($s: String!) { addItineraryItem(tripId: "${tripA}", input: { kind: NOTE, title: "t", startTime: "2027-05-01T10:00:00Z", cost: { amount: $s, currency: "EUR" } }) { item { id } userErrors { code } } }`,
    },
    {
      name: 'addItineraryItem.cost.currency',
      query: `mutation($s: String!) { addItineraryItem(tripId: "${tripA}", input: { kind: NOTE, title: "t", startTime: "2027-05-01T10:00:00Z", cost: { amount: "1.00", currency: $s } }) { item { id } userErrors { code } } }`,
    },
    {
      name: 'updateItineraryItem(id)',
      query:
        'mutation($s: ID!) { updateItineraryItem(id: $s, input: { title: "x" }) { item { id } userErrors { code } } }',
    },
    {
      name: 'removeItineraryItem(id)',
      query: 'mutation($s: ID!) { removeItineraryItem(id: $s) { removedItemId userErrors { code } } }',
    },
    {
      name: 'planItinerary.destinationCode',
      query:
        'mutation($s: String!) { planItinerary(input: { destinationCode: $s, startDate: "2027-05-01", endDate: "2027-05-03", travelers: 1, budget: MIDRANGE, pace: MODERATE }) { suggestion { id } userErrors { code } } }',
    },
    {
      name: 'planItinerary.interests',
      query:
        'mutation($s: String!) { planItinerary(input: { destinationCode: "PAR", startDate: "2027-05-01", endDate: "2027-05-03", travelers: 1, budget: MIDRANGE, pace: MODERATE, interests: [$s] }) { suggestion { id } userErrors { code } } }',
    },
    {
      name: 'startConversation(expertId)',
      query:
        'mutation($s: ID!) { startConversation(expertId: $s) { conversation { id } userErrors { code } } }',
    },
    {
      name: 'startConversation(tripId)',
      query: `mutation($s: ID) { startConversation(expertId: "${expertId}", tripId: $s) { conversation { id } userErrors { code } } }`,
    },
    {
      name: 'sendMessage(conversationId)',
      query:
        'mutation($s: ID!) { sendMessage(conversationId: $s, body: "hello") { message { id } userErrors { code } } }',
    },
    {
      name: 'sendMessage.body',
      query: `mutation($s: String!) { sendMessage(conversationId: "${conversationA}", body: $s) { message { id } userErrors { code } } }`,
    },
    {
      name: 'replyAsExpert(conversationId)',
      query:
        'mutation($s: ID!) { replyAsExpert(conversationId: $s, body: "hello") { message { id } userErrors { code } } }',
    },
    {
      name: 'markNotificationRead(id)',
      query: 'mutation($s: ID!) { markNotificationRead(id: $s) { notification { id } userErrors { code } } }',
    },
    {
      name: 'updateNotificationPreferences.webhookUrl',
      query:
        'mutation($s: String) { updateNotificationPreferences(input: { webhookUrl: $s }) { preferences { emailEnabled } userErrors { code } } }',
    },
    {
      name: 'updateNotificationPreferences.quietHours.start',
      query:
        'mutation($s: String!) { updateNotificationPreferences(input: { quietHours: { start: $s, end: "07:00" } }) { preferences { emailEnabled } userErrors { code } } }',
    },
    {
      name: 'updateNotificationPreferences.quietHours.timeZone',
      query:
        'mutation($s: String) { updateNotificationPreferences(input: { quietHours: { start: "22:00", end: "07:00", timeZone: $s } }) { preferences { emailEnabled } userErrors { code } } }',
    },
    {
      name: 'broadcastEmergencyAlert.destinationCode',
      query:
        'mutation($s: String!) { broadcastEmergencyAlert(input: { destinationCode: $s, severity: INFO, title: "t", body: "b" }) { recipients userErrors { code } } }',
    },
    {
      name: 'broadcastEmergencyAlert.title (admin)',
      // The destination has no trips of anyone under way, so an admin's alert reaches nobody.
      query:
        'mutation($s: String!) { broadcastEmergencyAlert(input: { destinationCode: "REK", severity: INFO, title: $s, body: "b" }) { recipients userErrors { code } } }',
      caller: 'admin',
    },
  ];
}

/** `[[[...]]]` nested `depth` deep around a value. */
function deepArray(depth: number, inner = '1'): string {
  return '['.repeat(depth) + inner + ']'.repeat(depth);
}
function deepObject(depth: number): string {
  return '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
}

async function forgedTokens(fixture: Fixture, choices: Choices) {
  const identity = {
    requestId: `forged-${choices.hex(12)}`,
    user: { id: fixture.userB, roles: ['ADMIN'] },
  };
  const secret = new TextEncoder().encode(fixture.signingSecret);
  const wrong = new TextEncoder().encode(`${fixture.signingSecret}-not`);
  const sign = (
    payload: Record<string, unknown>,
    key: Uint8Array,
    options: { audience?: string; issuer?: string; exp?: number | string; alg?: string } = {},
  ) => {
    const jwt = new SignJWT(payload)
      .setProtectedHeader({ alg: options.alg ?? 'HS256' })
      .setIssuedAt()
      .setExpirationTime(options.exp ?? '60s');
    if (options.audience !== '') jwt.setAudience(options.audience ?? 'traveloure-subgraphs');
    if (options.issuer !== '') jwt.setIssuer(options.issuer ?? 'traveloure-gateway');
    return jwt.sign(key);
  };
  const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  const unsignedBody = `${base64url({ identity, aud: 'traveloure-subgraphs', iss: 'traveloure-gateway', exp: now + 60 })}`;
  return [
    { name: 'no identity header', header: null },
    { name: 'empty identity header', header: '' },
    { name: 'garbage identity header', header: 'not-a-token' },
    { name: 'alg none', header: `${base64url({ alg: 'none', typ: 'JWT' })}.${unsignedBody}.` },
    { name: 'alg none, forged signature', header: `${base64url({ alg: 'none' })}.${unsignedBody}.c2ln` },
    { name: 'wrong secret', header: await sign({ identity }, wrong) },
    { name: 'expired', header: await sign({ identity }, secret, { exp: now - 3600 }) },
    { name: 'wrong audience', header: await sign({ identity }, secret, { audience: 'traveloure-api' }) },
    { name: 'no audience', header: await sign({ identity }, secret, { audience: '' }) },
    { name: 'wrong issuer', header: await sign({ identity }, secret, { issuer: 'traveloure' }) },
    { name: 'HS512', header: await sign({ identity }, secret, { alg: 'HS512' }) },
    { name: 'no identity claim', header: await sign({ user: identity.user }, secret) },
    {
      name: 'identity without request id',
      header: await sign({ identity: { user: identity.user } }, secret),
    },
    {
      name: "a user's bearer token as identity",
      header: await sign(
        { roles: ['ADMIN'], sub: fixture.userB },
        new TextEncoder().encode(fixture.jwtSecret),
        {
          audience: 'traveloure-api',
          issuer: 'traveloure',
        },
      ),
    },
    { name: 'Bearer prefix', header: `Bearer ${await sign({ identity }, wrong)}` },
    { name: 'two tokens', header: `${await sign({ identity }, wrong)}, ${await sign({ identity }, wrong)}` },
  ];
}

/**
 * Every request of the suite. Each category makes its cases from its own seeded stream, so
 * adding a category or a case leaves the others' requests as they were.
 */
export async function generateCases(seed: number, fixture: Fixture): Promise<HostileCase[]> {
  const cases: HostileCase[] = [];
  const counters = new Map<Category, number>();
  const add = (
    category: Category,
    partial: Omit<
      HostileCase,
      'id' | 'category' | 'echoes' | 'path' | 'method' | 'headers' | 'caller' | 'target'
    > &
      Partial<Pick<HostileCase, 'echoes' | 'path' | 'method' | 'headers' | 'caller' | 'target'>>,
  ) => {
    const index = counters.get(category) ?? 0;
    counters.set(category, index + 1);
    cases.push({
      target: 'gateway',
      method: 'POST',
      path: '/graphql',
      headers: jsonHeaders,
      caller: 'A',
      echoes: [],
      ...partial,
      id: `${category}#${index}`,
      category,
    });
  };
  const streamFor = (category: Category) => new Choices(seed ^ (categories.indexOf(category) * 0x9e3779b1));
  const everywhere: ('gateway' | SubgraphName)[] = ['gateway', ...subgraphs];

  // broken JSON, at the gateway and at each subgraph (signed as the gateway would sign)
  {
    const choices = streamFor('broken-json');
    const broken = [
      '{"query": "{ __typename }"',
      '{"query": "{ __typename }",}',
      "{'query': '{ __typename }'}",
      '{query: "{ __typename }"}',
      '{"query": "{ __typename }"} trailing',
      '{"query": "{ __typename }"}{"query": "{ __typename }"}',
      '{"query": NaN}',
      '{"query": undefined}',
      '{"query": "{ __typename }" /* comment */}',
      '\ufeff{"query": "{ __typename }"}',
      '',
      ' ',
      '{',
      '}',
      '[',
      '"',
      'null',
      '{"query": "\\x41"}',
      '{"query": "\\u12"}',
      '{"query": "{ __typename }", "variables": {"a": 01}}',
      '{"query": "{ __typename }", "variables": {"a": .5}}',
      '{"query": "{ __typename }", "variables": {"a": +1}}',
      '{"query": "{ __typename }", "variables": {"a": Infinity}}',
      '{"query": "line\nbreak"}',
    ];
    for (const target of everywhere) {
      for (const text of broken)
        add('broken-json', {
          target,
          summary: `${target}: body ${JSON.stringify(text.slice(0, 40))}`,
          body: Buffer.from(text),
        });
      for (let index = 0; index < 6; index++) {
        const valid = JSON.stringify({ query: '{ __typename }', variables: { a: choices.hex(8) } });
        const cut = choices.int(1, valid.length - 2);
        add('broken-json', {
          target,
          summary: `${target}: body cut at byte ${cut}`,
          body: Buffer.from(valid.slice(0, cut)),
        });
      }
    }
  }

  // JSON that parses but has the wrong types
  {
    const wrongBodies: [string, unknown][] = [
      ['body is a number', 42],
      ['body is a string', '{ __typename }'],
      ['body is true', true],
      ['query is a number', { query: 42 }],
      ['query is null', { query: null }],
      ['query is an array', { query: ['{ __typename }'] }],
      ['query is an object', { query: { kind: 'Document' } }],
      ['query is empty', { query: '' }],
      ['no query', { variables: {} }],
      ['variables is a string', { query: '{ __typename }', variables: '{"a":1}' }],
      ['variables is an array', { query: '{ __typename }', variables: [1, 2] }],
      ['variables is a number', { query: '{ __typename }', variables: 5 }],
      ['operationName is a number', { query: 'query A { __typename }', operationName: 1 }],
      ['operationName is an object', { query: 'query A { __typename }', operationName: { a: 1 } }],
      ['extensions is a string', { query: '{ __typename }', extensions: 'x' }],
      ['extensions is an array', { query: '{ __typename }', extensions: [1] }],
      ['extensions is a number', { query: '{ __typename }', extensions: 7 }],
      [
        '__proto__ in variables',
        JSON.parse(
          '{"query":"query($f: Int) { destinations(first: $f) { code } }","variables":{"__proto__":{"f":1},"f":2}}',
        ),
      ],
      ['constructor in body', { query: '{ __typename }', constructor: { prototype: { polluted: true } } }],
    ];
    for (const target of everywhere) {
      for (const [summary, value] of wrongBodies)
        add('wrong-json-types', { target, summary: `${target}: ${summary}`, body: json(value) });
    }
    const createTrip = 'mutation($i: CreateTripInput!) { createTrip(input: $i) { trip { id } } }';
    const tripInput = (fields: Record<string, unknown>) => ({
      i: { title: 't', destinationCode: 'PAR', startDate: '2027-01-01', endDate: '2027-01-02', ...fields },
    });
    const typed: [string, string, Record<string, unknown>][] = [
      ['first is a string', 'query($f: Int) { destinations(first: $f) { code } }', { f: '10' }],
      ['first is a float', 'query($f: Int) { destinations(first: $f) { code } }', { f: 1.5 }],
      ['first is true', 'query($f: Int) { destinations(first: $f) { code } }', { f: true }],
      ['first is an object', 'query($f: Int) { destinations(first: $f) { code } }', { f: { a: 1 } }],
      ['id is an object', 'query($id: ID!) { trip(id: $id) { id } }', { id: { a: 1 } }],
      ['id is an array', 'query($id: ID!) { trip(id: $id) { id } }', { id: ['a'] }],
      ['id is null', 'query($id: ID!) { trip(id: $id) { id } }', { id: null }],
      ['input is a string', createTrip, { i: 'trip' }],
      ['input has unknown field', createTrip, tripInput({ owner: 'x' })],
      ['date is a number', createTrip, tripInput({ startDate: 20270101 })],
      ['date is 2027-13-45', createTrip, tripInput({ startDate: '2027-13-45' })],
      ['enum is lower case', createTrip, tripInput({ budget: 'luxury' })],
      ['travelers is a string', createTrip, tripInput({ travelers: '2' })],
      [
        'DateTime is garbage',
        `mutation($t: DateTime!) { addItineraryItem(tripId: "${fixture.tripA}", input: { kind: NOTE, title: "t", startTime: $t }) { item { id } } }`,
        { t: 'yesterday' },
      ],
      [
        'interests is a string',
        'mutation($i: [String!]) { planItinerary(input: { destinationCode: "PAR", startDate: "2027-05-01", endDate: "2027-05-02", travelers: 1, budget: MIDRANGE, pace: MODERATE, interests: $i }) { userErrors { code } } }',
        { i: 'museums' },
      ],
      [
        'interests has null',
        'mutation($i: [String!]) { planItinerary(input: { destinationCode: "PAR", startDate: "2027-05-01", endDate: "2027-05-02", travelers: 1, budget: MIDRANGE, pace: MODERATE, interests: $i }) { userErrors { code } } }',
        { i: [null] },
      ],
      [
        'boolean is a string',
        'query($u: Boolean) { me { notifications(unreadOnly: $u) { totalCount } } }',
        { u: 'yes' },
      ],
      ['undeclared variable used', '{ destinations(first: $f) { code } }', { f: 1 }],
      ['variable of unknown type', 'query($f: Nope) { __typename }', { f: 1 }],
      ['literal of the wrong type', '{ destinations(first: "ten") { code } }', {}],
      ['unknown field', '{ nope }', {}],
      ['unknown argument', '{ destinations(nope: 1) { code } }', {}],
      ['scalar with a selection', '{ destinations { code { x } } }', {}],
      ['object without a selection', '{ destinations }', {}],
    ];
    for (const [summary, query, variables] of typed)
      add('wrong-json-types', { summary: `gateway: ${summary}`, body: gql(query, variables) });
  }

  // invalid UTF-8 and NUL bytes
  {
    const choices = streamFor('invalid-utf8-nul');
    const prefix = Buffer.from(
      '{"query":"query($s: String) { destinations(search: $s) { code } }","variables":{"s":"',
    );
    const suffix = Buffer.from('"}}');
    const invalid = [
      Buffer.from([0xc3, 0x28]),
      Buffer.from([0xff, 0xfe]),
      Buffer.from([0xc0, 0xaf]),
      Buffer.from([0xe2, 0x82]),
      Buffer.from([0xed, 0xa0, 0x80]),
      Buffer.from([0xf8, 0x88, 0x80, 0x80, 0x80]),
      Buffer.from([0x00]),
      Buffer.from([0x01, 0x1f]),
    ];
    for (const target of everywhere) {
      for (const bytes of invalid) {
        add('invalid-utf8-nul', {
          target,
          summary: `${target}: raw bytes ${bytes.toString('hex')} in a JSON string`,
          body: Buffer.concat([prefix, bytes, suffix]),
        });
      }
      add('invalid-utf8-nul', {
        target,
        summary: `${target}: body of random bytes`,
        body: Buffer.from(Array.from({ length: 64 }, () => choices.int(0, 255))),
      });
      add('invalid-utf8-nul', {
        target,
        summary: `${target}: UTF-16 body`,
        body: Buffer.from('{"query":"{ __typename }"}', 'utf16le'),
      });
    }
    const escaped: [string, string, Record<string, unknown>][] = [
      [
        'NUL in a search string',
        'query($s: String) { destinations(search: $s) { code } }',
        { s: 'PA\u0000R' },
      ],
      ['NUL in a trip id', 'query($s: ID!) { trip(id: $s) { id } }', { s: '\u0000' }],
      [
        'NUL in a trip title',
        'mutation($s: String!) { createTrip(input: { title: $s, destinationCode: "PAR", startDate: "2027-05-01", endDate: "2027-05-02" }) { trip { id } userErrors { code } } }',
        { s: 'a\u0000b' },
      ],
      [
        'NUL in item notes',
        `mutation($s: String!) { addItineraryItem(tripId: "${fixture.tripA}", input: { kind: NOTE, title: "t", startTime: "2027-05-01T10:00:00Z", notes: $s }) { item { id } userErrors { code } } }`,
        { s: '\u0000\u0000' },
      ],
      [
        'NUL in a message',
        `mutation($s: String!) { sendMessage(conversationId: "${fixture.conversationA}", body: $s) { message { id } userErrors { code } } }`,
        { s: 'hi\u0000' },
      ],
      [
        'NUL in a webhook URL',
        'mutation($s: String) { updateNotificationPreferences(input: { webhookUrl: $s }) { userErrors { code } } }',
        { s: 'http://127.0.0.1:9/\u0000' },
      ],
      [
        'NUL in a search origin',
        'query($s: String!) { searchFlights(input: { origin: $s, destination: "PAR", departureDate: "2027-05-01" }) { meta { provider } } }',
        { s: 'NY\u0000' },
      ],
      [
        'NUL in interests',
        'mutation($s: String!) { planItinerary(input: { destinationCode: "PAR", startDate: "2027-05-01", endDate: "2027-05-02", travelers: 1, budget: MIDRANGE, pace: MODERATE, interests: [$s] }) { userErrors { code } } }',
        { s: '\u0000' },
      ],
      [
        'lone surrogate in a title',
        'mutation($s: String!) { createTrip(input: { title: $s, destinationCode: "PAR", startDate: "2027-05-01", endDate: "2027-05-02" }) { trip { id } userErrors { code } } }',
        { s: 'x\ud800y' },
      ],
      [
        'lone surrogate in a search',
        'query($s: String) { destinations(search: $s) { code } }',
        { s: '\udfff' },
      ],
      ['NUL in the query text', '{ destinations(first: 1) { code } }\u0000', {}],
      ['NUL inside a string literal', '{ destinations(search: "a\u0000b") { code } }', {}],
      ['escaped NUL in a literal', '{ destinations(search: "a\\u0000b") { code } }', {}],
      ['NUL in the operation name', 'query A\u0000B { __typename }', {}],
      [
        'NUL in a variable name',
        'mutation($s: String) { updateNotificationPreferences(input: { webhookUrl: $s }) { userErrors { code } } }',
        { 's\u0000': 'x' },
      ],
    ];
    for (const [summary, query, variables] of escaped) {
      add('invalid-utf8-nul', { summary: `gateway: ${summary}`, body: gql(query, variables) });
      // The same straight at the subgraph that owns the field, past the gateway's checks.
      const owner: SubgraphName = /webhook/.test(query)
        ? 'notification'
        : /searchFlights/.test(query)
          ? 'search'
          : /planItinerary|sendMessage/.test(query)
            ? 'ai'
            : 'trip';
      add('invalid-utf8-nul', {
        target: owner,
        summary: `${owner}: ${summary}`,
        body: gql(query, variables),
      });
    }
    for (const [path, summary] of [
      ['/graphql?query=%7B__typename%7D%00', 'GET with NUL in the query string'],
      ['/graphql?query=%C3%28', 'GET with invalid UTF-8 in the query string'],
      ['/graphql?query=%FF%FE', 'GET with 0xFF 0xFE in the query string'],
    ] as const)
      add('invalid-utf8-nul', { ...getOf(path), summary });
  }

  // huge numbers and strings
  {
    const choices = streamFor('huge-values');
    const numbers = [
      '2147483648',
      '-2147483649',
      '9007199254740993',
      '1e308',
      '1e400',
      '-1e400',
      '1' + '0'.repeat(400),
      '-1',
      '0',
      '1.0e2',
      '123456789012345678901234567890',
    ];
    for (const number of numbers) {
      add('huge-values', {
        summary: `first: ${number.slice(0, 20)} as a variable`,
        body: Buffer.from(
          `{"query":"query($f: Int) { destinations(first: $f) { code } }","variables":{"f":${number}}}`,
        ),
      });
      add('huge-values', {
        summary: `first: ${number.slice(0, 20)} as a literal`,
        body: gql(`{ destinations(first: ${number}) { code } }`),
      });
      add('huge-values', {
        summary: `travelers: ${number.slice(0, 20)}`,
        body: Buffer.from(
          `{"query":"mutation($n: Int) { createTrip(input: { title: \\"t\\", destinationCode: \\"PAR\\", startDate: \\"2027-05-01\\", endDate: \\"2027-05-02\\", travelers: $n }) { trip { id } userErrors { code } } }","variables":{"n":${number}}}`,
        ),
      });
      add('huge-values', {
        summary: `maxResults: ${number.slice(0, 20)}`,
        body: Buffer.from(
          `{"query":"query($n: Int) { searchFlights(input: { origin: \\"NYC\\", destination: \\"PAR\\", departureDate: \\"2027-05-01\\", maxResults: $n }) { meta { provider } } }","variables":{"n":${number}}}`,
        ),
      });
      add('huge-values', {
        summary: `days: ${number.slice(0, 20)} (analytics)`,
        body: Buffer.from(
          `{"query":"query($n: Int) { destinationPopularity(days: $n) { tripCount } }","variables":{"n":${number}}}`,
        ),
        caller: 'admin',
      });
    }
    const sizes = [4_000, 4_001, 10_000, 60_000, 95_000];
    const stringSlots: [string, (s: string) => Buffer][] = [
      [
        'trip title',
        (s) =>
          gql(
            'mutation($s: String!) { createTrip(input: { title: $s, destinationCode: "PAR", startDate: "2027-05-01", endDate: "2027-05-02" }) { trip { id } userErrors { code } } }',
            { s },
          ),
      ],
      ['trip id', (s) => gql('query($s: ID!) { trip(id: $s) { id } }', { s })],
      ['search string', (s) => gql('query($s: String) { destinations(search: $s) { code } }', { s })],
      [
        'message body',
        (s) =>
          gql(
            `mutation($s: String!) { sendMessage(conversationId: "${fixture.conversationA}", body: $s) { message { id } userErrors { code } } }`,
            { s },
          ),
      ],
      [
        'flight origin',
        (s) =>
          gql(
            'query($s: String!) { searchFlights(input: { origin: $s, destination: "PAR", departureDate: "2027-05-01" }) { meta { provider } } }',
            { s },
          ),
      ],
      [
        'item notes',
        (s) =>
          gql(
            `mutation($s: String!) { addItineraryItem(tripId: "${fixture.tripA}", input: { kind: NOTE, title: "t", startTime: "2027-05-01T10:00:00Z", notes: $s }) { item { id } userErrors { code } } }`,
            { s },
          ),
      ],
      [
        'webhook URL',
        (s) =>
          gql(
            'mutation($s: String) { updateNotificationPreferences(input: { webhookUrl: $s }) { userErrors { code } } }',
            { s: `http://127.0.0.1:9/${s}` },
          ),
      ],
      [
        'cost amount',
        (s) =>
          gql(
            `mutation($s: String!) { addItineraryItem(tripId: "${fixture.tripA}", input: { kind: NOTE, title: "t", startTime: "2027-05-01T10:00:00Z", cost: { amount: $s, currency: "EUR" } }) { item { id } userErrors { code } } }`,
            { s: '9'.repeat(s.length) },
          ),
      ],
    ];
    for (const [name, make] of stringSlots) {
      for (const size of sizes) {
        const text = choices.pick(['a', 'é', '漢', '😀', "'"]).repeat(size);
        add('huge-values', { summary: `${name}: ${size} characters`, body: make(text) });
      }
    }
    const literals = [
      ['a 90 KB string literal', `{ destinations(search: "${'x'.repeat(90_000)}") { code } }`],
      ['a 90 KB operation name', `query ${'A'.repeat(90_000)} { __typename }`],
      ['a 90 KB field name', `{ ${'f'.repeat(90_000)} }`],
      ['a 90 KB comment', `# ${'c'.repeat(90_000)}\n{ __typename }`],
      ['a Float of 400 digits', `{ destinations(search: "a", first: ${'9'.repeat(400)}.5) { code } }`],
      [
        'a date far in the future',
        `mutation { createTrip(input: { title: "t", destinationCode: "PAR", startDate: "99999-01-01", endDate: "99999-01-02" }) { trip { id } userErrors { code } } }`,
      ],
      [
        'a trip of 100 years',
        `mutation { createTrip(input: { title: "t", destinationCode: "PAR", startDate: "2027-01-01", endDate: "2127-01-01" }) { trip { id } userErrors { code } } }`,
      ],
      [
        'a DateTime in year 275760',
        `mutation { addItineraryItem(tripId: "${fixture.tripA}", input: { kind: NOTE, title: "t", startTime: "+275760-09-13T00:00:00Z" }) { item { id } userErrors { code } } }`,
      ],
    ];
    for (const [summary, query] of literals) add('huge-values', { summary: summary!, body: gql(query!) });
  }

  // deep JSON in variables, extensions and the body itself
  {
    const depths = [100, 1_000, 5_000, 20_000];
    const query = 'query($v: [String]) { __typename }';
    for (const target of everywhere) {
      for (const depth of depths) {
        add('deep-json', {
          target,
          summary: `${target}: variables ${depth} arrays deep`,
          body: Buffer.from(`{"query":"${query}","variables":{"v":${deepArray(depth)}}}`),
        });
        add('deep-json', {
          target,
          summary: `${target}: variables ${depth} objects deep`,
          body: Buffer.from(`{"query":"${query}","variables":{"v":${deepObject(depth)}}}`),
        });
      }
      add('deep-json', {
        target,
        summary: `${target}: extensions 20000 deep`,
        body: Buffer.from(`{"query":"{ __typename }","extensions":${deepObject(20_000)}}`),
      });
      add('deep-json', {
        target,
        summary: `${target}: body 20000 arrays deep`,
        body: Buffer.from(deepArray(20_000)),
      });
      add('deep-json', {
        target,
        summary: `${target}: unused variable 20000 deep`,
        body: Buffer.from(`{"query":"{ __typename }","variables":{"x":${deepArray(20_000)}}}`),
      });
      add('deep-json', {
        target,
        summary: `${target}: input variable 20000 deep`,
        body: Buffer.from(
          `{"query":"mutation($i: CreateTripInput!) { createTrip(input: $i) { trip { id } } }","variables":{"i":${deepObject(20_000)}}}`,
        ),
      });
    }
  }

  // deep GraphQL
  {
    const choices = streamFor('deep-graphql');
    const tripChain = (depth: number) => {
      let selection = 'id';
      for (let level = 0; level < depth; level++)
        selection =
          level % 2 ? `trips(first: 1) { edges { node { owner { ${selection} } } } }` : `id ${selection}`;
      return `{ me { ${selection} } }`;
    };
    for (const depth of [4, 6, 10, 20, 40])
      add('deep-graphql', {
        summary: `trips/owner chain ${depth} levels`,
        body: gql(tripChain(depth)),
        expect: { codes: [limit] },
      });
    for (let index = 0; index < 12; index++) {
      const depth = choices.int(7, 60);
      let selection = 'id';
      for (let level = 0; level < depth; level++) selection = `items { trip { ${selection} } }`;
      add('deep-graphql', {
        summary: `items/trip chain ${depth} levels`,
        body: gql(`query { trip(id: "${fixture.tripA}") { ${selection} } }`),
        expect: { codes: [limit] },
      });
    }
    for (const depth of [50, 200, 1_000, 5_000]) {
      add('deep-graphql', {
        summary: `selection braces ${depth} deep`,
        body: gql(`{ ${'me { '.repeat(depth)}id${' }'.repeat(depth)} }`),
      });
      add('deep-graphql', {
        summary: `list literal ${depth} deep`,
        body: gql(`{ destinations(search: ${deepArray(depth, '"a"')}) { code } }`),
      });
      add('deep-graphql', {
        summary: `object literal ${depth} deep`,
        body: gql(
          `mutation { createTrip(input: ${'{ title: '.repeat(depth)}"t"${' }'.repeat(depth)}) { trip { id } } }`,
        ),
      });
      add('deep-graphql', {
        summary: `inline fragments ${depth} deep`,
        body: gql(`{ ${'... on Query { '.repeat(depth)}__typename${' }'.repeat(depth)} }`),
      });
      add('deep-graphql', {
        summary: `variable list type ${depth} deep`,
        body: gql(`query($v: ${'['.repeat(depth)}String${']'.repeat(depth)}) { __typename }`),
      });
    }
    const introspection = (depth: number) => {
      let selection = 'name';
      for (let level = 0; level < depth; level++) selection = `name ofType { ${selection} }`;
      return `{ __schema { types { fields { type { ${selection} } } } } }`;
    };
    for (const depth of [3, 10, 30]) {
      add('deep-graphql', {
        summary: `introspection ofType ${depth} deep (anonymous)`,
        caller: 'anonymous',
        body: gql(introspection(depth)),
      });
      add('deep-graphql', {
        summary: `introspection ofType ${depth} deep (traveler)`,
        body: gql(introspection(depth)),
      });
    }
    add('deep-graphql', {
      summary: '__type probe (anonymous)',
      caller: 'anonymous',
      body: gql('{ __type(name: "Trip") { fields { name } } }'),
    });
    add('deep-graphql', {
      summary: 'introspection hidden in a fragment',
      body: gql('{ ...F } fragment F on Query { __schema { queryType { name } } }'),
    });
  }

  // alias floods
  {
    const choices = streamFor('alias-flood');
    for (const count of [16, 20, 50, 100, 150, 300]) {
      add('alias-flood', {
        summary: `${count} __typename aliases`,
        body: gql(`{ ${Array.from({ length: count }, (_, i) => `a${i}: __typename`).join(' ')} }`),
        expect: { codes: [limit] },
      });
      add('alias-flood', {
        summary: `${count} destination aliases`,
        body: gql(
          `{ ${Array.from({ length: count }, (_, i) => `d${i}: destination(code: "PAR") { code }`).join(' ')} }`,
        ),
        expect: { codes: [limit] },
      });
      add('alias-flood', {
        summary: `${count} me aliases (anonymous)`,
        caller: 'anonymous',
        body: gql(`{ ${Array.from({ length: count }, (_, i) => `m${i}: me { id }`).join(' ')} }`),
        expect: { codes: [limit] },
      });
      add('alias-flood', {
        summary: `${count} nested aliases`,
        body: gql(`{ me { ${Array.from({ length: count }, (_, i) => `i${i}: id`).join(' ')} } }`),
        expect: { codes: [limit] },
      });
      add('alias-flood', {
        summary: `${count} search aliases`,
        body: gql(
          `{ ${Array.from({ length: count }, (_, i) => `s${i}: searchHotels(input: { cityCode: "PAR", checkIn: "2027-05-01", checkOut: "2027-05-02" }) { meta { provider } }`).join(' ')} }`,
        ),
        expect: { codes: [limit] },
      });
      add('alias-flood', {
        summary: `${count} planItinerary aliases`,
        body: gql(
          `mutation { ${Array.from({ length: count }, (_, i) => `p${i}: planItinerary(input: { destinationCode: "PAR", startDate: "2027-05-01", endDate: "2027-05-02", travelers: 1, budget: MIDRANGE, pace: MODERATE }) { userErrors { code } }`).join(' ')} }`,
        ),
        expect: { codes: [limit] },
      });
    }
    for (let index = 0; index < 8; index++) {
      const count = choices.int(16, 120);
      add('alias-flood', {
        summary: `${count} aliases spread over fragments`,
        body: gql(
          `{ ...F } fragment F on Query { ${Array.from({ length: count }, (_, i) => `t${i}: __typename`).join(' ')} }`,
        ),
        expect: { codes: [limit] },
      });
    }
  }

  // fragment floods
  {
    const choices = streamFor('fragment-flood');
    for (const count of [10, 100, 500]) {
      add('fragment-flood', {
        summary: `${count} unused fragments`,
        body: gql(
          `{ __typename } ${Array.from({ length: count }, (_, i) => `fragment F${i} on Query { __typename }`).join(' ')}`,
        ),
      });
      add('fragment-flood', {
        summary: `${count} spreads of one fragment`,
        body: gql(`{ ${'...F '.repeat(count)} } fragment F on Query { destinations(first: 1) { code } }`),
      });
    }
    for (const levels of [5, 10, 20, 30]) {
      const fragments = Array.from({ length: levels }, (_, i) =>
        i === 0
          ? 'fragment F0 on Query { __typename }'
          : `fragment F${i} on Query { ...F${i - 1} ...F${i - 1} }`,
      );
      add('fragment-flood', {
        summary: `exponential fragments, ${levels} levels (2^${levels} spreads)`,
        body: gql(`{ ...F${levels - 1} } ${fragments.join(' ')}`),
      });
      const nested = Array.from({ length: levels }, (_, i) =>
        i === 0
          ? 'fragment N0 on User { id }'
          : `fragment N${i} on User { trips(first: 1) { edges { node { owner { ...N${i - 1} } } } } }`,
      );
      add('fragment-flood', {
        summary: `fragments nested ${levels} levels deep`,
        body: gql(`{ me { ...N${levels - 1} } } ${nested.join(' ')}`),
      });
    }
    add('fragment-flood', {
      summary: 'a fragment spreading itself',
      body: gql('{ ...A } fragment A on Query { ...A }'),
    });
    add('fragment-flood', {
      summary: 'two fragments spreading each other',
      body: gql('{ ...A } fragment A on Query { ...B } fragment B on Query { ...A }'),
    });
    add('fragment-flood', {
      summary: 'a cycle through 50 fragments',
      body: gql(
        `{ ...C0 } ${Array.from({ length: 50 }, (_, i) => `fragment C${i} on Query { ...C${(i + 1) % 50} }`).join(' ')}`,
      ),
    });
    add('fragment-flood', { summary: 'spread of an unknown fragment', body: gql('{ ...Nope }') });
    add('fragment-flood', {
      summary: 'fragment on an unknown type',
      body: gql('{ ...F } fragment F on Nope { id }'),
    });
    add('fragment-flood', {
      summary: 'fragment on a scalar',
      body: gql('{ ...F } fragment F on String { id }'),
    });
    add('fragment-flood', {
      summary: 'fragment on the wrong type',
      body: gql('{ ...F } fragment F on Trip { id }'),
    });
    add('fragment-flood', {
      summary: 'duplicate fragment names',
      body: gql('{ ...F } fragment F on Query { __typename } fragment F on Query { me { id } }'),
    });
    for (let index = 0; index < 12; index++) {
      const count = choices.int(20, 120);
      const fragments = Array.from(
        { length: count },
        (_, i) => `fragment R${i} on Query { ${i + 1 < count ? `...R${i + 1}` : '__typename'} }`,
      );
      add('fragment-flood', {
        summary: `chain of ${count} fragments`,
        body: gql(`{ ...R0 } ${fragments.join(' ')}`),
      });
    }
  }

  // directive floods
  {
    const choices = streamFor('directive-flood');
    for (const count of [51, 100, 200, 400]) {
      add('directive-flood', {
        summary: `${count} @include on one field`,
        body: gql(`{ __typename ${'@include(if: true) '.repeat(count)}}`),
        expect: { codes: [limit] },
      });
      add('directive-flood', {
        summary: `${count} @skip spread over fields`,
        body: gql(`{ me { ${Array.from({ length: count }, () => 'id @skip(if: false)').join(' ')} } }`),
        expect: { codes: [limit] },
      });
      add('directive-flood', {
        summary: `${count} unknown directives`,
        body: gql(`{ __typename ${'@nope '.repeat(count)}}`),
        expect: { codes: [limit, 'GRAPHQL_VALIDATION_FAILED'] },
      });
      add('directive-flood', {
        summary: `${count} directives on the operation`,
        body: gql(`query Q ${'@include(if: true) '.repeat(count)}{ __typename }`),
        expect: { codes: [limit, 'GRAPHQL_VALIDATION_FAILED'] },
      });
    }
    const odd = [
      ['@include without if', '{ __typename @include }'],
      ['@include(if: "yes")', '{ __typename @include(if: "yes") }'],
      ['@skip with a variable of the wrong type', 'query($v: String) { __typename @skip(if: $v) }'],
      ['@deprecated on a field', '{ __typename @deprecated }'],
      ['@specifiedBy on a field', '{ __typename @specifiedBy(url: "x") }'],
      ['@key on a field', '{ __typename @key(fields: "id") }'],
      ['@cacheControl on a field', '{ destinations(first: 1) @cacheControl(maxAge: 999999) { code } }'],
      ['@rateLimit on a field', '{ __typename @rateLimit(limit: 100000) }'],
      ['@defer', '{ me { ... @defer { id } } }'],
      ['@stream', '{ destinations(first: 2) @stream { code } }'],
      [
        'directive on a fragment definition',
        '{ ...F } fragment F on Query @include(if: true) { __typename }',
      ],
      ['directive on a variable', 'query($v: Int @include(if: true)) { __typename }'],
    ];
    for (const [summary, query] of odd) add('directive-flood', { summary: summary!, body: gql(query!) });
    for (let index = 0; index < 8; index++) {
      const count = choices.int(51, 300);
      add('directive-flood', {
        summary: `${count} mixed @skip/@include`,
        body: gql(
          `{ __typename ${Array.from({ length: count }, () => choices.pick(['@skip(if: false)', '@include(if: true)'])).join(' ')} }`,
        ),
        expect: { codes: [limit] },
      });
    }
  }

  // many operations in one document
  {
    const choices = streamFor('many-operations');
    for (const count of [2, 10, 50, 100, 500]) {
      const operations = Array.from({ length: count }, (_, i) => `query Q${i} { __typename }`).join(' ');
      add('many-operations', { summary: `${count} operations, no operationName`, body: gql(operations) });
      add('many-operations', {
        summary: `${count} operations, unknown operationName`,
        body: json({ query: operations, operationName: 'Nope' }),
      });
      add('many-operations', {
        summary: `${count} operations, the last one named`,
        body: json({ query: operations, operationName: `Q${count - 1}` }),
      });
      add('many-operations', {
        summary: `${count} anonymous operations`,
        body: gql(Array.from({ length: count }, () => '{ __typename }').join(' ')),
      });
      add('many-operations', {
        summary: `${count} mutations, one named`,
        body: json({
          query: Array.from(
            { length: count },
            (_, i) => `mutation M${i} { markAllNotificationsRead { count } }`,
          ).join(' '),
          operationName: 'M0',
        }),
      });
    }
    const odd: [string, unknown][] = [
      [
        'duplicate operation names',
        { query: 'query A { __typename } query A { me { id } }', operationName: 'A' },
      ],
      [
        'anonymous and named together',
        { query: '{ __typename } query A { __typename }', operationName: 'A' },
      ],
      [
        'operationName with no operations',
        { query: 'fragment F on Query { __typename }', operationName: 'F' },
      ],
      ['only a fragment', { query: 'fragment F on Query { __typename }' }],
      ['a subscription', { query: 'subscription { __typename }' }],
      ['a schema definition', { query: 'schema { query: Query }' }],
      ['a type definition', { query: 'type Evil { id: ID }' }],
      ['a type extension', { query: 'extend type Query { evil: String }' }],
      ['an empty document', { query: '   ' }],
      ['only a comment', { query: '# nothing' }],
      ['operationName of 10 KB', { query: 'query A { __typename }', operationName: 'A'.repeat(10_000) }],
    ];
    for (const [summary, body] of odd) add('many-operations', { summary, body: json(body) });
    for (let index = 0; index < 10; index++) {
      const count = choices.int(3, 80);
      const chosen = choices.int(0, count - 1);
      add('many-operations', {
        summary: `${count} mixed queries and mutations, #${chosen} chosen`,
        body: json({
          query: Array.from({ length: count }, (_, i) =>
            i % 2 ? `mutation O${i} { markAllNotificationsRead { count } }` : `query O${i} { me { id } }`,
          ).join(' '),
          operationName: `O${chosen}`,
        }),
      });
    }
  }

  // content types and methods
  {
    const body = Buffer.from('{"query":"{ __typename }"}');
    const contentTypes = [
      'text/plain',
      'text/plain; charset=utf-8',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=xyz',
      'multipart/form-data',
      'application/graphql',
      'application/graphql-response+json',
      'application/json; charset=utf-16',
      'application/json; charset=latin1',
      'application/json; charset=nope',
      'application/json, text/html',
      'application/xml',
      'text/html',
      '*/*',
      'application/json; boundary=',
      'APPLICATION/JSON',
      ';;;',
    ];
    const bodilessRequests: Pick<HostileCase, 'method' | 'path' | 'summary' | 'headers' | 'body'>[] = [
      { ...getOf('/graphql'), summary: 'GET /graphql with no query' },
      {
        ...getOf('/graphql?query=mutation%7BmarkAllNotificationsRead%7Bcount%7D%7D'),
        summary: 'GET with a mutation',
      },
      { ...getOf('/graphql?query=%7B__typename%7D&variables=%7Bnope'), summary: 'GET with broken variables' },
      {
        ...getOf('/graphql?query=%7B__typename%7D&query=%7B__typename%7D'),
        summary: 'GET with the query twice',
      },
      { ...getOf('/graphql', {}), method: 'HEAD', summary: 'HEAD /graphql' },
      {
        ...getOf('/graphql', { origin: 'http://evil.example', 'access-control-request-method': 'POST' }),
        method: 'OPTIONS',
        summary: 'OPTIONS preflight from a foreign origin',
      },
      { ...getOf('/graphql?query=%7B__typename%7D', {}), summary: 'GET without a CSRF header' },
    ];
    for (const target of everywhere) {
      for (const contentType of contentTypes)
        add('content-type-method', {
          target,
          summary: `${target}: content-type ${contentType}`,
          headers: { 'content-type': contentType },
          body,
        });
      add('content-type-method', { target, summary: `${target}: no content-type`, headers: {}, body });
      add('content-type-method', {
        target,
        summary: `${target}: form body`,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: Buffer.from('query=%7B__typename%7D'),
      });
      add('content-type-method', {
        target,
        summary: `${target}: multipart body`,
        headers: { 'content-type': 'multipart/form-data; boundary=xyz', 'apollo-require-preflight': '1' },
        body: Buffer.from(
          '--xyz\r\nContent-Disposition: form-data; name="operations"\r\n\r\n{"query":"{ __typename }"}\r\n--xyz--\r\n',
        ),
      });
      for (const encoding of ['gzip', 'deflate', 'br', 'compress', 'evil']) {
        add('content-type-method', {
          target,
          summary: `${target}: content-encoding ${encoding} on a plain body`,
          headers: { ...jsonHeaders, 'content-encoding': encoding },
          body,
        });
      }
      for (const method of ['PUT', 'DELETE', 'PATCH', 'TRACE', 'PROPFIND']) {
        add('content-type-method', { target, method, summary: `${target}: ${method} /graphql`, body });
      }
      for (const request of bodilessRequests)
        add('content-type-method', { target, ...request, summary: `${target}: ${request.summary}` });
    }
    const paths = [
      '/GRAPHQL',
      '/graphql/',
      '/graphql/../health',
      '/graphql%00',
      '/%2e%2e/%2e%2e/etc/passwd',
      '/explorer/../../package.json',
      '/explorer/%2e%2e/%2e%2e/package.json',
      '/explorer/..%2f..%2fpackage.json',
      '/analytics/../../etc/passwd',
      '/analytics/nope',
      '/nope',
      '/.env',
      '/graphql?query=' + '%7B'.repeat(20),
      '//graphql',
      '/graphql;jsessionid=1',
      '/schema.graphql/..%2f..%2fpackage.json',
    ];
    for (const path of paths) {
      add('content-type-method', { ...getOf(path, {}), summary: `GET ${path}` });
      add('content-type-method', { path, method: 'POST', summary: `POST ${path}`, body });
    }
    for (const target of subgraphs) {
      for (const path of ['/nope', '/graphql/..%2f..%2fetc%2fpasswd', '/.env'])
        add('content-type-method', { target, ...getOf(path, {}), summary: `${target}: GET ${path}` });
    }
  }

  // oversized bodies and headers, and bodies that are not the length they say
  {
    const choices = streamFor('oversized');
    const padded = (bytes: number) =>
      json({ query: '{ __typename }', variables: { pad: 'x'.repeat(bytes) } });
    for (const bytes of [102_400, 150_000, 1_000_000, 3_000_000]) {
      add('oversized', { summary: `body of ${bytes} bytes`, body: padded(bytes), expect: { status: [413] } });
      add('oversized', {
        summary: `body of ${bytes} bytes, chunked (no length)`,
        body: padded(bytes),
        declaredLength: -1,
        expect: { status: [413] },
      });
      add('oversized', {
        summary: `body of ${bytes} bytes (anonymous)`,
        caller: 'anonymous',
        body: padded(bytes),
        expect: { status: [413] },
      });
    }
    for (const target of subgraphs) {
      add('oversized', {
        target,
        summary: `${target}: body of 3 MB`,
        body: padded(3_000_000),
        expect: { status: [413] },
      });
      add('oversized', {
        target,
        summary: `${target}: body of 3 MB, chunked`,
        body: padded(3_000_000),
        declaredLength: -1,
        expect: { status: [413] },
      });
      add('oversized', {
        target,
        summary: `${target}: 20 KB header`,
        headers: { ...jsonHeaders, 'x-pad': 'p'.repeat(20_000) },
        body: gql('{ __typename }'),
      });
    }
    add('oversized', {
      summary: 'Content-Length of 10 GB declared, tiny body',
      body: gql('{ __typename }'),
      declaredLength: 10_000_000_000,
      timeoutMs: 15_000,
      expect: { status: [413] },
    });
    for (const [summary, headers] of [
      ['one 20 KB header', { 'x-pad': 'p'.repeat(20_000) }],
      ['one 15 KB header', { 'x-pad': 'p'.repeat(15_000) }],
      ['a 20 KB authorization header', { authorization: `Bearer ${'a'.repeat(20_000)}` }],
      ['a 20 KB cookie', { cookie: `c=${'c'.repeat(20_000)}` }],
      [
        '200 headers of 100 bytes',
        Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`x-h${i}`, 'v'.repeat(100)])),
      ],
      ['3000 tiny headers', Object.fromEntries(Array.from({ length: 3000 }, (_, i) => [`x-t${i}`, '1']))],
      ['a 10 KB x-request-id', { 'x-request-id': 'r'.repeat(10_000) }],
      ['a 10 KB x-api-key', { 'x-api-key': 'k'.repeat(10_000) }],
      ['a 10 KB traceparent', { traceparent: 't'.repeat(10_000) }],
    ] as [string, Record<string, string>][]) {
      add('oversized', { summary, headers: { ...jsonHeaders, ...headers }, body: gql('{ __typename }') });
    }
    add('oversized', {
      ...getOf(
        `/graphql?query=${encodeURIComponent(`{ destinations(search: "${'q'.repeat(20_000)}") { code } }`)}`,
      ),
      summary: 'GET with a 20 KB URL',
    });
    // A declared length longer than the body: the server must give up on the rest, and soon.
    for (const target of everywhere) {
      const body = gql('{ __typename }');
      add('oversized', {
        target,
        summary: `${target}: Content-Length ${body.length + 1000} for a ${body.length}-byte body`,
        body,
        declaredLength: body.length + 1000,
        timeoutMs: 15_000,
      });
    }
    for (let index = 0; index < 4; index++) {
      const body = gql('{ __typename }');
      const declared = choices.int(1, body.length - 1);
      add('oversized', {
        summary: `Content-Length ${declared} for a ${body.length}-byte body`,
        body,
        declaredLength: declared,
      });
    }
  }

  // batched arrays
  {
    const choices = streamFor('batched');
    const operation = { query: '{ __typename }' };
    const batches: [string, unknown][] = [
      ['an empty batch', []],
      ['a batch of one', [operation]],
      ['a batch of two', [operation, operation]],
      ['a batch of 1000', Array.from({ length: 1000 }, () => operation)],
      ['a batch of numbers', [1, 2, 3]],
      ['a batch of nulls', [null, null]],
      ['a nested batch', [[operation]]],
      ['a batch of strings', ['{ __typename }']],
      [
        'a batch of mutations',
        Array.from({ length: 5 }, () => ({ query: 'mutation { markAllNotificationsRead { count } }' })),
      ],
      [
        'a batch of persisted hashes',
        [{ extensions: { persistedQuery: { version: 1, sha256Hash: 'a'.repeat(64) } } }],
      ],
    ];
    for (const target of everywhere) {
      for (const [summary, value] of batches)
        add('batched', {
          target,
          summary: `${target}: ${summary}`,
          body: json(value),
          ...(target === 'gateway' ? { expect: { codes: [limit, 'BAD_REQUEST'] } } : {}),
        });
    }
    for (let index = 0; index < 6; index++) {
      const size = choices.int(2, 200);
      add('batched', {
        summary: `a batch of ${size} login probes`,
        caller: 'anonymous',
        body: json(Array.from({ length: size }, () => ({ query: '{ me { id email } }' }))),
        expect: { codes: [limit, 'BAD_REQUEST'] },
      });
    }
  }

  // persisted queries: hashes that are wrong in every way a client can get them wrong
  {
    const choices = streamFor('persisted-query');
    const query = '{ destinations(first: 1) { code } }';
    const hashes: [string, unknown][] = [
      ['an unknown hash', choices.hex(64)],
      ['an unknown hash in capitals', choices.hex(64).toUpperCase()],
      ['a short hash', choices.hex(10)],
      ['a 65-character hash', choices.hex(65)],
      ['a 1000-character hash', choices.hex(1000)],
      ['a hash that is not hex', 'z'.repeat(64)],
      ['an empty hash', ''],
      ['a numeric hash', 12345],
      ['a null hash', null],
      ['an object hash', { a: 1 }],
      ['an array hash', ['a'.repeat(64)]],
      ['a hash with injection', "' OR 1=1 --"],
      ['a hash with a path', '../../../../etc/passwd'],
      ['a hash with NUL', 'a'.repeat(32) + '\u0000' + 'a'.repeat(31)],
    ];
    for (const [summary, sha256Hash] of hashes) {
      add('persisted-query', {
        summary: `${summary}, no query`,
        body: json({ extensions: { persistedQuery: { version: 1, sha256Hash } } }),
      });
      add('persisted-query', {
        summary: `${summary}, with a query`,
        body: json({ query, extensions: { persistedQuery: { version: 1, sha256Hash } } }),
      });
      add('persisted-query', {
        summary: `${summary}, anonymous`,
        caller: 'anonymous',
        body: json({ extensions: { persistedQuery: { version: 1, sha256Hash } } }),
      });
      add('persisted-query', {
        summary: `${summary}, by GET`,
        ...getOf(
          `/graphql?extensions=${encodeURIComponent(JSON.stringify({ persistedQuery: { version: 1, sha256Hash } }))}`,
        ),
      });
    }
    const shapes: [string, unknown][] = [
      ['version 2', { persistedQuery: { version: 2, sha256Hash: choices.hex(64) } }],
      ['version "1"', { persistedQuery: { version: '1', sha256Hash: choices.hex(64) } }],
      ['version 0', { persistedQuery: { version: 0, sha256Hash: choices.hex(64) } }],
      ['no version', { persistedQuery: { sha256Hash: choices.hex(64) } }],
      ['no hash', { persistedQuery: { version: 1 } }],
      ['persistedQuery is a string', { persistedQuery: choices.hex(64) }],
      ['persistedQuery is null', { persistedQuery: null }],
      ['persistedQuery is an array', { persistedQuery: [1] }],
      ['persistedQuery is true', { persistedQuery: true }],
      ['hash under another key', { persistedQuery: { version: 1, sha256: choices.hex(64) } }],
    ];
    for (const [summary, extensions] of shapes) {
      add('persisted-query', { summary: `${summary}, no query`, body: json({ extensions }) });
      add('persisted-query', { summary: `${summary}, with a query`, body: json({ query, extensions }) });
      add('persisted-query', {
        summary: `${summary}, by GET`,
        ...getOf(`/graphql?extensions=${encodeURIComponent(JSON.stringify(extensions))}`),
      });
    }
    add('persisted-query', {
      summary: 'a query whose hash does not match',
      body: json({ query, extensions: { persistedQuery: { version: 1, sha256Hash: choices.hex(64) } } }),
    });
    add('persisted-query', {
      ...getOf('/graphql?extensions=%7Bnope'),
      summary: 'GET with broken extensions JSON',
    });
    add('persisted-query', {
      ...getOf(`/graphql?extensions=${'%7B'.repeat(1_500)}`),
      summary: 'GET with extensions of 5 KB garbage',
    });
  }

  // injection strings in every string argument
  {
    const slots = injectionSlots(fixture);
    for (const slot of slots) {
      injectionPayloads.forEach((payload, index) => {
        add('injection', {
          summary: `${slot.name} = ${JSON.stringify(payload).slice(0, 40)}`,
          // Spread over many users, so the per-user field rate limits (planItinerary, messages)
          // leave most of these to reach the resolvers.
          caller: slot.caller ?? `user:hostile-injection-${index}`,
          body: gql(slot.query, { s: payload }),
          echoes: [payload],
        });
      });
      // The same as a literal in the document (escaped), for the parser's string handling.
      const payload = injectionPayloads[(slot.name.length * 7) % injectionPayloads.length]!;
      const literal = slot.query
        .replace(/query\(\$s: [^)]+\) |mutation\(\$s: [^)]+\) /, (match) =>
          match.startsWith('query') ? 'query ' : 'mutation ',
        )
        .replace('$s', JSON.stringify(payload));
      add('injection', {
        summary: `${slot.name} = ${JSON.stringify(payload).slice(0, 40)} (literal)`,
        caller: slot.caller ?? 'user:hostile-injection-literal',
        body: gql(literal),
        echoes: [payload],
      });
    }
    for (const payload of injectionPayloads.slice(0, 8)) {
      add('injection', {
        summary: `operationName = ${JSON.stringify(payload).slice(0, 40)}`,
        body: json({ query: 'query A { __typename }', operationName: payload }),
        echoes: [payload],
      });
      add('injection', {
        summary: `x-request-id = ${JSON.stringify(payload).slice(0, 40)}`,
        headers: { ...jsonHeaders, 'x-request-id': payload.replace(/[^\x20-\x7e]/g, '') },
        body: gql('{ __typename }'),
        echoes: [payload],
      });
    }
  }

  // forged identity headers at each subgraph
  {
    const choices = streamFor('forged-identity');
    const tokens = await forgedTokens(fixture, choices);
    const probes = [
      ['a query', '{ __typename }'],
      [
        '_entities for B',
        `{ _entities(representations: [{ __typename: "User", id: "${fixture.userB}" }]) { __typename } }`,
      ],
      ['a mutation', 'mutation { __typename }'],
    ];
    for (const target of subgraphs) {
      for (const token of tokens) {
        for (const [probe, query] of probes) {
          add('forged-identity', {
            target,
            summary: `${target}: ${token.name}, ${probe}`,
            identityHeader: token.header,
            body: gql(query!),
            expect: { status: [401], codes: ['UNAUTHENTICATED'] },
          });
        }
      }
      add('forged-identity', {
        target,
        summary: `${target}: a user's bearer token in Authorization, no identity`,
        identityHeader: null,
        headers: { ...jsonHeaders, authorization: 'Bearer token' },
        body: gql('{ __typename }'),
        expect: { status: [401], codes: ['UNAUTHENTICATED'] },
      });
      // The gateway's own signature for another subgraph, replayed here.
      for (const from of subgraphs.filter((other) => other !== target)) {
        add('forged-identity', {
          target,
          summary: `${target}: A's identity signed for ${from}, replayed`,
          identityFrom: from,
          body: gql('{ __typename }'),
          expect: { status: [401], codes: ['UNAUTHENTICATED'] },
        });
      }
    }
    // Forged identity headers sent to the gateway are not the gateway's to trust.
    for (const token of tokens.slice(3, 8)) {
      add('forged-identity', {
        summary: `gateway: ${token.name} in the identity header (anonymous)`,
        caller: 'anonymous',
        headers: { ...jsonHeaders, 'x-traveloure-identity': token.header ?? '' },
        body: gql('{ me { id email } }'),
        expect: { secrets: true },
      });
    }
    for (const bad of [
      'Bearer',
      'Bearer ',
      'Basic YTpi',
      'Bearer a.b.c',
      `Bearer ${'x'.repeat(500)}`,
      'Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.',
    ]) {
      add('forged-identity', {
        summary: `gateway: Authorization "${bad.slice(0, 30)}"`,
        caller: 'anonymous',
        headers: { ...jsonHeaders, authorization: bad },
        body: gql('{ me { id } }'),
        expect: { status: [401], codes: ['UNAUTHENTICATED'] },
      });
    }
  }

  // IDOR: A reaching for B's trip, items, conversation and notifications
  {
    const { tripB, itemB, conversationB, notificationB, userB, expertId } = fixture;
    const secrets = { secrets: true };
    const rootProbes: [string, string][] = [
      ['trip(id) of B', `{ trip(id: "${tripB}") { id title owner { id email } items { title notes } } }`],
      [
        'user(id) of B',
        `{ user(id: "${userB}") { id name email trips { edges { node { title } } } notifications { edges { node { title body } } } unreadNotificationCount notificationPreferences { webhookSigningSecret webhookUrl } } }`,
      ],
      [
        "B's trip's suggestion and offers",
        `{ trip(id: "${tripB}") { itinerarySuggestion { id days { date } } flightOffers(origin: "NYC") { meta { provider } } hotelOffers { meta { provider } } } }`,
      ],
      [
        'updateTrip of B',
        `mutation { updateTrip(id: "${tripB}", input: { title: "taken over" }) { trip { id title } userErrors { code } } }`,
      ],
      ['deleteTrip of B', `mutation { deleteTrip(id: "${tripB}") { deletedTripId userErrors { code } } }`],
      [
        'addItineraryItem to B',
        `mutation { addItineraryItem(tripId: "${tripB}", input: { kind: NOTE, title: "planted", startTime: "2027-05-01T10:00:00Z" }) { item { id } trip { title } userErrors { code } } }`,
      ],
      [
        'updateItineraryItem of B',
        `mutation { updateItineraryItem(id: "${itemB}", input: { title: "taken over" }) { item { title } trip { title } userErrors { code } } }`,
      ],
      [
        'removeItineraryItem of B',
        `mutation { removeItineraryItem(id: "${itemB}") { removedItemId trip { title } userErrors { code } } }`,
      ],
      [
        'conversation(id) of B',
        `{ conversation(id: "${conversationB}") { id trip { id } messages { edges { node { body } } } } }`,
      ],
      [
        "sendMessage into B's conversation",
        `mutation { sendMessage(conversationId: "${conversationB}", body: "planted") { message { id body } reply { body } userErrors { code } } }`,
      ],
      [
        "replyAsExpert in B's conversation",
        `mutation { replyAsExpert(conversationId: "${conversationB}", body: "planted") { message { id body } userErrors { code } } }`,
      ],
      [
        'markNotificationRead of B',
        `mutation { markNotificationRead(id: "${notificationB}") { notification { id title body readAt } userErrors { code } } }`,
      ],
      [
        "myConversations does not list B's",
        `{ myConversations { edges { node { id messages { edges { node { body } } } } } } }`,
      ],
      [
        "me.trips does not list B's",
        `{ me { trips { edges { node { title } } } notifications { edges { node { title } } } } }`,
      ],
    ];
    for (const caller of ['A', 'anonymous', 'user:hostile-idor-stranger'] as Caller[]) {
      for (const [summary, query] of rootProbes)
        add('idor', { caller, summary: `${caller}: ${summary}`, body: gql(query), expect: secrets });
    }
    add('idor', {
      summary: "A: startConversation on B's trip",
      body: gql(
        `mutation { startConversation(expertId: "${expertId}", tripId: "${tripB}") { conversation { id trip { id title } } userErrors { code } } }`,
      ),
      expect: { secrets: true, nullPaths: [['data', 'startConversation', 'conversation']] },
    });
    add('idor', {
      summary: 'A: startConversation on a trip that does not exist',
      caller: 'user:hostile-idor-ghost',
      body: gql(
        `mutation { startConversation(expertId: "${expertId}", tripId: "00000000-0000-4000-8000-000000000000") { conversation { id } userErrors { code } } }`,
      ),
      expect: { nullPaths: [['data', 'startConversation', 'conversation']] },
    });
    const entityProbes: [SubgraphName, string][] = [
      [
        'trip',
        `{ _entities(representations: [{ __typename: "Trip", id: "${tripB}" }]) { ... on Trip { id title owner { email } items { title notes } } } }`,
      ],
      [
        'trip',
        `{ _entities(representations: [{ __typename: "User", id: "${userB}" }]) { ... on User { id email trips { edges { node { title } } } } } }`,
      ],
      [
        'trip',
        `{ _entities(representations: [{ __typename: "ItineraryItem", id: "${itemB}" }]) { ... on ItineraryItem { title notes trip { title } } } }`,
      ],
      [
        'notification',
        `{ _entities(representations: [{ __typename: "User", id: "${userB}" }]) { ... on User { notifications { edges { node { title body } } } unreadNotificationCount notificationPreferences { webhookSigningSecret webhookUrl } } } }`,
      ],
      [
        'notification',
        `{ _entities(representations: [{ __typename: "Notification", id: "${notificationB}" }]) { ... on Notification { title body readAt deliveries { lastError } } } }`,
      ],
      [
        'ai',
        `{ _entities(representations: [{ __typename: "Trip", id: "${tripB}", destinationCode: "PAR", startDate: "2027-05-01", endDate: "2027-05-03", pace: MODERATE, budget: MIDRANGE, travelers: 1 }]) { ... on Trip { itinerarySuggestion { id } } } }`,
      ],
      ['ai', `{ conversation(id: "${conversationB}") { messages { edges { node { body } } } } }`],
      ['trip', `{ trip(id: "${tripB}") { title items { title } } }`],
      [
        'trip',
        `mutation { updateTrip(id: "${tripB}", input: { title: "taken over" }) { trip { title } userErrors { code } } }`,
      ],
      [
        'notification',
        `mutation { markNotificationRead(id: "${notificationB}") { notification { title } userErrors { code } } }`,
      ],
    ];
    for (const [target, query] of entityProbes) {
      add('idor', {
        target,
        summary: `${target} direct, signed for A: ${query.slice(2, 70)}`,
        body: gql(query),
        expect: secrets,
      });
    }
    // Many representations at once: B's ids hidden among A's.
    add('idor', {
      target: 'trip',
      summary: "trip direct: 50 representations, B's among them",
      body: gql(
        `{ _entities(representations: [${Array.from({ length: 50 }, (_, i) => `{ __typename: "Trip", id: "${i === 25 ? tripB : fixture.tripA}" }`).join(', ')}]) { ... on Trip { title } } }`,
      ),
      expect: secrets,
    });
  }

  return cases;
}

/**
 * The CI subset: a deterministic share of every category (at least `minimum` of each), so a
 * fast run still touches every kind of request.
 */
export function fastSubset(cases: HostileCase[], seed: number, target: number, minimum = 6): HostileCase[] {
  // Few and each one a different door: every IDOR probe runs in the subset too.
  const whole = new Set<Category>(['idor']);
  const rest = cases.filter((testCase) => !whole.has(testCase.category));
  const chosenWhole = cases.filter((testCase) => whole.has(testCase.category));
  target = Math.max(0, target - chosenWhole.length);
  cases = rest;
  const share = Math.min(1, target / cases.length);
  const chosen: HostileCase[] = [...chosenWhole];
  for (const category of categories.filter((name) => !whole.has(name))) {
    const inCategory = cases.filter((testCase) => testCase.category === category);
    const take = Math.min(inCategory.length, Math.max(minimum, Math.round(inCategory.length * share)));
    chosen.push(...new Choices(seed + categories.indexOf(category)).shuffle(inCategory).slice(0, take));
  }
  return chosen;
}
