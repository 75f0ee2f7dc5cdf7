import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SupergraphSdlHook } from '@apollo/gateway';
import { Supergraph } from '@apollo/federation-internals';
import { counter, gauge, type Logger } from '@traveloure/platform';

export const defaultSupergraphPath = resolve(
  dirname(fileURLToPath(import.meta.url)),
  '../../schema/supergraph.graphql',
);

export function readSupergraph(path = defaultSupergraphPath): string {
  return readFileSync(path, 'utf8');
}

/** Subgraph names and routing URLs as the composed supergraph records them (join__graph). */
export function subgraphsOf(supergraphSdl: string): { name: string; url: string }[] {
  const graphs: { name: string; url: string }[] = [];
  const pattern = /@join__graph\(name:\s*"([^"]+)",\s*url:\s*"([^"]+)"\)/g;
  for (const match of supergraphSdl.matchAll(pattern)) graphs.push({ name: match[1]!, url: match[2]! });
  return graphs;
}

const reloads = counter(
  'gateway_supergraph_reloads_total',
  'Supergraph changes seen while running: applied, rejected (did not build; the previous one is kept), unreachable (SUPERGRAPH_URL or the file could not be read)',
  ['service', 'result'] as const,
);

const loadedAt = gauge(
  'gateway_supergraph_loaded_timestamp_seconds',
  'When the supergraph being served was loaded (Unix time)',
  ['service'] as const,
);

/**
 * Throws unless the text is a supergraph the gateway can serve: the same build (with its
 * validation) the gateway runs on `update`, plus the API schema, so a bad file is refused
 * here, with its reason, before the gateway sees it.
 */
export function validateSupergraph(supergraphSdl: string): void {
  Supergraph.build(supergraphSdl, { validateSupergraph: true }).apiSchema();
}

export interface SupergraphSourceOptions {
  /** A file (default schema/supergraph.graphql), re-read every pollMs. */
  path?: string;
  /** Fetched instead of the file, with If-None-Match, every pollMs. */
  url?: string;
  /** How often to look for a change; 0 reads once and never again. */
  pollMs: number;
  logger: Logger;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/**
 * The gateway's supergraph, followed while it runs: `supergraphSdl` for ApolloGateway. The file
 * is polled (read and hashed) rather than watched: a poll sees every way the file may change,
 * including an editor replacing it by rename and a Kubernetes ConfigMap swapping its `..data`
 * symlink, which fs.watch loses track of. A URL is polled with its ETag, so an unchanged
 * supergraph costs a 304. A change that does not build is refused with one log line and
 * `gateway_supergraph_reloads_total{result="rejected"}`; the gateway keeps serving the previous
 * one. Nothing here runs per request.
 */
export function supergraphSource(options: SupergraphSourceOptions): SupergraphSdlHook {
  const { logger, pollMs } = options;
  const labels = { service: 'gateway' };
  let etag: string | undefined;
  const where = options.url ?? options.path ?? defaultSupergraphPath;

  /** The current text, or undefined when unchanged (304). */
  async function fetchSdl(): Promise<string | undefined> {
    if (!options.url) return readFile(options.path ?? defaultSupergraphPath, 'utf8');
    const response = await fetch(options.url, {
      headers: etag ? { 'if-none-match': etag } : {},
      signal: AbortSignal.timeout(10_000),
    });
    if (response.status === 304) return undefined;
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    const text = await response.text();
    etag = response.headers.get('etag') ?? undefined;
    return text;
  }

  return async ({ update }) => {
    const initial = await fetchSdl();
    if (initial === undefined) throw new Error(`${where} answered 304 to the first request`);
    validateSupergraph(initial);
    let current = sha256(initial);
    // A broken file is reported once, not on every poll until someone fixes it.
    let lastRefused: string | undefined;
    let unreachable = false;
    loadedAt.set(labels, Date.now() / 1000);
    // Every outcome's series from the start, at 0: an alert on `increase(...rejected...)` needs
    // the series to exist before the first refusal, and a dashboard shows 0, not "no data".
    for (const result of ['applied', 'rejected', 'unreachable'] as const)
      reloads.inc({ ...labels, result }, 0);

    const poll = async () => {
      let text: string | undefined;
      try {
        text = await fetchSdl();
        unreachable = false;
      } catch (error) {
        if (!unreachable) {
          reloads.inc({ ...labels, result: 'unreachable' });
          logger.warn({ err: error, supergraph: where }, 'supergraph unreadable; serving the one loaded');
        }
        unreachable = true;
        return;
      }
      if (text === undefined) return;
      const hash = sha256(text);
      if (hash === current || hash === lastRefused) return;
      try {
        validateSupergraph(text);
        update(text);
      } catch (error) {
        lastRefused = hash;
        reloads.inc({ ...labels, result: 'rejected' });
        logger.error(
          { supergraph: where, reason: error instanceof Error ? error.message.slice(0, 500) : String(error) },
          'supergraph change refused; serving the previous one',
        );
        return;
      }
      current = hash;
      lastRefused = undefined;
      reloads.inc({ ...labels, result: 'applied' });
      loadedAt.set(labels, Date.now() / 1000);
      logger.info({ supergraph: where, sha256: hash.slice(0, 12) }, 'supergraph reloaded');
    };

    let timer: NodeJS.Timeout | undefined;
    let polling: Promise<void> = Promise.resolve();
    let stopped = false;
    const schedule = () => {
      if (stopped || pollMs <= 0) return;
      timer = setTimeout(() => {
        polling = poll().finally(schedule);
      }, pollMs);
      timer.unref();
    };
    schedule();
    return {
      supergraphSdl: initial,
      cleanup: async () => {
        stopped = true;
        clearTimeout(timer);
        await polling;
      },
    };
  };
}
