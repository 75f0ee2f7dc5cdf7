import { describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import { createLogger } from './logger.ts';
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
