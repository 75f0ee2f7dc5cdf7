import { z } from 'zod';
// Narrow imports: npm start checks every service's config before it loads any service.
import { baseConfigShape, env } from '@traveloure/platform/config';
import { eventsConfigShape } from '@traveloure/platform/events/config';

/** Settings of the ai subgraph (docs/ai.md lists every one). */
export const aiConfigSchema = z.object({
  ...baseConfigShape,
  /** Outbox relay and event queue settings (docs/notification.md). */
  ...eventsConfigShape,
  AI_PORT: env.port(4002),
  /** Trip events the projection consumer applies at once. */
  EVENTS_CONCURRENCY: env.int(1, 1, 100),
  /** OpenAI-compatible endpoint; the xAI API by default. */
  LLM_BASE_URL: z.url().default('https://api.x.ai/v1'),
  /** Without a key the LLM is never called and the built-in planner answers. */
  LLM_API_KEY: z.string().min(1).optional(),
  LLM_MODEL: z.string().min(1).default('grok-4-fast-non-reasoning'),
  LLM_TIMEOUT_MS: env.int(20_000, 100, 300_000),
  /**
   * What one suggestion or assistant reply may spend on the LLM in all (queue, retries and the
   * second ask after an invalid answer included) before the planner or the fallback answers.
   * 0 (the default) means LLM_TIMEOUT_MS, so the caller waits at most about one timeout.
   */
  LLM_DEADLINE_MS: env.int(0, 0, 600_000),
  /** Attempts per call on transient failures (429, 5xx, network, timeout), the first included. */
  LLM_MAX_ATTEMPTS: env.int(2, 1, 5),
  LLM_MAX_CONCURRENT: env.int(4, 1, 1000),
  LLM_MAX_QUEUE: env.int(16, 0, 10_000),
  /** Breaker: share of failed calls in the window that opens it (percent, as every breaker's). */
  LLM_BREAKER_FAILURE_PERCENT: env.int(50, 1, 100),
  /** Deprecated: the same share as a fraction (0.5); read as LLM_BREAKER_FAILURE_PERCENT. */
  LLM_BREAKER_FAILURE_RATE: env.deprecated('LLM_BREAKER_FAILURE_PERCENT', (rate) =>
    String(Math.round(Number(rate) * 100)),
  ),
  LLM_BREAKER_MIN_CALLS: env.int(5, 1),
  LLM_BREAKER_WINDOW_MS: env.int(60_000, 1000),
  LLM_BREAKER_HALF_OPEN_MS: env.int(30_000, 100),
  /** Suggestions are cached by their inputs this long (24 h). */
  SUGGESTION_CACHE_TTL_SECONDS: env.int(86_400, 0),
  /** Deprecated: read as REDIS_KEY_PREFIX. */
  AI_KEY_PREFIX: env.deprecated('REDIS_KEY_PREFIX'),
  /** The assistant answers a traveler when the expert wrote nothing in this many minutes. */
  CHAT_EXPERT_ACTIVE_MINUTES: env.int(15, 0),
});

export type AiConfig = z.infer<typeof aiConfigSchema>;
