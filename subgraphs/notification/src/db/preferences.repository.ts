import { randomBytes } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { Database, PreferenceRow, PreferenceUpdate } from './database.ts';

const newSecret = () => `whsec_${randomBytes(24).toString('base64url')}`;

/** The user's preferences, made with defaults (email on, a fresh signing secret) on first use. */
export async function ensurePreferences(db: Kysely<Database>, userId: string): Promise<PreferenceRow> {
  const existing = await db
    .selectFrom('notification.preferences')
    .selectAll()
    .where('user_id', '=', userId)
    .executeTakeFirst();
  if (existing) return existing;
  await db
    .insertInto('notification.preferences')
    .values({ user_id: userId, webhook_secret: newSecret() })
    .onConflict((conflict) => conflict.column('user_id').doNothing())
    .execute();
  return db
    .selectFrom('notification.preferences')
    .selectAll()
    .where('user_id', '=', userId)
    .executeTakeFirstOrThrow();
}

export async function findPreferences(
  db: Kysely<Database>,
  userId: string,
): Promise<PreferenceRow | undefined> {
  return db
    .selectFrom('notification.preferences')
    .selectAll()
    .where('user_id', '=', userId)
    .executeTakeFirst();
}

export async function updatePreferences(
  db: Kysely<Database>,
  userId: string,
  changes: PreferenceUpdate,
): Promise<PreferenceRow> {
  await ensurePreferences(db, userId);
  return db
    .updateTable('notification.preferences')
    .set({ ...changes, updated_at: sql<Date>`now()` })
    .where('user_id', '=', userId)
    .returningAll()
    .executeTakeFirstOrThrow();
}
