import { startTracing } from '@traveloure/platform/tracing';

// Tracing first: it instruments what is imported after it (packages/platform/src/tracing.ts).
await startTracing('notification');
const { runServiceMain } = await import('@traveloure/platform');
const { notificationService } = await import('./service.ts');
await runServiceMain(notificationService);
