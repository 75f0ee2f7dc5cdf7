import { afterEach, describe, expect, it } from 'vitest';
import { composeServices } from '@apollo/composition';
import { gql } from 'graphql-tag';
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '@traveloure/platform';
import { supergraphSource } from './supergraph.ts';

const supergraphWith = (fields: string) => {
  const composed = composeServices([
    {
      name: 'probe',
      url: 'http://127.0.0.1:1/graphql',
      typeDefs: gql(`
        extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
        type Query { ${fields} }
      `),
    },
  ]);
  if (composed.errors) throw composed.errors[0];
  return composed.supergraphSdl;
};
const first = supergraphWith('echo: String');
const second = supergraphWith('echo: String extra: Int');
const broken = second.replace('type Query', 'type Query @join__type(graph: NOWHERE)');

const logger = createLogger('gateway', { level: 'silent' });
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

/** Starts a source and records what it hands the gateway. */
async function follow(options: Parameters<typeof supergraphSource>[0]) {
  const updates: string[] = [];
  const started = await supergraphSource(options)({
    update: (sdl) => void updates.push(sdl),
    healthCheck: async () => {},
    getDataSource: () => undefined as never,
  });
  cleanups.push(() => started.cleanup?.());
  return { initial: started.supergraphSdl, updates };
}

describe('supergraphSource: a file', () => {
  const directory = () => {
    const dir = mkdtempSync(join(tmpdir(), 'supergraph-'));
    cleanups.push(() => rmSync(dir, { recursive: true }));
    return dir;
  };

  it('follows a file an editor replaces by rename, and one rewritten in place', async () => {
    const path = join(directory(), 'supergraph.graphql');
    writeFileSync(path, first);
    const { initial, updates } = await follow({ path, pollMs: 20, logger });
    expect(initial).toBe(first);

    writeFileSync(`${path}.swp`, second);
    renameSync(`${path}.swp`, path);
    await pause(150);
    expect(updates).toEqual([second]);

    writeFileSync(path, first);
    await pause(150);
    expect(updates).toEqual([second, first]);
  });

  it('keeps the one it serves when a change does not build, and takes the next good one', async () => {
    const path = join(directory(), 'supergraph.graphql');
    writeFileSync(path, first);
    const { updates } = await follow({ path, pollMs: 20, logger });
    writeFileSync(path, broken);
    await pause(150);
    expect(updates).toEqual([]);
    writeFileSync(path, second);
    await pause(150);
    expect(updates).toEqual([second]);
  });

  it('refuses to start on a supergraph that does not build', async () => {
    const path = join(directory(), 'supergraph.graphql');
    writeFileSync(path, broken);
    await expect(follow({ path, pollMs: 0, logger })).rejects.toThrow();
  });
});

describe('supergraphSource: SUPERGRAPH_URL', () => {
  it('polls with If-None-Match and takes a new version when the ETag changes', async () => {
    let served = first;
    const seen: (string | undefined)[] = [];
    const server = http.createServer((req, res) => {
      const etag = `"${served.length}"`;
      seen.push(req.headers['if-none-match']);
      if (req.headers['if-none-match'] === etag) return void res.writeHead(304).end();
      res.writeHead(200, { etag, 'content-type': 'text/plain' }).end(served);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/supergraph.graphql`;

    const { initial, updates } = await follow({ url, pollMs: 20, logger });
    expect(initial).toBe(first);
    await pause(100);
    expect(updates).toEqual([]);
    // Unchanged: every poll after the first asked with the ETag it was given.
    expect(seen[0]).toBeUndefined();
    expect(seen.slice(1).every((etag) => etag === `"${first.length}"`)).toBe(true);
    expect(seen.length).toBeGreaterThan(2);

    served = second;
    await pause(150);
    expect(updates).toEqual([second]);
  });
});
