/**
 * The schema explorer in a real browser: Debian's headless Chromium driven by playwright-core
 * opens GET /, runs a query and reads the result, with every request staying on the gateway.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { createApiKey } from '@traveloure/gateway/edge/index';
import { gatewayDb, startEdge, type EdgeHarness } from '../e2e/edge-fixture.ts';

const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const screenshots = join(dirname(fileURLToPath(import.meta.url)), 'screenshots');

let edge: EdgeHarness;
let browser: Browser;
let page: Page;
const foreignRequests: string[] = [];

beforeAll(async () => {
  if (!existsSync(executablePath)) {
    throw new Error(
      `Chromium not found at ${executablePath}: apt-get install -y chromium (or set CHROMIUM_PATH)`,
    );
  }
  edge = await startEdge('edge_browser', { EXPLORER_ENABLED: 'true' });
  browser = await chromium.launch({
    executablePath,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
  page = await browser.newPage();
  page.on('request', (request) => {
    if (!request.url().startsWith(edge.origin) && !request.url().startsWith('data:'))
      foreignRequests.push(request.url());
  });
});

afterAll(async () => {
  await browser?.close();
  await edge?.close();
});

// Runs in the page: GraphiQL's editors are CodeMirror instances hung on their elements.
type CodeMirrorElement = { CodeMirror?: { getValue(): string; setValue(value: string): void } } | null;

async function editorValue(selector: string): Promise<string> {
  return page.evaluate((css) => {
    const element = (globalThis as any).document.querySelector(css) as CodeMirrorElement;
    return element?.CodeMirror?.getValue() ?? '';
  }, selector);
}

async function runQuery(query: string): Promise<string> {
  await page.evaluate((text) => {
    const element = (globalThis as any).document.querySelector(
      '.graphiql-query-editor .CodeMirror',
    ) as CodeMirrorElement;
    element!.CodeMirror!.setValue(text);
  }, query);
  // GraphiQL works out the operation name from the editor after a short debounce.
  await page.waitForTimeout(400);
  const before = await editorValue('.graphiql-response .CodeMirror');
  await page.click('.graphiql-execute-button');
  await page.waitForFunction(
    (previous) => {
      const element = (globalThis as any).document.querySelector(
        '.graphiql-response .CodeMirror',
      ) as CodeMirrorElement;
      const value = element?.CodeMirror?.getValue() ?? '';
      return value.trim().startsWith('{') && value !== previous;
    },
    before,
    { timeout: 15_000 },
  );
  return editorValue('.graphiql-response .CodeMirror');
}

describe('schema explorer', () => {
  it('loads from the gateway alone, with the example operations as tabs', async () => {
    await page.goto(edge.origin + '/', { waitUntil: 'networkidle' });
    await page.waitForSelector('.graphiql-query-editor .CodeMirror', { timeout: 15_000 });
    const tabs = await page.locator('.graphiql-tab').allTextContents();
    expect(tabs.join(' ')).toMatch(/Destinations/);
    expect(foreignRequests).toEqual([]);
  });

  it('runs the first example as it stands', async () => {
    expect(await editorValue('.graphiql-query-editor .CodeMirror')).toContain('query Destinations');
    await page.click('.graphiql-execute-button');
    await page.waitForFunction(
      () =>
        (
          (globalThis as any).document.querySelector('.graphiql-response .CodeMirror') as CodeMirrorElement
        )?.CodeMirror?.getValue().includes('"data"'),
      undefined,
      { timeout: 15_000 },
    );
    const result = JSON.parse(await editorValue('.graphiql-response .CodeMirror'));
    expect(result.data.destinations.map((destination: { code: string }) => destination.code)).toEqual([
      'PAR',
      'LON',
      'NYC',
    ]);
  });

  it('runs a query and shows the result', async () => {
    const result = JSON.parse(await runQuery('{ destinations(first: 2) { code name } }'));
    expect(result.data.destinations).toEqual([
      { code: 'PAR', name: 'City PAR' },
      { code: 'LON', name: 'City LON' },
    ]);
  });

  it('sends the API key from its field as x-api-key', async () => {
    const db = gatewayDb(edge.database.url);
    const { key } = await createApiKey(db, {
      owner: 'Browser Partner',
      scopes: ['catalog'],
      rateLimit: 1000,
    });
    await db.destroy();
    await page.fill('#api-key', key);
    // `whoami` is in no scope: refused for a key, which proves the key travelled.
    const refused = JSON.parse(await runQuery('{ whoami }'));
    expect(refused.errors[0].extensions.code).toBe('FORBIDDEN');
    expect(refused.errors[0].message).toMatch(/not open to API keys/);
    const allowed = JSON.parse(await runQuery('{ destinations(first: 1) { code } }'));
    expect(allowed.data.destinations).toEqual([{ code: 'PAR' }]);
  });

  it('answers a missing or escaping asset path as a client error in JSON, never a 500', async () => {
    const missing = await fetch(`${edge.origin}/explorer/missing.js`);
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as any).errors[0].extensions).toEqual({
      code: 'NOT_FOUND',
      requestId: expect.any(String),
    });
    const escaping = await fetch(`${edge.origin}/explorer/%2e%2e/index.html`);
    expect(escaping.status).toBeGreaterThanOrEqual(400);
    expect(escaping.status).toBeLessThan(500);
    expect(((await escaping.json()) as any).errors[0].extensions.requestId).toEqual(expect.any(String));
  });

  it('shows the docs panel from the published schema', async () => {
    await page.click('[aria-label="Show Documentation Explorer"]');
    await page.waitForSelector('.graphiql-doc-explorer', { timeout: 10_000 });
    await expect.poll(() => page.locator('.graphiql-doc-explorer').textContent()).toMatch(/Query/);
    mkdirSync(screenshots, { recursive: true });
    await page.screenshot({ path: join(screenshots, 'explorer.png') });
    expect(foreignRequests).toEqual([]);
  });
});
