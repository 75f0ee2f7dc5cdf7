import type { Kysely } from 'kysely';
import { viewerOf, type BaseContext, type Identity, type Viewer } from '@traveloure/platform';
import type { Database } from './db/database.ts';
import { createLoaders, type Loaders } from './loaders.ts';
import type { SearchService } from './search.ts';

export interface Context extends BaseContext {
  db: Kysely<Database>;
  readDb: Kysely<Database>;
  search: SearchService;
  /** The signed-in caller, if any. */
  viewer?: Viewer;
  loaders: Loaders;
}

export interface ContextDependencies {
  db: Kysely<Database>;
  readDb: Kysely<Database>;
  search: SearchService;
}

export function createContext(
  deps: ContextDependencies,
  identity: Identity,
): Omit<Context, keyof BaseContext> {
  return {
    db: deps.db,
    readDb: deps.readDb,
    search: deps.search,
    viewer: viewerOf(identity),
    loaders: createLoaders(deps.search, { userId: identity.user?.id }),
  };
}
