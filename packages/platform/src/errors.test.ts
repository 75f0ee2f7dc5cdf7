import { describe, expect, it, vi } from 'vitest';
import { GraphQLError } from 'graphql';
import { createErrorFormatter, isDependencyUnavailable } from './errors.ts';

const withCode = (message: string, code: string) => Object.assign(new Error(message), { code });

describe('a database that is down or restarting', () => {
  const outages = [
    withCode('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED'),
    withCode('terminating connection due to administrator command', '57P01'),
    withCode('the database system is starting up', '57P03'),
    withCode('connection failure', '08006'),
    new Error('Connection terminated unexpectedly'),
    new Error('timeout exceeded when trying to connect'),
    new Error('Client has encountered a connection error and is not queryable'),
    new AggregateError([withCode('connect ECONNREFUSED ::1:5432', 'ECONNREFUSED')], ''),
    new Error('query failed', { cause: withCode('read ECONNRESET', 'ECONNRESET') }),
  ];

  it.each(outages.map((error) => [error.message || 'AggregateError', error]))(
    'is a retryable UPSTREAM_UNAVAILABLE with its path, not a bug: %s',
    (_name, error) => {
      const internal: unknown[] = [];
      const format = createErrorFormatter({
        onInternalError: (e) => internal.push(e),
        requestId: () => 'req-1',
      });
      const wrapped = new GraphQLError(error.message, { path: ['createTrip'], originalError: error });
      expect(format({ message: error.message, path: ['createTrip'] }, wrapped)).toEqual({
        message: 'A service this request needs is unavailable right now; try again shortly.',
        path: ['createTrip'],
        extensions: { code: 'UPSTREAM_UNAVAILABLE', requestId: 'req-1' },
      });
      expect(internal).toEqual([]);
    },
  );

  it('leaves every other failure to INTERNAL_SERVER_ERROR', () => {
    for (const error of [
      new Error('boom'),
      withCode('duplicate key value violates unique constraint', '23505'),
      withCode('relation "x" does not exist', '42P01'),
    ]) {
      expect(isDependencyUnavailable(error)).toBe(false);
      const format = createErrorFormatter({});
      const formatted = format(
        { message: error.message },
        new GraphQLError(error.message, { originalError: error }),
      );
      expect(formatted.extensions?.code).toBe('INTERNAL_SERVER_ERROR');
    }
  });
});

/** What Apollo Server hands formatError: the error as JSON with a code filled in. */
function formatThrough(error: GraphQLError) {
  const onInternalError = vi.fn();
  const format = createErrorFormatter({ onInternalError, requestId: () => 'req-1' });
  const { http: _http, ...extensions } = error.extensions;
  const formatted = format(
    {
      message: error.message,
      extensions: { ...extensions, code: extensions.code ?? 'INTERNAL_SERVER_ERROR' },
    },
    error,
  );
  return { formatted, onInternalError };
}

describe('createErrorFormatter', () => {
  it('files an uncoded error carrying a 4xx status as the client’s BAD_REQUEST, unreported', () => {
    const { formatted, onInternalError } = formatThrough(
      new GraphQLError('provided sha does not match query', { extensions: { http: { status: 400 } } }),
    );
    expect(formatted).toEqual({
      message: 'provided sha does not match query',
      extensions: { code: 'BAD_REQUEST', requestId: 'req-1' },
    });
    expect(onInternalError).not.toHaveBeenCalled();
  });

  it('still hides and reports an uncoded error without a client status', () => {
    for (const error of [
      new GraphQLError('database password is hunter2'),
      new GraphQLError('upstream broke', { extensions: { http: { status: 502 } } }),
    ]) {
      const { formatted, onInternalError } = formatThrough(error);
      expect(formatted.extensions).toEqual({ code: 'INTERNAL_SERVER_ERROR', requestId: 'req-1' });
      expect(formatted.message).not.toMatch(/hunter2|upstream/);
      expect(onInternalError).toHaveBeenCalledOnce();
    }
  });

  it('passes on, unreported, an INTERNAL_SERVER_ERROR another service formatted and reported', () => {
    // What the gateway holds for a subgraph's error: its formatted answer, not an Error.
    const fromSubgraph = {
      message: 'Something went wrong on our side. Quote the request id when you report it.',
      extensions: { code: 'INTERNAL_SERVER_ERROR', requestId: 'req-1' },
    };
    const { formatted, onInternalError } = formatThrough(fromSubgraph as unknown as GraphQLError);
    expect(formatted.extensions).toEqual({ code: 'INTERNAL_SERVER_ERROR', requestId: 'req-1' });
    expect(formatted.message).toBe(fromSubgraph.message);
    expect(onInternalError).not.toHaveBeenCalled();
  });
});
