import { z } from 'zod';
// Narrow imports: npm start checks every service's config before it loads any service.
import { baseConfigShape, env, loadConfig } from '@traveloure/platform/config';
import { readSubgraphRegistry } from '@traveloure/platform/subgraph-registry';
import { edgeConfigShape } from './edge/config.ts';
import { responseCacheConfigShape } from './response-cache/config.ts';

export const DEVELOPMENT_JWT_SECRET = 'development-only-jwt-secret-change-me-0123456789';

export const gatewayConfigSchema = z.object({
  ...baseConfigShape,
  GATEWAY_PORT: env.port(4000),
  /** HS256 secret for user tokens (npm run token signs with it). */
  JWT_SECRET: z.string().min(32, 'must be at least 32 characters').default(DEVELOPMENT_JWT_SECRET),
  JWT_ISSUER: z.string().default('traveloure'),
  JWT_AUDIENCE: z.string().default('traveloure-api'),
  /** The composed supergraph the gateway serves. */
  SUPERGRAPH_PATH: z.string().optional(),
  /** Fetched instead of SUPERGRAPH_PATH (with If-None-Match), e.g. from a schema registry or bucket. */
  SUPERGRAPH_URL: z.url().optional(),
  /**
   * How often the gateway looks for a new supergraph (file or URL) and, when it builds, serves
   * it without a restart; 0 loads it once at start.
   */
  SUPERGRAPH_POLL_MS: env.int(5_000, 0),
  /**
   * How long a subgraph call may take. Above the ai subgraph's LLM deadline (20 s), so a slow LLM
   * ends in the planner's answer rather than in UPSTREAM_UNAVAILABLE.
   */
  SUBGRAPH_TIMEOUT_MS: env.int(25_000, 100),
  ...edgeConfigShape,
  ...responseCacheConfigShape,
});

/**
 * Where the subgraphs answer: one variable per subgraph of schema/supergraph.yaml, named after it
 * (TRIP_URL, AI_URL, ...); unset, the routing URL recorded in the composed supergraph.
 */
const subgraphUrlShape = Object.fromEntries(
  readSubgraphRegistry().map(({ urlVariable }) => [urlVariable, z.url().optional()]),
);

export type GatewayConfig = z.infer<typeof gatewayConfigSchema> & {
  /** By subgraph name, from the subgraphs' URL variables; absent where unset. */
  subgraphUrls: Record<string, string | undefined>;
};

export function loadGatewayConfig(source: Record<string, string | undefined> = process.env): GatewayConfig {
  const validated = loadConfig(gatewayConfigSchema.extend(subgraphUrlShape), source) as z.infer<
    typeof gatewayConfigSchema
  > &
    Record<string, unknown>;
  const config: GatewayConfig = {
    ...validated,
    subgraphUrls: Object.fromEntries(
      readSubgraphRegistry().map(({ name, urlVariable }) => [
        name,
        validated[urlVariable] as string | undefined,
      ]),
    ),
  };
  if (config.NODE_ENV === 'production' && config.JWT_SECRET === DEVELOPMENT_JWT_SECRET) {
    throw new Error('Invalid configuration:\n  JWT_SECRET: must be set in production');
  }
  return config;
}
