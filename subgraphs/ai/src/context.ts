import type { Kysely } from 'kysely';
import {
  callerContextOf,
  type BaseContext,
  type DataCache,
  type Identity,
  type Viewer,
} from '@traveloure/platform';
import type { AiConfig } from './config.ts';
import type { Database } from './db/database.ts';
import type { LlmClient } from './llm/client.ts';
import { createLoaders, type Loaders } from './loaders.ts';
import type { GenerationLimits } from './rate-limit.ts';

/** Long-lived dependencies, made once per service and shared by every request. */
export interface AiServices {
  db: Kysely<Database>;
  config: AiConfig;
  llm: LlmClient;
  suggestionCache: DataCache;
  /** Counts suggestions generated per caller (`@generationLimit`), not reads. */
  generationLimits: GenerationLimits;
}

/** What every ai resolver gets: the caller, per-request loaders, the service's dependencies. */
export interface AiContext extends BaseContext {
  /** The signed-in caller, if any (partners with an API key have none). */
  viewer?: Viewer;
  loaders: Loaders;
  services: AiServices;
}

export function createContext(services: AiServices, identity: Identity): Omit<AiContext, 'logger'> {
  return { ...callerContextOf(identity), loaders: createLoaders(services.db), services };
}
