import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';

export type SearchKind = 'FLIGHT' | 'HOTEL';

/** `date` columns are read back as `YYYY-MM-DD` text (queries cast them). */
type DateColumn = ColumnType<string, string, string>;

/** One row per search served: what analysts count and what cache warming pre-fetches. */
export interface SearchLogTable {
  id: Generated<string>;
  kind: SearchKind;
  /** Flight destination or hotel city. */
  destination_code: string;
  origin_code: string | null;
  start_date: DateColumn;
  end_date: DateColumn | null;
  adults: number;
  rooms: number | null;
  user_id: string | null;
  provider: string;
  cached: boolean;
  stale: boolean;
  result_count: number;
  created_at: ColumnType<Date, Date | string | undefined, never>;
}

export interface Database {
  'search.search_log': SearchLogTable;
}

export type SearchLogRow = Selectable<SearchLogTable>;
export type NewSearchLogRow = Insertable<SearchLogTable>;
