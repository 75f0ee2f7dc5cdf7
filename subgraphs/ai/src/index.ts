import { startTracing } from '@traveloure/platform/tracing';

// Tracing first: it instruments what is imported after it (packages/platform/src/tracing.ts).
await startTracing('ai');
const { runServiceMain } = await import('@traveloure/platform');
const { aiService } = await import('./service.ts');
await runServiceMain(aiService);
