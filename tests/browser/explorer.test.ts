/**
 * The schema explorer in a real browser: Debian's headless Chromium driven by playwright-core
 * opens the GraphQL endpoint as a browser would, and uses every part of the explorer against a
 * gateway in development mode, with every request staying on the gateway. Screenshots of each
 * step land in tests/browser/artifacts/ (gitignored), kept for a look when a step fails.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { createApiKey, sha256 } from '@traveloure/gateway/edge/index';
import { gatewayDb, startEdge, trustedOperations, type EdgeHarness } from '../e2e/edge-fixture.ts';

const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const artifacts = join(dirname(fileURLToPath(import.meta.url)), 'artifacts');
const chromiumFlags = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

let edge: EdgeHarness;
let browser: Browser;
let context: BrowserContext;
let page: Page;
const foreignRequests: string[] = [];
const pageErrors: string[] = [];

function watch(target: Page) {
  target.on('request', (request) => {
    const url = request.url();
    if (!url.startsWith(edge.origin) && !url.startsWith('data:') && !url.startsWith('blob:'))
      foreignRequests.push(url);
  });
  target.on('pageerror', (error) => pageErrors.push(error.message));
}

async function screenshot(name: string, target: Page = page) {
  mkdirSync(artifacts, { recursive: true });
  await target.screenshot({ path: join(artifacts, `${name}.png`) });
}

beforeAll(async () => {
  if (!existsSync(executablePath)) {
    throw new Error(
      `Chromium not found at ${executablePath}: apt-get install -y chromium (or set CHROMIUM_PATH)`,
    );
  }
  edge = await startEdge('edge_browser', { EXPLORER_ENABLED: 'true', NODE_ENV: 'development' });
  browser = await chromium.launch({ executablePath, args: chromiumFlags });
  context = await browser.newContext({ viewport: { width: 1400, height: 900 }, acceptDownloads: true });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: edge.origin });
  page = await context.newPage();
  watch(page);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await edge?.close();
});

/** Monaco renders text with non-breaking spaces; compare what a reader sees. */
async function visibleText(selector: string, target: Page = page): Promise<string> {
  const text = await target.locator(selector).first().innerText();
  return text.replace(/\u00a0/g, ' ');
}

/** Replaces the operation in the query editor, as a person pasting it would. */
async function typeOperation(query: string) {
  await page.click('.graphiql-query-editor .monaco-editor');
  await page.keyboard.press('Control+A');
  await page.keyboard.press('Delete');
  await page.keyboard.insertText(query);
  // GraphiQL reads the operation name and the tab's text after a short debounce.
  await page.waitForTimeout(500);
}

/** Runs the current tab and returns what the gateway answered. */
async function run(): Promise<{ request: any; headers: Record<string, string>; body: any }> {
  const answered = page.waitForResponse(
    (response) => response.url() === `${edge.origin}/graphql` && response.request().method() === 'POST',
  );
  await page.click('.graphiql-execute-button');
  const response = await answered;
  const body = await response.json();
  await expect.poll(() => visibleText('.graphiql-response')).toContain('"data"'.slice(0, 1));
  return { request: response.request().postDataJSON(), headers: response.request().headers(), body };
}

async function openPlugin(title: string) {
  const button = page.locator(`.graphiql-sidebar button[aria-label="Show ${title}"]`);
  if (await button.count()) await button.click();
}

describe('schema explorer', () => {
  it('is what a browser gets at /graphql, loaded from the gateway alone', async () => {
    const response = await page.goto(edge.origin + '/graphql', { waitUntil: 'networkidle' });
    expect(response?.status()).toBe(200);
    expect(response?.headers()['content-type']).toMatch(/text\/html/);
    await page.waitForSelector('.graphiql-query-editor .monaco-editor', { timeout: 20_000 });
    // The Monaco workers (GraphQL language service, JSON) came from /explorer/workers.
    await expect
      .poll(() => visibleText('.graphiql-query-editor'), { timeout: 10_000 })
      .toContain('query Destinations');
    await screenshot('01-opened-at-graphql');
    expect(foreignRequests).toEqual([]);
  });

  it('opens on a tab anyone can run, and runs it anonymously as it stands', async () => {
    const tabs = await page.locator('.graphiql-tab').allTextContents();
    expect(tabs[0]).toMatch(/Destinations/);
    // Analyst-only operations come after the ones anyone can run.
    expect(tabs.findIndex((tab) => /DestinationPopularity/.test(tab))).toBeGreaterThan(0);
    const { body, headers } = await run();
    expect(headers.authorization).toBeUndefined();
    expect(headers['x-api-key']).toBeUndefined();
    expect(body.errors).toBeUndefined();
    expect(body.data.destinations.map((destination: { code: string }) => destination.code)).toEqual([
      'PAR',
      'LON',
      'NYC',
    ]);
    await expect.poll(() => visibleText('.graphiql-response')).toContain('"PAR"');
  });

  it('shows the response status, headers and timing', async () => {
    await expect.poll(() => page.locator('#response-status').textContent()).toMatch(/^200/);
    expect(await page.locator('#response-time').textContent()).toMatch(/^\d+ ms$/);
    await page.click('.explorer-response-meta summary');
    const headerNames = await page.locator('.explorer-response-headers th').allTextContents();
    expect(headerNames).toContain('x-request-id');
    expect(headerNames).toContain('ratelimit-remaining');
    await screenshot('02-response-headers');
  });

  it('runs a typed query and shows the result', async () => {
    await typeOperation('{ destinations(first: 2) { code name } }');
    const { body } = await run();
    expect(body.data.destinations).toEqual([
      { code: 'PAR', name: 'City PAR' },
      { code: 'LON', name: 'City LON' },
    ]);
    await expect.poll(() => visibleText('.graphiql-response')).toContain('City LON');
  });

  it('builds an operation by clicking fields in the explorer plugin', async () => {
    await page.click('.graphiql-tab-add');
    await openPlugin('GraphiQL Explorer');
    const field = page.locator('.graphiql-explorer-root [data-field-name="destinations"]').first();
    await field.waitFor({ timeout: 10_000 });
    await field.click();
    await expect.poll(() => visibleText('.graphiql-query-editor')).toMatch(/destinations/);
    // Then one of its fields, and an argument: each click edits the operation.
    await page.locator('.graphiql-explorer-destinations [data-field-name="code"]').first().click();
    await expect.poll(() => visibleText('.graphiql-query-editor')).toMatch(/destinations[^{]*\{\s*code/);
    await screenshot('03-build-from-docs');
    const { body } = await run();
    expect(body.errors).toBeUndefined();
    expect(Array.isArray(body.data.destinations)).toBe(true);
  });

  it('shows the query plan of the current operation', async () => {
    await typeOperation('query Cities { destinations(first: 1) { code related(first: 1) { name } } }');
    await openPlugin('Query plan');
    await expect
      .poll(() => page.locator('.explorer-plan-text').textContent(), { timeout: 10_000 })
      .toContain('Fetch(service: "fixture")');
    expect(await page.locator('.explorer-plan-text').textContent()).toContain('related');
    await screenshot('04-query-plan');
  });

  it('copies the request as a curl command that works in a shell', async () => {
    await typeOperation('query Two { destinations(first: 2) { code } }');
    await page.click('.explorer-copy-curl');
    const command = (await page.locator('.explorer-curl pre').textContent())!;
    expect(command).toMatch(/^curl '/);
    expect(
      await page.evaluate(() => (globalThis as any).navigator.clipboard.readText() as Promise<string>),
    ).toBe(command);
    await screenshot('05-copy-as-curl');
    const { stdout } = await promisify(execFile)('bash', ['-c', command]);
    expect(JSON.parse(stdout).data.destinations).toEqual([{ code: 'PAR' }, { code: 'LON' }]);
    await page.click('.explorer-curl-head button');
  });

  it('lists the persisted operations and runs one by its id', async () => {
    await openPlugin('Persisted operations');
    const names = await page.locator('.explorer-operations li strong').allTextContents();
    expect(names.sort()).toEqual(Object.keys(trustedOperations).sort());
    const ids = await page.locator('.explorer-operation-id').allTextContents();
    expect(ids.sort()).toEqual(Object.values(trustedOperations).map(sha256).sort());
    // Analysts get the CSV export of their operations; others have none.
    expect(
      await page.locator('[data-operation="DestinationPopularity"] .explorer-csv-link').getAttribute('href'),
    ).toBe('/analytics/DestinationPopularity?format=csv');
    expect(await page.locator('[data-operation="Destinations"] .explorer-csv-link').count()).toBe(0);

    const answered = page.waitForResponse((response) => response.url() === `${edge.origin}/graphql`);
    await page.click('[data-operation="Destinations"] button:has-text("Run by id")');
    const response = await answered;
    const sent = response.request().postDataJSON();
    expect(sent.query).toBeUndefined();
    expect(sent.extensions.persistedQuery.sha256Hash).toBe(sha256(trustedOperations.Destinations));
    expect((await response.json()).data.destinations).toHaveLength(3);
    await expect.poll(() => visibleText('.graphiql-response')).toContain('"NYC"');
    await screenshot('06-persisted-operations');
  });

  it('signs in as a demo user and calls as them (development only)', async () => {
    const options = await page.locator('#sign-in-as option').allTextContents();
    expect(options.join('|')).toMatch(/Morgan Admin \(ADMIN\)/);
    await page.selectOption('#sign-in-as', 'user-demo-analyst');
    await expect.poll(() => page.locator('#identity').textContent()).toMatch(/Demo Analyst \(ANALYST\)/);
    await typeOperation('{ whoami }');
    const { body, headers } = await run();
    expect(headers.authorization).toMatch(/^Bearer /);
    expect(JSON.parse(body.data.whoami)).toEqual({
      user: 'user-demo-analyst',
      roles: ['ANALYST'],
      apiKey: null,
    });
    // As an analyst, the CSV of an analytics operation downloads with the token.
    await openPlugin('Persisted operations');
    const download = page.waitForEvent('download');
    await page.click('[data-operation="DestinationPopularity"] button:has-text("Download CSV")');
    const file = await (await download).path();
    expect(readFileSync(file, 'utf8').split('\n')[0]).toBe(
      'destination.code,destination.name,tripCount,note',
    );
    await screenshot('07-signed-in-analyst');
    await page.selectOption('#sign-in-as', '');
    await expect.poll(() => page.locator('#identity').textContent()).toBe('anonymous');
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
    await typeOperation('{ whoami }');
    const refused = await run();
    expect(refused.headers['x-api-key']).toBe(key);
    expect(refused.body.errors[0].extensions.code).toBe('FORBIDDEN');
    expect(refused.body.errors[0].message).toMatch(/not open to API keys/);
    await typeOperation('{ destinations(first: 1) { code } }');
    const allowed = await run();
    expect(allowed.body.data.destinations).toEqual([{ code: 'PAR' }]);
    await page.fill('#api-key', '');
  });

  it('shows the SDL and offers it for download', async () => {
    await openPlugin('Schema (SDL)');
    await expect.poll(() => page.locator('.explorer-sdl').textContent()).toMatch(/type Query \{/);
    expect(await page.locator('.explorer-sdl').textContent()).not.toMatch(/join__|link__/);
    const download = page.waitForEvent('download');
    await page.click('.explorer-schema a[download]');
    expect(readFileSync(await (await download).path(), 'utf8')).toMatch(/type Destination/);
    await screenshot('08-sdl');
  });

  it('shows the docs panel from the published schema', async () => {
    await openPlugin('Documentation Explorer');
    await page.waitForSelector('.graphiql-doc-explorer', { timeout: 10_000 });
    await expect.poll(() => page.locator('.graphiql-doc-explorer').textContent()).toMatch(/Query/);
    await screenshot('09-docs');
    expect(foreignRequests).toEqual([]);
    expect(pageErrors).toEqual([]);
  });

  it('is dark throughout in dark mode, the top bar included', async () => {
    const dark = await context.newPage();
    watch(dark);
    await dark.emulateMedia({ colorScheme: 'dark' });
    await dark.goto(edge.origin + '/', { waitUntil: 'networkidle' });
    await dark.waitForSelector('.graphiql-query-editor .monaco-editor', { timeout: 20_000 });
    const luminance = (selector: string) =>
      dark
        .locator(selector)
        .first()
        .evaluate((element) => {
          // The colour a reader sees: the nearest background that is not (mostly) transparent.
          const { getComputedStyle } = globalThis as any;
          for (let node: any = element; node; node = node.parentElement) {
            const [r, g, b, a = 1] = (getComputedStyle(node).backgroundColor as string)
              .match(/[\d.]+/g)!
              .map(Number);
            if (a > 0.5) return (0.2126 * r! + 0.7152 * g! + 0.0722 * b!) / 255;
          }
          return 1;
        });
    await screenshot('10-dark-mode', dark);
    const bar = await luminance('.explorer-bar');
    expect(bar).toBeLessThan(0.3);
    // The same base colour as GraphiQL's own background, not a white strip above it.
    expect(Math.abs(bar - (await luminance('.graphiql-container .graphiql-container')))).toBeLessThan(0.05);
    expect(await luminance('.graphiql-query-editor .monaco-editor-background')).toBeLessThan(0.3);
    expect(await luminance('.graphiql-response .monaco-editor-background')).toBeLessThan(0.3);
    await dark.close();
  });
});
