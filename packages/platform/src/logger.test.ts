import { describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import { createLogger, logFormatOf } from './logger.ts';
import { runWithRequestContext } from './request-context.ts';

function capture() {
  const lines: Record<string, any>[] = [];
  const destination = new Writable({
    write(chunk, _encoding, callback) {
      lines.push(JSON.parse(chunk.toString()));
      callback();
    },
  });
  return { lines, logger: createLogger('test', { level: 'info', destination }) };
}

describe('logger', () => {
  it('redacts credentials and stamps the request id', () => {
    const { lines, logger } = capture();
    runWithRequestContext({ requestId: 'req-abcdefgh' }, () => {
      logger.info(
        {
          req: { headers: { authorization: 'Bearer secret', cookie: 'sid=1', 'x-api-key': 'k' } },
          password: 'p',
          nested: { token: 't' },
        },
        'hello',
      );
    });
    const line = lines[0]!;
    expect(line.requestId).toBe('req-abcdefgh');
    expect(line.service).toBe('test');
    expect(line.level).toBe('info');
    expect(line.req.headers.authorization).toBe('[Redacted]');
    expect(line.req.headers.cookie).toBe('[Redacted]');
    expect(line.req.headers['x-api-key']).toBe('[Redacted]');
    expect(line.password).toBe('[Redacted]');
    expect(line.nested.token).toBe('[Redacted]');
    expect(JSON.stringify(line)).not.toContain('secret');
  });

  it('writes no request id outside a request', () => {
    const { lines, logger } = capture();
    logger.info('boot');
    expect(lines[0]!.requestId).toBeUndefined();
  });
});

describe('log format', () => {
  it('is pretty at a terminal and JSON elsewhere, unless LOG_FORMAT chooses', () => {
    expect(logFormatOf({}, true)).toBe('pretty');
    expect(logFormatOf({}, false)).toBe('json');
    expect(logFormatOf({ LOG_FORMAT: 'json' }, true)).toBe('json');
    expect(logFormatOf({ LOG_FORMAT: 'pretty' }, false)).toBe('pretty');
  });

  it('writes pretty lines a person reads: level, service, message, fields, credentials redacted', () => {
    let written = '';
    const destination = new Writable({
      write(chunk, _encoding, callback) {
        written += chunk.toString();
        callback();
      },
    });
    const logger = createLogger('trip', { level: 'info', destination, format: 'pretty' });
    logger.child({ subgraph: 'ai' }).warn({ url: 'http://x', password: 'hunter2' }, 'listening');
    expect(written).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] WARN: trip\/ai: listening /);
    expect(written).toContain('"url":"http://x"');
    expect(written).not.toContain('hunter2');
    expect(() => JSON.parse(written)).toThrow();
  });
});
