import { sql, type Kysely } from 'kysely';
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
  if (experts.length === 0) return;
  await db
    .insertInto('ai.experts')
    .values(experts)
    .onConflict((conflict) =>
      conflict.column('id').doUpdateSet((eb) => ({
        user_id: eb.ref('excluded.user_id'),
        name: eb.ref('excluded.name'),
        bio: eb.ref('excluded.bio'),
        languages: eb.ref('excluded.languages'),
        specialties: eb.ref('excluded.specialties'),
        destinations: eb.ref('excluded.destinations'),
        rating: eb.ref('excluded.rating'),
      })),
    )
    .execute();
}
