import type { Kysely } from 'kysely';
import { viewerOf, type BaseContext, type DataCache, type Identity, type Viewer } from '@traveloure/platform';
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
  suggestionCache: DataCache;
  /** Counts suggestions generated per caller (`@generationLimit`), not reads. */
  generationLimits: GenerationLimits;
}

/** What every ai resolver gets: the caller, per-request loaders, the service's dependencies. */
export interface AiContext extends BaseContext, AiDependencies {
  /** The signed-in caller, if any (partners with an API key have none). */
  viewer?: Viewer;
  loaders: Loaders;
}

/** The name the shared codegen config (codegen.ts) types every subgraph's resolvers with. */
export type Context = AiContext;

export function createContext(deps: AiDependencies, identity: Identity): Omit<AiContext, 'logger'> {
  return {
    identity,
    viewer: viewerOf(identity),
    loaders: createLoaders(deps.db),
    ...deps,
    requestId: identity.requestId,
  };
}
