/**
 * The browser boundary, in a real Chromium: a page on another origin cannot change code on the default loopback
 * setup (no token), a DNS-rebinding name cannot reach the API, and nobody can frame the dashboard; while the
 * dashboard itself, on an origin the backend allows (as Vercel calling Railway), keeps working under its CSP.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { CHROMIUM_ARGS, CHROMIUM_PATH, freePort, startBackend } from './harness';

const backendPort = inject('backendPort');
const frontendPort = inject('frontendPort');
const API = `http://127.0.0.1:${backendPort}`;
const DASHBOARD = `http://127.0.0.1:${frontendPort}/`;
/** Chromium resolves this name to 127.0.0.1, as a rebinding attacker's DNS would. */
const REBOUND = 'rebind.attacker.test';

let backend: Awaited<ReturnType<typeof startBackend>>;
let browser: Browser;
let attacker: Server;
let ATTACKER = '';
let dataDir = '';

/** The attacker's site: plain pages on another origin (another port of the same machine). */
function attackerPages(): Record<string, string> {
  return {
    '/attack.html': `<!doctype html><title>attack</title><script>
      (async () => {
        for (const route of ['/chaos', '/emergency-stop', '/evolve', '/heal']) {
          // Exactly what any web page may do: a simple POST, in no-cors mode, the answer unreadable to it.
          await fetch(${JSON.stringify(API)} + route, { method: 'POST', mode: 'no-cors' }).catch(() => {});
        }
        document.title = 'done';
      })();
    </script>`,
    '/frame.html': `<!doctype html><title>framer</title><iframe id="victim" src="${DASHBOARD}" width="1200" height="800"></iframe>`,
  };
}

async function api<T = any>(pathname: string): Promise<T> {
  const res = await fetch(`${API}${pathname}`);
  return (await res.json()) as T;
}

/** Chaos genomes so far: what an attack would add (a heal of earlier chaos may land meanwhile, and is no attack). */
async function chaosCount(): Promise<number> {
  return (await api<{ genomes: { cause: string }[] }>('/genomes?limit=500')).genomes.filter((g) => g.cause === 'chaos').length;
}

async function newPage(): Promise<Page> {
  return (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
}

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'ouroboros-boundary-'));
  backend = await startBackend({ port: backendPort, dataDir, frontendOrigin: `http://127.0.0.1:${frontendPort}` });
  const pages = attackerPages();
  attacker = createServer((req, res) => {
    const body = pages[req.url ?? ''];
    res.writeHead(body ? 200 : 404, { 'content-type': 'text/html' }).end(body ?? 'not found');
  });
  const port = await freePort();
  await new Promise<void>((r) => attacker.listen(port, '127.0.0.1', r));
  ATTACKER = `http://127.0.0.1:${port}`;
  browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
});

afterAll(async () => {
  await browser?.close();
  await new Promise((r) => attacker?.close(r));
  await backend?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('the browser boundary', () => {
  it('a page on another origin cannot apply chaos, stop, evolve or heal on the default no-token loopback setup', async () => {
    await expect.poll(() => api('/status').then((s) => s.stats.totalRuns), { timeout: 20_000 }).toBeGreaterThan(0);
    const before = await chaosCount();
    const page = await newPage();
    const seen: { url: string; status: number }[] = [];
    page.on('response', (r) => {
      if (r.url().startsWith(API)) seen.push({ url: r.url(), status: r.status() });
    });
    await page.goto(`${ATTACKER}/attack.html`);
    await expect.poll(() => page.title(), { timeout: 15_000 }).toBe('done');
    // The requests did reach the server, and were refused there: the page could not see that, the server's state shows it.
    expect(seen.map((s) => s.status)).toEqual([403, 403, 403, 403]);
    expect(await chaosCount()).toBe(before);
    const status = await api('/status');
    expect(status.state).not.toBe('paused');
    expect((await api('/evolution')).running).toBe(false);
    await page.context().close();
  });

  it('the dashboard, on an origin the backend allows, still changes code and shows it (with its CSP on)', async () => {
    const page = await newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('console', (m) => {
      if (m.type() === 'error' && /Content Security Policy/.test(m.text())) errors.push(m.text());
    });
    const response = await page.goto(DASHBOARD);
    const csp = response?.headers()['content-security-policy'] ?? '';
    expect(csp).toContain(`connect-src 'self' ${API}`);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(response?.headers()['x-content-type-options']).toBe('nosniff');
    expect(response?.headers()['referrer-policy']).toBe('no-referrer');
    await expect.poll(() => page.locator('[data-testid="connection"]').getAttribute('data-connection'), { timeout: 20_000 }).toBe('connected');
    const generation = (await api('/status')).generation as number;
    await page.locator('[data-chaos-type="delete_line"]').click();
    await expect.poll(() => api('/status').then((s) => s.generation as number), { timeout: 15_000 }).toBeGreaterThan(generation);
    await expect.poll(() => page.locator('[data-testid="generation"]').textContent(), { timeout: 15_000 }).not.toBe(`#${generation}`);
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('a page under a rebound name (DNS rebinding) can neither read nor change anything', async () => {
    const before = await chaosCount();
    // Chromium itself blocks a page from a public address fetching a loopback one (Private/Local Network Access);
    // other browsers do not, and the server must not rely on one browser's defence: switched off here, so what
    // is shown is the server's own refusal.
    const exposed = await chromium.launch({
      executablePath: CHROMIUM_PATH,
      args: [
        ...CHROMIUM_ARGS,
        `--host-resolver-rules=MAP ${REBOUND} 127.0.0.1`,
        '--disable-features=PrivateNetworkAccessSendPreflights,PrivateNetworkAccessRespectPreflightResults,BlockInsecurePrivateNetworkRequests,LocalNetworkAccessChecks',
      ],
    });
    const page = await exposed.newPage();
    const origin = `http://${REBOUND}:${backendPort}`;
    // The attacker's DNS first answers with its own server, which serves the page (fulfilled here), then with
    // 127.0.0.1 (Chromium's resolver rule): the page's own requests, same-origin to it, reach the backend.
    await page.route(`${origin}/`, (route) => route.fulfill({ contentType: 'text/html', body: '<!doctype html><title>rebound</title>' }));
    await page.goto(`${origin}/`);
    const seen = await page.evaluate(async () => {
      const read = await fetch('/genomes');
      const change = await fetch('/chaos', { method: 'POST' });
      return { read: read.status, readCode: ((await read.json()) as { code?: string }).code, change: change.status };
    });
    expect(seen).toEqual({ read: 403, readCode: 'HOST_NOT_ALLOWED', change: 403 });
    expect(await chaosCount()).toBe(before);
    await exposed.close();
  });

  it('another site cannot frame the dashboard', async () => {
    const page = await newPage();
    const refusals: string[] = [];
    page.on('console', (m) => {
      if (/frame-ancestors|X-Frame-Options/.test(m.text())) refusals.push(m.text());
    });
    await page.goto(`${ATTACKER}/frame.html`);
    await expect.poll(() => refusals.length, { timeout: 10_000 }).toBeGreaterThan(0);
    const frame = page.frames().find((f) => f !== page.mainFrame());
    // Nothing of the dashboard rendered inside: no live buttons to click through a disguise.
    expect(await frame?.locator('[data-chaos-type], [data-testid="connection"]').count()).toBe(0);
    await page.context().close();
  });
});
