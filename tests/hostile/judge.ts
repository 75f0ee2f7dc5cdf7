/**
 * Sending one hostile request and judging its answer against the suite's standard: no 5xx, an
 * answer at all, every error coded and carrying the request id, nothing internal in the body.
 */
import http from 'node:http';
import type { HostileCase } from './generator.ts';

export interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  ms: number;
  /** Set when no answer came: a timeout, a reset, a closed socket. */
  failure?: string;
}

/**
 * node:http rather than fetch: fetch refuses what this suite must send (a Content-Length that
 * lies, methods like TRACE, bodies on GET), and gives no say over chunked framing.
 */
export function send(
  url: string,
  testCase: HostileCase,
  headers: Record<string, string>,
  timeoutMs: number,
): Promise<Answer> {
  const started = performance.now();
  return new Promise((resolve) => {
    // The path goes out as written (`//graphql`, `%2e%2e`): only host and port come from the URL.
    const target = new URL(url);
    const outgoing: Record<string, string | number> = { ...headers };
    const body = testCase.body;
    if (testCase.declaredLength === -1) outgoing['transfer-encoding'] = 'chunked';
    else if (testCase.declaredLength !== undefined) outgoing['content-length'] = testCase.declaredLength;
    else if (body) outgoing['content-length'] = body.length;
    let settled = false;
    const finish = (answer: Omit<Answer, 'ms'>) => {
      if (settled) return;
      settled = true;
      resolve({ ...answer, ms: Math.round(performance.now() - started) });
    };
    const request = http.request(
      {
        host: target.hostname,
        port: target.port,
        method: testCase.method,
        path: testCase.path,
        headers: outgoing,
        agent: false,
        // The 3000-header case: answers carry few headers, requests may carry many.
        maxHeaderSize: 64 * 1024,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          finish({
            status: response.statusCode ?? 0,
            headers: response.headers,
            text: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        response.on('error', (error) =>
          finish({
            status: response.statusCode ?? 0,
            headers: response.headers,
            text: '',
            failure: error.message,
          }),
        );
      },
    );
    request.setTimeout(timeoutMs, () => {
      finish({ status: 0, headers: {}, text: '', failure: `no answer within ${timeoutMs} ms` });
      request.destroy();
    });
    request.on('error', (error: NodeJS.ErrnoException) => {
      // A server may refuse an oversized body by answering early and closing: the answer counts.
      finish({ status: 0, headers: {}, text: '', failure: `${error.code ?? ''} ${error.message}`.trim() });
    });
    if (body && testCase.method !== 'GET' && testCase.method !== 'HEAD') {
      if (testCase.declaredLength !== undefined && testCase.declaredLength >= 0) {
        // Write no more than declared when it is shorter; the rest of a longer lie never comes.
        request.write(body.subarray(0, Math.min(body.length, testCase.declaredLength)));
        if (testCase.declaredLength > body.length) return; // keep the socket open: the lie
        request.end();
      } else {
        request.end(body);
      }
    } else {
      request.end();
    }
  });
}

/** What must never reach a client: stacks, file paths, driver and SQL messages, HTML pages. */
const internals: [RegExp, string][] = [
  [/\bat [\w$.<>[\] ]+ \((?:file:|node:|\/)/, 'a stack frame'],
  [/\n\s+at /, 'a stack frame'],
  [/node_modules/, 'a node_modules path'],
  [/\/work\/|\/app\/|file:\/\//, 'a file path'],
  [/\.[cm]?[jt]s:\d+/, 'a source location'],
  [/"stacktrace"|"exception"/, 'an exception in extensions'],
  [/ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|ENOTFOUND/, 'a socket error code'],
  [
    /syntax error at or near|invalid input syntax|violates [\w ]*constraint|duplicate key value|SQLSTATE/i,
    'a SQL error',
  ],
  [/relation "[^"]+" does not exist|column "[^"]+" (?:does not|of relation)/, 'a SQL error'],
  [
    /\bselect\b.{0,80}\bfrom\s+"?\w+"?\."?\w+|\binsert into\s+"?\w+"?\.|\bupdate\s+"?\w+"?\."?\w+"?\s+set\b/i,
    'SQL text',
  ],
  [
    /TypeError|ReferenceError|RangeError|SyntaxError: Unexpected|Maximum call stack|Cannot read propert|is not a function/,
    'a JavaScript error',
  ],
  [/<!DOCTYPE|<html|<pre>|<body/i, 'an HTML page'],
];

export interface Verdict {
  problems: string[];
  /** The error codes seen, for the run's figures. */
  codes: string[];
}

function dig(value: unknown, path: string[]): unknown {
  let current = value;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

export function judge(testCase: HostileCase, answer: Answer, secrets: string[]): Verdict {
  const problems: string[] = [];
  const codes: string[] = [];
  if (answer.failure) {
    problems.push(`no answer (${answer.failure})`);
    return { problems, codes };
  }
  if (answer.status >= 500) problems.push(`status ${answer.status}`);
  const headerId = answer.headers['x-request-id'];
  if (!headerId) problems.push('no x-request-id header');

  let scanned = answer.text;
  for (const echo of testCase.echoes) {
    for (const form of [echo, JSON.stringify(echo).slice(1, -1)])
      if (form) scanned = scanned.split(form).join('');
  }
  for (const [pattern, what] of internals) {
    if (pattern.test(scanned)) {
      problems.push(`leaks ${what}`);
      break;
    }
  }

  const bodyless = testCase.method === 'HEAD' || answer.status === 204 || answer.status === 304;
  let parsed:
    { data?: unknown; errors?: { message?: unknown; extensions?: Record<string, unknown> }[] } | undefined;
  if (!bodyless) {
    try {
      parsed = JSON.parse(answer.text);
    } catch {
      parsed = undefined;
    }
  }
  const isError = answer.status >= 400 || Boolean(parsed?.errors);
  if (isError && !bodyless) {
    if (!parsed || !Array.isArray(parsed.errors) || parsed.errors.length === 0) {
      problems.push(
        answer.text.length === 0 ? 'error with an empty body' : 'error body is not a GraphQL error list',
      );
    } else {
      for (const error of parsed.errors) {
        const code = error?.extensions?.code;
        const requestId = error?.extensions?.requestId;
        if (typeof code !== 'string') problems.push('an error without extensions.code');
        else {
          codes.push(code);
          if (code === 'INTERNAL_SERVER_ERROR') problems.push('INTERNAL_SERVER_ERROR for a client mistake');
        }
        if (typeof requestId !== 'string') problems.push('an error without extensions.requestId');
        else if (headerId && requestId !== headerId)
          problems.push('extensions.requestId is not the x-request-id');
      }
    }
  }

  const expect = testCase.expect;
  if (expect?.status && !expect.status.includes(answer.status)) {
    problems.push(`expected status ${expect.status.join(' or ')}`);
  }
  if (expect?.codes) {
    if (codes.length === 0) problems.push(`expected an error coded ${expect.codes.join(' or ')}, got none`);
    // Other errors may come along (a directive repeated is also a validation error); the
    // limit must be among them.
    else if (!codes.some((code) => expect.codes!.includes(code))) {
      problems.push(`expected ${expect.codes.join(' or ')}, got ${[...new Set(codes)].join(', ')}`);
    }
  }
  if (expect?.secrets) {
    const leaked = secrets.filter((secret) => answer.text.includes(secret));
    if (leaked.length) problems.push(`answer carries another user's data (${leaked.join(', ')})`);
  }
  for (const path of expect?.nullPaths ?? []) {
    const value = dig(parsed, path);
    if (value !== null && value !== undefined) problems.push(`${path.join('.')} should be null`);
  }
  return { problems: [...new Set(problems)], codes };
}

export function excerpt(text: string, length = 240): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > length ? `${flat.slice(0, length)}…` : flat;
}
