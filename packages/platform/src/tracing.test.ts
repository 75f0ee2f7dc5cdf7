import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import { trace } from '@opentelemetry/api';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { createLogger } from './logger.ts';
import { startTracing, tracingStarted } from './tracing.ts';

function capturingLogger() {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()));
      done();
    },
  });
  return { logger: createLogger('test', { level: 'info', destination }), lines };
}

describe('tracing off (no OTEL_EXPORTER_OTLP_ENDPOINT)', () => {
  it('starts nothing, and log lines carry no trace ids', async () => {
    expect(await startTracing('trip', {})).toBeUndefined();
    expect(tracingStarted()).toBe(false);
    const { logger, lines } = capturingLogger();
    trace.getTracer('test').startActiveSpan('no-op', (span) => {
      logger.info('served');
      span.end();
    });
    expect(lines[0]).not.toHaveProperty('trace_id');
  });
});

describe('log lines under an active span', () => {
  const provider = new NodeTracerProvider();
  beforeAll(() => provider.register());
  afterAll(() => provider.shutdown());

  it('carry its trace and span ids', () => {
    const { logger, lines } = capturingLogger();
    let ids: { traceId: string; spanId: string } | undefined;
    trace.getTracer('test').startActiveSpan('request', (span) => {
      ids = span.spanContext();
      logger.info('served');
      span.end();
    });
    logger.info('outside any span');
    expect(lines[0]).toMatchObject({ trace_id: ids!.traceId, span_id: ids!.spanId });
    expect(lines[1]).not.toHaveProperty('trace_id');
  });
});
