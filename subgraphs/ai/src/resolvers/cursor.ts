import { badUserInput, decodeCursor, encodeCursor } from '@traveloure/platform';
import { isUuid } from '../db/rows.ts';

// Microseconds, as PostgreSQL keeps them: a millisecond cursor would sit before its own row and
// repeat it on the next page.
const instant = /^(\d{4}-\d{2}-\d{2})T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d{1,6})?Z$/;

function isInstant(value: unknown): value is string {
  const match = typeof value === 'string' ? instant.exec(value) : null;
  if (!match) return false;
  // A real calendar day (no 30 February): it reads back as written.
  const day = new Date(`${match[1]}T00:00:00Z`);
  return !Number.isNaN(day.getTime()) && day.toISOString().slice(0, 10) === match[1];
}

/** A keyset position: an instant (`cursor_at` of the row) and the row's id. */
export interface KeysetPosition {
  at: string;
  id: string;
}

export const encodeKeyset = (row: { cursor_at: string; id: string }) => encodeCursor([row.cursor_at, row.id]);

/** Decodes `after`; a forged cursor is refused here, before it reaches a ::timestamptz or ::uuid cast. */
export function decodeKeyset(after: string): KeysetPosition {
  const [at, id] = decodeCursor(after, 2);
  if (!isInstant(at) || typeof id !== 'string' || !isUuid(id)) {
    throw badUserInput('"after" is not a valid cursor.', ['after']);
  }
  return { at, id };
}
