import { callerContextOf, type BaseContext, type Identity, type Viewer } from '@traveloure/platform';
import { createLoaders, type Loaders } from './loaders.ts';
import type { NotificationServices } from './services.ts';

export type { Viewer } from '@traveloure/platform';

export interface NotificationContext extends BaseContext {
  /** The signed-in caller, if any. */
  viewer?: Viewer;
  loaders: Loaders;
  /** Database, queues, inbox cache, channels and clock, shared by every request. */
  services: NotificationServices;
}

export function createContext(
  services: NotificationServices,
  identity: Identity,
): Omit<NotificationContext, 'logger'> {
  return { ...callerContextOf(identity), loaders: createLoaders(services.db), services };
}
