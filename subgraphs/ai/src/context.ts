import type { Kysely } from 'kysely';
import type { BaseContext, Identity, ResponseCache } from '@traveloure/platform';
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
  loaders: Loaders;
}

export function createContext(deps: AiDependencies, _identity: Identity): Omit<Context, keyof BaseContext> {
  return { ...deps, loaders: createLoaders(deps.db) };
}
