import { sql, type Kysely } from 'kysely';
import { upsertRows } from '@traveloure/platform/upsert';
import type { Database, ExpertRow } from './database.ts';
import { rowsByIds } from './rows.ts';

/** Experts by id, in any order (see rowsByIds). */
export function expertsByIds(db: Kysely<Database>, ids: readonly string[]): Promise<ExpertRow[]> {
  return rowsByIds(db, 'ai.experts', ids);
}

export async function findExperts(
  db: Kysely<Database>,
  filter: { destinationCode?: string | null; specialty?: string | null; limit: number },
): Promise<ExpertRow[]> {
  let query = db.selectFrom('ai.experts').selectAll();
  if (filter.destinationCode) {
    query = query.where(
      'destinations',
      '@>',
      sql<string[]>`array[${filter.destinationCode.toUpperCase()}]::text[]`,
    );
  }
  if (filter.specialty) {
    query = query.where('specialties', '@>', sql<string[]>`array[${filter.specialty.toLowerCase()}]::text[]`);
  }
  return query.orderBy('rating', 'desc').orderBy('name').orderBy('id').limit(filter.limit).execute();
}

export async function expertByUserId(db: Kysely<Database>, userId: string): Promise<ExpertRow | undefined> {
  return db.selectFrom('ai.experts').selectAll().where('user_id', '=', userId).executeTakeFirst();
}

export async function upsertExperts(db: Kysely<Database>, experts: ExpertRow[]): Promise<void> {
  await upsertRows(db, 'ai.experts', experts, {
    key: ['id'],
    replace: ['user_id', 'name', 'bio', 'languages', 'specialties', 'destinations', 'rating'],
  });
}
