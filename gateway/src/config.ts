import { z } from 'zod';
// Narrow imports: npm start checks every service's config before it loads any service.
import { baseConfigShape, env, loadConfig } from '@traveloure/platform/config';
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
  /** Where the subgraphs answer; defaults come from schema/supergraph.yaml. */
  TRIP_URL: z.url().optional(),
  AI_URL: z.url().optional(),
  SEARCH_URL: z.url().optional(),
  NOTIFICATION_URL: z.url().optional(),
  /** The composed supergraph the gateway serves. */
  SUPERGRAPH_PATH: z.string().optional(),
  /**
   * How long a subgraph call may take. Above the ai subgraph's LLM deadline (20 s), so a slow LLM
   * ends in the planner's answer rather than in UPSTREAM_UNAVAILABLE.
   */
  SUBGRAPH_TIMEOUT_MS: env.int(25_000, 100),
  ...edgeConfigShape,
  ...responseCacheConfigShape,
});

export type GatewayConfig = z.infer<typeof gatewayConfigSchema>;

export function loadGatewayConfig(source: Record<string, string | undefined> = process.env): GatewayConfig {
  const config = loadConfig(gatewayConfigSchema, source);
  if (config.NODE_ENV === 'production' && config.JWT_SECRET === DEVELOPMENT_JWT_SECRET) {
    throw new Error('Invalid configuration:\n  JWT_SECRET: must be set in production');
  }
  return config;
}
