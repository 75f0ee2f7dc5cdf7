import type { Kysely } from 'kysely';
import { hasRole, type BaseContext, type Identity } from '@traveloure/platform';
import type { Database } from './db/database.ts';
import type { NotificationApp } from './app.ts';
import { createLoaders, type Loaders } from './loaders.ts';

/** The signed-in caller as the notification subgraph sees them. */
export interface Viewer {
  id: string;
  admin: boolean;
  analyst: boolean;
}

export interface Context extends BaseContext {
  db: Kysely<Database>;
  app: NotificationApp;
  viewer?: Viewer;
  loaders: Loaders;
}

export function createContext(app: NotificationApp, identity: Identity): Omit<Context, keyof BaseContext> {
  const user = identity.user;
  const viewer = user ? { id: user.id, admin: hasRole(identity, 'ADMIN'), analyst: hasRole(identity, 'ANALYST') } : undefined;
  return { db: app.db, app, viewer, loaders: createLoaders(app.db) };
}
