/**
 * The test kit, one import for every package's tests: local servers that speak the upstreams'
 * real protocols (Amadeus, an OpenAI-compatible LLM, SMTP, webhooks) and can be told to fail or
 * slow down, and the platform's throwaway PostgreSQL databases, private Redis servers (and
 * clients connected to them) and PostgreSQL clusters, TCP fault proxy, signed identities, raw
 * HTTP exchanges and the settings a test stack starts a service with.
 */
export * from '@traveloure/platform/testing';
export * from './amadeus-emulator.ts';
export * from './openai-emulator.ts';
export * from './smtp-emulator.ts';
export * from './webhook-emulator.ts';
export * from './sentry-receiver.ts';
export * from './otlp-receiver.ts';
