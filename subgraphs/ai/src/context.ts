import type { Kysely } from 'kysely';
import {
  viewerOf,
  type BaseContext,
  type Identity,
  type ResponseCache,
  type Viewer,
} from '@traveloure/platform';
import type { AiConfig } from './config.ts';
import type { Database } from './db/database.ts';
import type { LlmClient } from './llm/client.ts';
import { createLoaders, type Loaders } from './loaders.ts';
import type { GenerationLimits } from './rate-limit.ts';

/** Long-lived dependencies, made once per service. */
export interface AiDependencies {
  db: Kysely<Database>;
  config: AiConfig;
  llm: LlmClient;
  suggestionCache: ResponseCache;
  /** Counts suggestions generated per caller (`@generationLimit`), not reads. */
  generationLimits: GenerationLimits;
}

export interface Context extends BaseContext, AiDependencies {
  /** The signed-in caller, if any (partners with an API key have none). */
  viewer?: Viewer;
  loaders: Loaders;
}

export function createContext(deps: AiDependencies, identity: Identity): Omit<Context, keyof BaseContext> {
  return { ...deps, viewer: viewerOf(identity), loaders: createLoaders(deps.db) };
}
