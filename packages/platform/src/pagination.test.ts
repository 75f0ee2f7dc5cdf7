import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { GraphQLError } from 'graphql';
import { testAdminUrl } from './testing/postgres.ts';
import { createCursorCodec, encodeCursor, keysetCursor } from './pagination.ts';

const refusal = (decode: () => unknown) => {
  try {
    decode();
  } catch (error) {
    expect(error).toBeInstanceOf(GraphQLError);
    return (error as GraphQLError).extensions;
  }
  throw new Error('the cursor was accepted');
};

describe('keysetCursor', () => {
  // The instants are checked against PostgreSQL itself: what the codec accepts must cast.
  let client: pg.Client;
  beforeAll(async () => {
    client = new pg.Client({ connectionString: testAdminUrl });
    await client.connect();
  });
  afterAll(() => client?.end());
  const castsInPostgres = async (at: string) => {
    try {
      await client.query('select $1::timestamptz', [at]);
      return true;
    } catch {
      return false;
    }
  };

  it('round-trips the positions every subgraph writes, each a timestamptz PostgreSQL takes', async () => {
    const positions = [
      { at: '2026-11-26T10:00:00.123456Z', id: randomUUID() },
      { at: '2026-11-26T10:00:00.123Z', id: randomUUID() },
      { at: '2026-11-26T10:00:00Z', id: randomUUID() },
      { at: '2026-11-26 10:00:00.123456+00', id: randomUUID() },
      { at: '2028-02-29 23:59:59+05:30', id: randomUUID().toUpperCase() },
      { at: '0001-01-01T00:00:00Z', id: randomUUID() },
      { at: '9999-12-31T23:59:59.999999Z', id: randomUUID() },
    ];
    for (const position of positions) {
      const cursor = keysetCursor.encode(position);
      expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
      expect(keysetCursor.decode(cursor)).toEqual(position);
      expect(await castsInPostgres(position.at), position.at).toBe(true);
    }
    // Cursors made before the codec existed (the same wire format) still decode.
    const id = randomUUID();
    expect(keysetCursor.decode(encodeCursor(['2026-01-02T03:04:05.000Z', id]))).toEqual({
      at: '2026-01-02T03:04:05.000Z',
      id,
    });
  });

  it('refuses forged and malformed cursors with BAD_USER_INPUT on the argument, before any SQL', async () => {
    const id = randomUUID();
    const forgedInstants = [
      '0000-01-01T00:00:00Z', // no year 0 in PostgreSQL
      '2026-02-30T00:00:00Z',
      '2026-13-01T00:00:00Z',
      '2026-01-01T24:00:00Z',
      '2026-01-01T00:00:00.1234567Z',
      '2026-01-01 00:00:00+99',
      '2026-01-01T00:00:00', // no zone: ambiguous
      'yesterday',
      '',
    ];
    for (const at of forgedInstants) {
      expect(
        refusal(() => keysetCursor.decode(encodeCursor([at, id]))),
        at,
      ).toEqual({
        code: 'BAD_USER_INPUT',
        field: ['after'],
      });
    }
    // PostgreSQL itself refuses these: that is why they must never reach a ::timestamptz cast.
    expect(await castsInPostgres('0000-01-01T00:00:00Z')).toBe(false);
    expect(await castsInPostgres('2026-02-30T00:00:00Z')).toBe(false);

    const malformed = [
      encodeCursor(['2026-01-01T00:00:00Z', 'not-a-uuid']),
      encodeCursor([42, id]),
      encodeCursor(['2026-01-01T00:00:00Z']),
      encodeCursor(['2026-01-01T00:00:00Z', id, 'extra']),
      Buffer.from('{"at":"2026-01-01T00:00:00Z"}').toString('base64url'),
      Buffer.from('not json').toString('base64url'),
      '%%%',
      encodeCursor(['2026-01-01T00:00:00Z', `${id}${'x'.repeat(600)}`]),
    ];
    for (const cursor of malformed) {
      expect(
        refusal(() => keysetCursor.decode(cursor, 'before')),
        cursor,
      ).toEqual({
        code: 'BAD_USER_INPUT',
        field: ['before'],
      });
    }
  });
});

describe('createCursorCodec', () => {
  it('types its payload and refuses what fromValues refuses', () => {
    const offset = createCursorCodec<{ offset: number }>({
      arity: 1,
      toValues: ({ offset }) => [offset],
      fromValues: ([value]) =>
        typeof value === 'number' && Number.isInteger(value) && value >= 0 ? { offset: value } : undefined,
    });
    expect(offset.decode(offset.encode({ offset: 40 }))).toEqual({ offset: 40 });
    expect(refusal(() => offset.decode(encodeCursor([-1])))).toMatchObject({ code: 'BAD_USER_INPUT' });
    expect(refusal(() => offset.decode(encodeCursor(['40'])))).toMatchObject({ code: 'BAD_USER_INPUT' });
  });
});
