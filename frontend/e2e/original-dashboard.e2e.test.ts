/**
 * The original Ouroboros dashboard's way of reading the API, against the real backend: a page that uses only the
 * original fields (e2e/fixtures/original-dashboard.html), served from its own origin, so the browser's CORS rules
 * apply to its polls and to its chaos button as they did to the original's.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_ARGS, CHROMIUM_PATH, FRONTEND_DIR, freePort, startBackend } from './harness';

const PAGE_HTML = readFileSync(path.join(FRONTEND_DIR, 'e2e', 'fixtures', 'original-dashboard.html'));

let server: Server;
let backend: Awaited<ReturnType<typeof startBackend>>;
let browser: Browser;
let page: Page;
let pageUrl: string;
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'ouroboros-e2e-original-'));
const pageErrors: string[] = [];
const consoleErrors: string[] = [];

beforeAll(async () => {
  const pagePort = await freePort();
  const origin = `http://127.0.0.1:${pagePort}`;
  server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(PAGE_HTML);
  });
  await new Promise<void>((resolve) => server.listen(pagePort, '127.0.0.1', resolve));
  // The page's origin is the only one the backend lets a browser call it from.
  backend = await startBackend({ port: await freePort(), dataDir, frontendOrigin: origin, env: { ORGANISMS: 'bubble-sort' } });
  pageUrl = `${origin}/?api=${encodeURIComponent(backend.url)}`;
  browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  page = await (await browser.newContext()).newPage();
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(m.text());
  });
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await backend?.stop();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  rmSync(dataDir, { recursive: true, force: true });
});

const text = (id: string) => page.locator(`#${id}`).textContent();
const polls = () => page.evaluate(() => (window as unknown as { __polls: number }).__polls);
const errors = () => page.evaluate(() => (window as unknown as { __errors?: string[] }).__errors ?? []);

describe("the original Ouroboros dashboard's page against this backend", () => {
  it('renders the vital signs and the log from the original fields', async () => {
    await page.goto(pageUrl);
    await expect.poll(polls, { timeout: 20_000 }).toBeGreaterThanOrEqual(2);
    expect(await errors()).toEqual([]);
    expect(['ALIVE', 'CRASHED', 'MUTATING']).toContain(await text('status'));
    expect(await text('avg')).toMatch(/^\d+\.\d{3}s$/);
    expect(await text('rate')).toMatch(/^\d+(\.\d)?%$/);
    expect(Number(await text('generation'))).toBe(0);
    await expect.poll(async () => Number(await text('log-count')), { timeout: 10_000 }).toBeGreaterThan(0);
    expect(await text('mutation')).toBe('None');
  });

  it('injects chaos from its own origin and watches the organism crash and come back', async () => {
    await expect.poll(() => text('status'), { timeout: 20_000 }).toBe('ALIVE');
    const crashesBefore = Number(await text('crashes'));
    await page.locator('[data-chaos="syntax_error"]').click();
    await expect.poll(() => text('chaos-result'), { timeout: 10_000 }).toBe('chaos injected');
    // The crash and the heal may both fall between two of its once-a-second polls: the counts tell.
    await expect.poll(async () => Number(await text('generation')), { timeout: 30_000 }).toBeGreaterThanOrEqual(2);
    await expect.poll(() => text('status'), { timeout: 30_000 }).toBe('ALIVE');
    await expect.poll(async () => Number(await text('crashes')), { timeout: 10_000 }).toBeGreaterThan(crashesBefore);
    expect(await text('mutation')).toMatch(/^heal \(generation \d+\): /);
    expect(await text('last-error')).toMatch(/SyntaxError/);
    expect(await text('recent')).toMatch(/^\d+\.\d{3}s(, \d+\.\d{3}s){0,4}$/);
  }, 60_000);

  it('raised no error in the page, and the browser allowed every call', async () => {
    expect(await errors()).toEqual([]);
    expect(pageErrors).toEqual([]);
    expect(consoleErrors).toEqual([]);
  });
});
