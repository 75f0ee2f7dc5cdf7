import { register } from 'node:module';

/**
 * Distributed tracing with OpenTelemetry, on only when `OTEL_EXPORTER_OTLP_ENDPOINT` is set:
 * W3C `traceparent` in and out of every service, spans from the SDK's instrumentations (HTTP
 * servers, undici, so the gateway's subgraph calls and the upstream calls, PostgreSQL through
 * pg, Redis through ioredis, BullMQ's Redis commands with them), exported over OTLP/HTTP. The
 * standard variables apply (`OTEL_EXPORTER_OTLP_PROTOCOL`, `OTEL_EXPORTER_OTLP_HEADERS`,
 * `OTEL_TRACES_SAMPLER`, `OTEL_SERVICE_NAME`, ...). Unset, nothing is loaded and no request
 * pays for anything: the API's no-op tracer answers the logger's and Sentry's "which trace?".
 *
 * Must run first in a process, before the modules it instruments load: the instrumentations
 * patch pg, ioredis and http as they are imported (an ES module loader hook, registered here,
 * sees imports made after it). Every entry point therefore calls `startTracing` and imports the
 * rest of the service afterwards, dynamically.
 */
export interface Tracing {
  /** Sends what is still buffered and stops (on shutdown). */
  shutdown(): Promise<void>;
}

let started: Tracing | undefined;

/** Whether this process traces (the gateway then leaves `traceparent` to the instrumentation). */
export function tracingStarted(): boolean {
  return started !== undefined;
}

export async function startTracing(
  service: string,
  env: Record<string, string | undefined> = process.env,
): Promise<Tracing | undefined> {
  if (!env.OTEL_EXPORTER_OTLP_ENDPOINT && !env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) return undefined;
  if (started) return started;
  // The loader hook first: it wraps the ES modules imported from now on for the instrumentations.
  register('@opentelemetry/instrumentation/hook.mjs', import.meta.url);
  const [
    { NodeTracerProvider },
    { BatchSpanProcessor },
    { OTLPTraceExporter },
    { resourceFromAttributes },
    { registerInstrumentations },
    { HttpInstrumentation },
    { UndiciInstrumentation },
    { PgInstrumentation },
    { IORedisInstrumentation },
  ] = await Promise.all([
    import('@opentelemetry/sdk-trace-node'),
    import('@opentelemetry/sdk-trace-base'),
    import('@opentelemetry/exporter-trace-otlp-http'),
    import('@opentelemetry/resources'),
    import('@opentelemetry/instrumentation'),
    import('@opentelemetry/instrumentation-http'),
    import('@opentelemetry/instrumentation-undici'),
    import('@opentelemetry/instrumentation-pg'),
    import('@opentelemetry/instrumentation-ioredis'),
  ]);
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({
      'service.name': env.OTEL_SERVICE_NAME ?? service,
      ...(env.SERVICE_VERSION ? { 'service.version': env.SERVICE_VERSION } : {}),
    }),
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter())],
  });
  // The global tracer provider, AsyncLocalStorage context and W3C trace-context propagation.
  provider.register();
  registerInstrumentations({
    tracerProvider: provider,
    instrumentations: [
      new HttpInstrumentation({
        // Probes and scrapes every few seconds would bury the requests people look for.
        ignoreIncomingRequestHook: (request) => /^\/(health|metrics)/.test(request.url ?? ''),
      }),
      new UndiciInstrumentation(),
      // Statement text without values: parameters may hold personal data.
      new PgInstrumentation({ enhancedDatabaseReporting: false }),
      new IORedisInstrumentation(),
    ],
  });
  started = { shutdown: () => provider.shutdown() };
  return started;
}
