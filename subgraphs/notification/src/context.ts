import type { Kysely } from 'kysely';
import { viewerOf, type BaseContext, type Identity, type Viewer } from '@traveloure/platform';
import type { Database } from './db/database.ts';
import type { NotificationApp } from './app.ts';
import { createLoaders, type Loaders } from './loaders.ts';

export type { Viewer } from '@traveloure/platform';

export interface Context extends BaseContext {
  db: Kysely<Database>;
  app: NotificationApp;
  viewer?: Viewer;
  loaders: Loaders;
}

export function createContext(app: NotificationApp, identity: Identity): Omit<Context, keyof BaseContext> {
  return { db: app.db, app, viewer: viewerOf(identity), loaders: createLoaders(app.db) };
}
