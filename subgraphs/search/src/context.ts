import type { Kysely } from 'kysely';
import { callerContextOf, type BaseContext, type Identity, type Viewer } from '@traveloure/platform';
import type { Database } from './db/database.ts';
import { createLoaders, type Loaders } from './loaders.ts';
import type { SearchService } from './search/search.service.ts';

/** Long-lived dependencies, made once per service and shared by every request. */
export interface SearchServices {
  db: Kysely<Database>;
  /** The read replica (demand analytics), or the primary when none is configured. */
  readDb: Kysely<Database>;
  /** Cached flight and hotel searches through the provider (and the search log behind them). */
  search: SearchService;
}

export interface SearchContext extends BaseContext {
  /** The signed-in caller, if any. */
  viewer?: Viewer;
  loaders: Loaders;
  services: SearchServices;
}

export function createContext(services: SearchServices, identity: Identity): Omit<SearchContext, 'logger'> {
  const caller = callerContextOf(identity);
  return { ...caller, loaders: createLoaders(services.search, { userId: caller.viewer?.id }), services };
}
