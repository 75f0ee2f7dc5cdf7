import { promises as dns, type LookupAddress, type LookupOptions } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { classifyAddress, classifyHost } from './address.ts';

/** Resolves a host name to every address it has; injectable so tests can play DNS rebinding. */
export type EgressResolver = (hostname: string) => Promise<LookupAddress[]>;

export const systemResolver: EgressResolver = (hostname) =>
  dns.lookup(hostname, { all: true, verbatim: true });

export type EgressUrlProblemCode =
  'INVALID_URL' | 'SCHEME_NOT_ALLOWED' | 'CREDENTIALS_NOT_ALLOWED' | 'ADDRESS_NOT_ALLOWED';

export interface EgressUrlProblem {
  code: EgressUrlProblemCode;
  message: string;
}

/**
 * The policy refused the call before anything was sent: an internal destination (loopback,
 * private, link-local, metadata, ...) or a URL it does not take. The message is all a user
 * should see; `host` and `range` (why) are for the logs.
 */
export class EgressRefusedError extends Error {
  constructor(
    readonly host: string,
    readonly range: string,
    readonly code: EgressUrlProblemCode = 'ADDRESS_NOT_ALLOWED',
    message = 'address not allowed',
  ) {
    super(message);
    this.name = 'EgressRefusedError';
  }
}

export class EgressResponseTooLargeError extends Error {
  constructor(readonly limitBytes: number) {
    super(`response larger than ${limitBytes} bytes`);
    this.name = 'EgressResponseTooLargeError';
  }
}

export class EgressTimeoutError extends Error {
  constructor(readonly timeoutMs: number) {
    super(`no complete response within ${timeoutMs} ms`);
    this.name = 'EgressTimeoutError';
  }
}

export interface EgressPolicyOptions {
  /**
   * Let 127.0.0.0/8, ::1 and `localhost` through (and plain http to them): local development
   * and tests with receivers on loopback. Off unless a setting turns it on; private, link-local
   * and metadata ranges stay refused even then.
   */
  allowLoopback?: boolean;
  resolve?: EgressResolver;
}

export interface EgressRequest {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** From the first byte sent to the last byte received (DNS and connect included). */
  timeoutMs: number;
  /** The response body is read up to this size; a larger one fails the call. */
  maxResponseBytes: number;
  signal?: AbortSignal;
}

export interface EgressResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

export interface EgressPolicy {
  readonly allowLoopback: boolean;
  /** The check before a URL is stored: undefined when it may be saved. No DNS lookup. */
  checkUrl(value: string): EgressUrlProblem | undefined;
  /** A `lookup` for node:net: resolves once and hands only checked addresses to connect(). */
  lookup: LookupFunction;
  /**
   * One HTTP(S) request under the policy: the URL checked, the host resolved once, every
   * resolved address checked and the socket connected to those addresses only (so a second,
   * rebound DNS answer is never asked for). Redirects are returned, not followed.
   */
  request(url: string, init: EgressRequest): Promise<EgressResponse>;
}

type LookupCallback = (
  error: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void;
export type LookupFunction = (hostname: string, options: LookupOptions, callback: LookupCallback) => void;

export function createEgressPolicy(options: EgressPolicyOptions = {}): EgressPolicy {
  const allowLoopback = Boolean(options.allowLoopback);
  const resolve = options.resolve ?? systemResolver;

  const checkUrl = (value: string): EgressUrlProblem | undefined => {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      return { code: 'INVALID_URL', message: 'not a valid URL' };
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:')
      return { code: 'SCHEME_NOT_ALLOWED', message: 'must use https' };
    if (url.username || url.password)
      return { code: 'CREDENTIALS_NOT_ALLOWED', message: 'must not carry credentials' };
    // url.hostname is WHATWG-normalised: 2130706433, 0x7f.1 and 017700000001 arrive as 127.0.0.1,
    // [::ffff:127.0.0.1] as [::ffff:7f00:1].
    const verdict = classifyHost(url.hostname, { allowLoopback });
    if (!verdict.allowed) return { code: 'ADDRESS_NOT_ALLOWED', message: 'address not allowed' };
    if (url.protocol === 'http:' && !verdict.loopback)
      return {
        code: 'SCHEME_NOT_ALLOWED',
        message: allowLoopback ? 'must use https (http is allowed only to loopback)' : 'must use https',
      };
    return undefined;
  };

  const lookup: LookupFunction = (hostname, lookupOptions, callback) => {
    resolve(hostname).then(
      (addresses) => {
        const refused = addresses
          .map((entry) => ({ entry, verdict: classifyAddress(entry.address, { allowLoopback }) }))
          .find(({ verdict }) => !verdict.allowed);
        // One internal answer refuses the name: connecting to "the public one" would still let
        // a name that mixes both probe the inside on the next attempt's ordering.
        if (refused) return callback(new EgressRefusedError(hostname, refused.verdict.range), '');
        if (addresses.length === 0) {
          const error: NodeJS.ErrnoException = new Error(`no address for ${hostname}`);
          error.code = 'ENOTFOUND';
          return callback(error, '');
        }
        const wanted = lookupOptions.family === 4 || lookupOptions.family === 6 ? lookupOptions.family : 0;
        const usable = wanted ? addresses.filter((entry) => entry.family === wanted) : addresses;
        if (lookupOptions.all) return callback(null, usable);
        const first = usable[0];
        if (!first) {
          const error: NodeJS.ErrnoException = new Error(`no IPv${wanted} address for ${hostname}`);
          error.code = 'ENOTFOUND';
          return callback(error, '');
        }
        callback(null, first.address, first.family);
      },
      (error: NodeJS.ErrnoException) => callback(error, ''),
    );
  };

  const request = (value: string, init: EgressRequest): Promise<EgressResponse> => {
    const problem = checkUrl(value);
    if (problem) {
      const message = problem.code === 'ADDRESS_NOT_ALLOWED' ? problem.message : `URL ${problem.message}`;
      return Promise.reject(new EgressRefusedError(safeHost(value), 'url', problem.code, message));
    }
    const url = new URL(value);
    const client = url.protocol === 'https:' ? https : http;
    const body = init.body === undefined ? undefined : Buffer.from(init.body);
    return new Promise<EgressResponse>((resolvePromise, reject) => {
      let settled = false;
      const finish = (error: Error | undefined, response?: EgressResponse) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (error) {
          outgoing.destroy();
          reject(error);
        } else resolvePromise(response!);
      };
      const outgoing = client.request(
        url,
        {
          method: init.method ?? 'GET',
          headers: { ...init.headers, ...(body ? { 'content-length': String(body.length) } : {}) },
          // A fresh connection per call, made through the checked lookup: no pooled socket
          // from another policy, no proxy from the environment.
          agent: false,
          lookup: lookup as never,
          signal: init.signal,
        },
        (incoming) => {
          const declared = Number(incoming.headers['content-length']);
          if (Number.isFinite(declared) && declared > init.maxResponseBytes) {
            incoming.destroy();
            return finish(new EgressResponseTooLargeError(init.maxResponseBytes));
          }
          const chunks: Buffer[] = [];
          let size = 0;
          incoming.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size > init.maxResponseBytes) {
              incoming.destroy();
              finish(new EgressResponseTooLargeError(init.maxResponseBytes));
            } else chunks.push(chunk);
          });
          incoming.on('end', () =>
            finish(undefined, {
              status: incoming.statusCode ?? 0,
              headers: incoming.headers,
              body: Buffer.concat(chunks),
            }),
          );
          incoming.on('error', (error) => finish(error));
          incoming.on('close', () => {
            if (!incoming.complete) finish(new Error('the receiver closed the connection mid-response'));
          });
        },
      );
      const timer = setTimeout(() => finish(new EgressTimeoutError(init.timeoutMs)), init.timeoutMs);
      outgoing.on('error', (error) => finish(error));
      outgoing.end(body);
    });
  };

  return { allowLoopback, checkUrl, lookup, request };
}

function safeHost(value: string): string {
  try {
    return new URL(value).hostname;
  } catch {
    return '';
  }
}
