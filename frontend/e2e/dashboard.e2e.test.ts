/**
 * The dashboard against the real backend in a real browser: live data, chaos and self-healing,
 * the diff viewer, rollback, a refused chaos, and the backend going away and coming back.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ARTIFACTS_DIR, CHROMIUM_ARGS, CHROMIUM_PATH, startBackend } from './harness';

const backendPort = inject('backendPort');
const frontendPort = inject('frontendPort');
const dataDir = inject('dataDir');
const API = `http://127.0.0.1:${backendPort}`;
const PAGE = `http://127.0.0.1:${frontendPort}/`;

let backend: Awaited<ReturnType<typeof startBackend>>;
let browser: Browser;
let context: BrowserContext;
let page: Page;
const pageErrors: string[] = [];
const requested: string[] = [];
/** Every answer the page got that was not found, with its URL. */
const notFound: string[] = [];
/** When the page asked for /status (performance.now() in the test): the dashboard's polls. */
const statusPolls: number[] = [];

const startTheBackend = () => startBackend({ port: backendPort, dataDir, frontendOrigin: `http://127.0.0.1:${frontendPort}` });

async function api<T>(pathname: string, init?: RequestInit): Promise<T> {
  const res = await fetch(`${API}${pathname}`, init);
  return (await res.json()) as T;
}

const attr = (selector: string, name: string) => page.locator(selector).first().getAttribute(name, { timeout: 2000 }).catch(() => null);
const text = (selector: string) => page.locator(selector).first().textContent({ timeout: 2000 }).catch(() => null);
const generationShown = async () => Number((await text('[data-testid="generation"]'))?.replace('#', '') ?? NaN);

beforeAll(async () => {
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  backend = await startTheBackend();
  browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  page = await context.newPage();
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  page.on('request', (r) => {
    requested.push(r.url());
    if (new URL(r.url()).pathname === '/status') statusPolls.push(performance.now());
  });
  page.on('response', (r) => {
    if (r.status() === 404) notFound.push(r.url());
  });
});

/** Polls the page made after `since` (a performance.now() reading). */
const pollsSince = (since: number) => statusPolls.filter((t) => t > since).length;

/** One consistent reading of the vital signs, the counts and the chart (one evaluate: one moment of the DOM). */
function screenStory() {
  return page.evaluate(() => {
    const q = (s: string) => document.querySelector(s);
    const numbers = [...document.querySelectorAll('[data-testid="chart"] [data-run-number]')].map((e) => Number(e.getAttribute('data-run-number')));
    return {
      state: q('[data-testid="organism-state"]')?.getAttribute('data-state') ?? null,
      verdict: q('[data-testid="last-verdict"]')?.textContent ?? null,
      ofLive: q('[data-testid="last-verdict"]')?.getAttribute('data-of-live') ?? null,
      lastRun: q('[data-testid="last-run"]')?.textContent ?? null,
      totalRuns: Number(q('[data-testid="total-runs"]')?.textContent),
      chartNewest: numbers.length ? Math.max(...numbers) : null,
      chartNumbers: numbers,
    };
  });
}

/**
 * The page has drawn what a screenshot shows and the overflow check measures: its fonts are loaded and its layout held
 * still for two frames. Tens of milliseconds where a fixed wait took 1.2 s; a poll landing later may still add a row.
 */
async function settled(p: Page): Promise<void> {
  await p.evaluate(async () => {
    await document.fonts.ready;
    const size = () => `${document.documentElement.scrollWidth}x${document.documentElement.scrollHeight}`;
    const frame = () => new Promise((resolve) => requestAnimationFrame(resolve));
    let last = size();
    for (let still = 0; still < 2; ) {
      await frame();
      const now = size();
      still = now === last ? still + 1 : 0;
      last = now;
    }
  });
}

afterAll(async () => {
  await browser?.close();
  await backend?.stop();
});

describe('God View against the real backend', () => {
  it('loads and shows live data', async () => {
    await page.goto(PAGE);
    await expect.poll(() => attr('[data-testid="connection"]', 'data-connection'), { timeout: 15_000 }).toBe('connected');
    await expect.poll(() => attr('[data-testid="organism-state"]', 'data-state'), { timeout: 15_000 }).toBe('healthy');
    // Polled: the vital signs may still be rendering their first status when the badge already reads healthy, and a
    // reading that missed the element is NaN, not a generation.
    await expect.poll(generationShown, { timeout: 10_000 }).toBe(0);

    // Live: the run counter keeps moving without a reload.
    const runs = async () => Number(await text('[data-testid="total-runs"]'));
    await expect.poll(runs, { timeout: 10_000 }).toBeGreaterThan(0);
    const first = await runs();
    await expect.poll(runs, { timeout: 10_000 }).toBeGreaterThan(first);

    await expect.poll(() => page.locator('[role="log"] [data-source="organism"]').count(), { timeout: 10_000 }).toBeGreaterThan(0);
    await expect.poll(() => page.locator('[data-testid="chart"] svg .recharts-line').count(), { timeout: 10_000 }).toBeGreaterThan(0);
    expect(await text('[data-testid="success-rate"]')).toMatch(/^\d+(\.\d)?%$/);

    // The chaos buttons are the API's list, not a hard-coded one.
    const { types } = await api<{ types: { type: string }[] }>('/chaos/types');
    await expect.poll(() => page.locator('[data-chaos-type]').count(), { timeout: 10_000 }).toBe(types.length);
    const shown = await page.locator('[data-chaos-type]').evaluateAll((els) => els.map((e) => e.getAttribute('data-chaos-type')));
    expect([...shown].sort()).toEqual(types.map((t) => t.type).sort());

    // Logs and runs are asked for with `since` after the first page, so each request carries only new entries (the
    // polls without the event stream are checked in the fallback test below; with it, log lines come on the stream).
    const logRequests = () => requested.filter((u) => new URL(u).pathname === '/logs');
    await expect.poll(() => logRequests().length, { timeout: 10_000 }).toBeGreaterThan(0);
    const logCalls = logRequests();
    expect(new URL(logCalls[0]!).searchParams.has('since')).toBe(false);
    expect(logCalls.slice(1).every((u) => new URL(u).searchParams.has('since'))).toBe(true);
    const runCalls = requested.filter((u) => new URL(u).pathname === '/runs');
    expect(runCalls.slice(1).every((u) => new URL(u).searchParams.has('since'))).toBe(true);

    // The seed genome is in the history.
    await expect.poll(() => page.locator('[data-testid="genome-row"][data-cause="seed"]').count(), { timeout: 10_000 }).toBe(1);

    // The uptime is said to be the server's; the organism's own age is its generation's.
    expect(await text('[data-testid="server-uptime"]')).toMatch(/^server up \d+/);
    expect(await text('[data-testid="generation-age"]')).toMatch(/live for \d+/);
    // A favicon, and nothing the page asked for was missing.
    const icon = await fetch(`${PAGE}favicon.ico`);
    expect(icon.status).toBe(200);
    expect(icon.headers.get('content-type')).toMatch(/image/);
    expect(notFound).toEqual([]);
  });

  let chaos: { generation: number; genomeId: string; after: string; line: number };

  it('chaos makes the state leave healthy, then it heals into a new generation', async () => {
    // Record every state the page shows, so a short sick/healing spell between two checks is not missed.
    await page.evaluate(() => {
      const w = window as unknown as { __states: string[] };
      w.__states = [];
      setInterval(() => {
        const s = document.querySelector('[data-testid="organism-state"]')?.getAttribute('data-state');
        if (s && w.__states[w.__states.length - 1] !== s) w.__states.push(s);
      }, 50);
    });
    const before = await generationShown();

    // infinite_loop: the run hangs until the time limit, so the organism is visibly sick for seconds.
    const response = page.waitForResponse((r) => r.url().endsWith('/chaos') && r.request().method() === 'POST');
    await page.locator('[data-chaos-type="infinite_loop"]').click();
    const res = await response;
    expect(res.status()).toBe(200);
    chaos = (await res.json()) as typeof chaos;
    expect(chaos.generation).toBe(before + 1);

    const feedback = page.locator('[data-testid="chaos-feedback"]');
    await feedback.waitFor({ timeout: 10_000 });
    expect(await feedback.getAttribute('data-outcome')).toBe('ok');
    expect(await feedback.textContent()).toContain(`corrupted line ${chaos.line}`);
    expect(await feedback.textContent()).toContain(chaos.after.trim());

    const seen = () => page.evaluate(() => (window as unknown as { __states: string[] }).__states);
    await expect.poll(async () => (await seen()).some((s) => s !== 'healthy'), { timeout: 15_000 }).toBe(true);
    await expect.poll(() => attr('[data-testid="organism-state"]', 'data-state'), { timeout: 30_000 }).toBe('healthy');
    await expect.poll(generationShown, { timeout: 10_000 }).toBeGreaterThan(chaos.generation);
    const states = await seen();
    // A new genome is verifying first; its hang then shows as sick, healing, or backoff (a hang is retried once in
    // case the machine caused it): a heal that restores verified code takes no runs and may fall between two polls.
    expect(states.some((s) => s === 'sick' || s === 'healing' || s === 'backoff'), states.join(' -> ')).toBe(true);
    // The state change is spelled out next to the state.
    // (A healed genome is judged by one routine run before it counts as healthy, so the last state may be verifying.)
    expect(await text('[data-testid="state-change"]')).toMatch(/was (sick|healing|backoff|verifying) until/);

    // History: the chaos generation and, above it, the healed one that is now live.
    const rows = page.locator('[data-testid="genome-row"]');
    await expect.poll(() => rows.first().getAttribute('data-live'), { timeout: 10_000 }).toBe('true');
    expect(Number(await rows.first().getAttribute('data-generation'))).toBeGreaterThan(chaos.generation);
    expect(await page.locator(`[data-testid="genome-row"][data-genome-id="${chaos.genomeId}"]`).getAttribute('data-cause')).toBe('chaos');
    // The failure is on the chart.
    await expect.poll(() => page.locator('[data-testid="failure-marker"][data-verdict="hung"]').count(), { timeout: 10_000 }).toBeGreaterThan(0);
  });

  it('tells one story per screen: the state, the last verdict, the counts and the chart agree at every poll', async () => {
    const samples: Awaited<ReturnType<typeof screenStory>>[] = [];
    // At least `count` readings and at least `ms` of screen time: on a loaded machine a reading takes longer, so the
    // window stretches instead of the test seeing fewer moments (a count per second would be a speed assertion).
    const sample = async (ms: number, count: number) => {
      const until = Date.now() + ms;
      for (let taken = 0; taken < count || Date.now() < until; taken++) {
        samples.push(await screenStory());
        await page.waitForTimeout(50);
      }
    };
    await sample(1500, 15);
    // Every state the badge takes, as the page renders it (a sick spell can now be shorter than one reading).
    await page.evaluate(() => {
      const w = window as unknown as { __badge: string[] };
      w.__badge = [];
      const push = (s: string | null | undefined) => {
        if (s && w.__badge[w.__badge.length - 1] !== s) w.__badge.push(s);
      };
      const current = () => document.querySelector('[data-testid="organism-state"]')?.getAttribute('data-state');
      push(current());
      // Each record's old value is a state the badge showed, however many changes came before this callback ran.
      new MutationObserver((records) => {
        for (const r of records) if (r.type === 'attributes' && (r.target as Element).matches('[data-testid="organism-state"]')) push(r.oldValue);
        push(current());
        // The trail beside the badge lists each change the stream reported, a spell shorter than a refresh too.
        for (const li of document.querySelectorAll('[data-testid="state-trail"] [data-state]')) push(li.getAttribute('data-state'));
      }).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-state'], attributeOldValue: true });
    });
    // Chaos that breaks the genome at once, then its heal: the moments where the screen used to contradict itself.
    const chaosDone = api<{ generation: number }>('/chaos', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ chaos_type: 'syntax_error' }) });
    await sample(800, 8);
    const broken = await chaosDone;
    await expect.poll(async () => (samples.push(await screenStory()), generationShown()), { timeout: 20_000, interval: 50 }).toBeGreaterThan(broken.generation);
    await sample(1500, 15);
    for (const s of samples) {
      const shown = JSON.stringify(s);
      // "RUNS n" is the last run's number: the same count.
      const runNo = Number(/run #(\d+)/.exec(s.lastRun ?? '')?.[1]);
      expect(runNo, shown).toBe(s.totalRuns);
      // The chart never shows a run the counts do not include, and its x-axis counts 1, 2, 3... with no gap.
      if (s.chartNewest !== null) expect(s.chartNewest, shown).toBeLessThanOrEqual(s.totalRuns);
      s.chartNumbers.forEach((n, i) => i > 0 && expect(n - s.chartNumbers[i - 1]!, shown).toBe(1));
      // A healthy badge beside a verdict of this generation that passed; never a sick one beside an OK of it.
      if (s.state === 'healthy') expect([s.verdict, s.ofLive], shown).toEqual(['ok', 'true']);
      if (s.state === 'sick' && s.ofLive === 'true') expect(s.verdict, shown).not.toBe('ok');
    }
    // The chaos showed on the badge or its trail: with standby runs its detection and heal can fall between two
    // readings, and between two refreshes of the status behind the badge (the trail has every change).
    const badge = await page.evaluate(() => (window as unknown as { __badge: string[] }).__badge);
    expect(badge.some((s) => s !== 'healthy'), badge.join(' -> ')).toBe(true);
    // No text on the screen holds an empty code span.
    expect(await page.evaluate(() => document.body.innerText)).not.toMatch(/(^|[^`])``([^`]|$)/);
  }, 60_000);

  /** The terminal's lines, in order: the chaos line of generation `generation`, then the heal of it. */
  const chaosThenHeal = (p: Page, generation: number) =>
    p.evaluate((gen) => {
      const lines = [...document.querySelectorAll('[role="log"] [data-source]')].map((e) => ({ source: e.getAttribute('data-source'), text: e.textContent ?? '' }));
      const chaosAt = lines.findIndex((l) => l.source === 'chaos' && l.text.includes(`-> generation ${gen}`));
      const healAt = lines.findIndex((l, i) => i > chaosAt && l.source === 'healer' && /healed in \d+ ms/.test(l.text));
      return chaosAt >= 0 && healAt > chaosAt;
    }, generation);
  const syntaxError = () => api<{ generation: number }>('/chaos', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ chaos_type: 'syntax_error' }) });

  it('follows the organism on its event stream: a chaos healed within a second shows on the badge and in the terminal, in order', async () => {
    await expect.poll(() => attr('[data-testid="connection"]', 'data-transport'), { timeout: 20_000 }).toBe('stream');
    expect(await text('[data-testid="connection"]')).toBe('live');
    const broken = await syntaxError();
    // Every state change the stream told, in order, however short: the organism left healthy, then came back.
    const trail = () => page.locator('[data-testid="state-trail"] li[data-state]').evaluateAll((els) => els.map((e) => e.getAttribute('data-state')));
    await expect.poll(async () => (await trail()).at(-1), { timeout: 20_000 }).toBe('healthy');
    const states = await trail();
    expect(states.some((s) => s === 'sick' || s === 'healing'), states.join(' -> ')).toBe(true);
    await expect.poll(() => chaosThenHeal(page, broken.generation), { timeout: 10_000 }).toBe(true);
    // The heal's generation arrived as a new history row, above the chaos one.
    await expect.poll(() => page.locator('[data-testid="genome-row"][data-arrived="true"]').count(), { timeout: 10_000 }).toBeGreaterThan(1);
    // While the stream is open, the runs and logs are not polled: requests follow events.
    const since = requested.length;
    await page.waitForTimeout(1500);
    const later = requested.slice(since).map((u) => new URL(u).pathname);
    expect(later.filter((p) => p === '/logs').length, later.join(' ')).toBe(0);
  });

  it('falls back to polling when the event stream is blocked, and still shows the chaos and its heal', async () => {
    const blocked = await context.newPage();
    const polled: string[] = [];
    blocked.on('request', (r) => polled.push(r.url()));
    await blocked.route('**/events**', (r) => r.abort());
    await blocked.goto(PAGE);
    await expect.poll(() => blocked.locator('[data-testid="connection"]').getAttribute('data-connection'), { timeout: 20_000 }).toBe('connected');
    await expect.poll(() => blocked.locator('[data-testid="connection"]').getAttribute('data-transport'), { timeout: 20_000 }).toBe('polling');
    expect(await blocked.locator('[data-testid="connection"]').textContent()).toBe('polling');
    await expect.poll(() => blocked.locator('[role="log"] [data-source]').count(), { timeout: 10_000 }).toBeGreaterThan(0);
    // Polled every second, the feeds with `since` after their first page, so each poll carries only what is new.
    const feed = (name: string) => polled.filter((u) => new URL(u).pathname === name);
    await expect.poll(() => feed('/logs').length, { timeout: 10_000 }).toBeGreaterThan(2);
    for (const name of ['/logs', '/runs']) {
      expect(new URL(feed(name)[0]!).searchParams.has('since'), name).toBe(false);
      expect(feed(name).slice(1).every((u) => new URL(u).searchParams.has('since')), name).toBe(true);
    }
    const broken = await syntaxError();
    await expect.poll(() => chaosThenHeal(blocked, broken.generation), { timeout: 20_000 }).toBe(true);
    const row = blocked.locator(`[data-testid="genome-row"][data-generation="${broken.generation}"]`);
    await expect.poll(() => row.getAttribute('data-cause'), { timeout: 10_000 }).toBe('chaos');
    await expect.poll(async () => Number(await blocked.locator('[data-testid="genome-row"]').first().getAttribute('data-generation')), { timeout: 10_000 }).toBeGreaterThan(broken.generation);
    await blocked.close();
  });

  it('shows every organism at a glance and switches the detailed view to another', async () => {
    for (const name of ['bubble-sort', 'json-transform', 'prime-sieve']) {
      await page.waitForSelector(`[data-testid="organism-${name}"]`, { timeout: 10_000 });
    }
    await page.click('[data-testid="organism-prime-sieve"]');
    const header = async () => (await page.locator('header').first().textContent()) ?? '';
    await expect.poll(header, { timeout: 10_000 }).toContain('organism prime-sieve');
    await expect.poll(async () => (await page.locator('body').textContent()) ?? '', { timeout: 10_000 }).toMatch(/sieved \[\d+, \d+\]/);
    expect(page.url()).toContain('organism=prime-sieve');
    expect(await attr('[data-testid="organism-prime-sieve"]', 'aria-pressed')).toBe('true');
    await page.click('[data-testid="organism-bubble-sort"]');
    await expect.poll(header, { timeout: 10_000 }).toContain('organism bubble-sort');
  });

  it('the diff viewer shows the chaos change within one poll of its selection', async () => {
    const clicked = performance.now();
    await page.locator(`[data-testid="genome-row"][data-genome-id="${chaos.genomeId}"] button[aria-pressed]`).click();
    await expect.poll(() => attr('[data-testid="diff-header"]', 'data-genome-id'), { timeout: 10_000, interval: 50 }).toBe(chaos.genomeId);
    // Counted in polls, not seconds: the selection's own poll, and at most the one after it.
    expect(pollsSince(clicked)).toBeLessThanOrEqual(2);
    const added = await page.locator('[data-testid="diff-body"] [data-kind="add"]').allTextContents();
    expect(added.some((l) => l.includes(chaos.after.trim()))).toBe(true);
    expect(await page.locator('[data-testid="diff-body"] [data-kind="hunk"]').count()).toBeGreaterThan(0);
    const addColor = await page.locator('[data-testid="diff-body"] [data-kind="add"]').first().evaluate((e) => getComputedStyle(e).color);
    expect(addColor).toMatch(/rgb\(61, 255, 143\)|oklch|color\(/);
  });

  it('evolves on demand: the Evolve control starts a run, its progress and the lineage with fitness show', async () => {
    const panel = page.locator('[data-testid="evolution"]');
    await panel.locator('[data-testid="evolve-button"]').waitFor({ timeout: 15_000 });
    await panel.getByPlaceholder('5', { exact: true }).fill('1');
    await panel.getByPlaceholder('6', { exact: true }).fill('2');
    const response = page.waitForResponse((r) => r.url().endsWith('/evolve') && r.request().method() === 'POST');
    await panel.locator('[data-testid="evolve-button"]').click();
    expect((await response).status()).toBe(202);
    await expect.poll(() => attr('[data-testid="evolution-progress"]', 'data-state'), { timeout: 90_000 }).toMatch(/finished|failed/);
    expect(await attr('[data-testid="evolution-progress"]', 'data-state')).toBe('finished');
    expect(await text('[data-testid="evolution-generation"]')).toBe('generation 1 of 1');
    expect(await text('[data-testid="evolution-counts"]')).toMatch(/^\d+ tried · \d+ accepted · \d+ refused$/);
    await expect.poll(() => page.locator('[data-testid="evolution-chart"] svg .recharts-line').count(), { timeout: 10_000 }).toBeGreaterThan(0);
    // The lineage: newest first, each with its cause and fitness; a click shows its diff.
    const rows = page.locator('[data-testid="lineage-row"]');
    expect(await rows.count()).toBeGreaterThan(1);
    await expect.poll(() => rows.first().locator('[data-testid="fitness"]').getAttribute('data-gate'), { timeout: 30_000 }).toBe('passed');
    // The chaos generation failed: it is folded away with the others that did, until unfolded.
    const chaosRow = page.locator(`[data-testid="lineage-row"][data-genome-id="${chaos.genomeId}"]`);
    expect(await chaosRow.count()).toBe(0);
    const folded = page.locator('[data-testid="lineage-failed"]');
    expect(await folded.count()).toBeGreaterThan(0);
    expect(await page.locator('[data-testid="lineage-row"][data-cause="chaos"]').count()).toBe(0);
    for (const row of await folded.all()) await row.locator('button').first().click();
    expect(await chaosRow.getAttribute('data-cause')).toBe('chaos');
    await chaosRow.locator('button').click();
    await chaosRow.locator('[data-testid="lineage-diff"]').waitFor({ timeout: 10_000 });
    expect(await chaosRow.locator('[data-testid="lineage-diff"] [data-kind="add"]').count()).toBeGreaterThan(0);
  }, 120_000);

  it('rollback promotes a past healthy generation again', async () => {
    const seedRow = page.locator('[data-testid="genome-row"][data-cause="seed"]');
    const before = await generationShown();
    await seedRow.locator('[data-testid="rollback"]').click();
    const feedback = page.locator('[data-testid="rollback-feedback"]');
    await feedback.waitFor({ timeout: 10_000 });
    expect(await feedback.getAttribute('data-outcome')).toBe('ok');
    expect(await feedback.textContent()).toContain('Rolled back to generation #0');

    await expect.poll(generationShown, { timeout: 10_000 }).toBeGreaterThan(before);
    // A new generation with cause "rollback" sits on top of the history, live.
    const rollbackRow = page.locator('[data-testid="genome-row"][data-cause="rollback"]').first();
    await rollbackRow.waitFor({ timeout: 10_000 });
    expect(Number(await rollbackRow.getAttribute('data-generation'))).toBeGreaterThan(before);
    expect(await page.locator('[data-testid="genome-row"]').first().getAttribute('data-cause')).toBe('rollback');
    expect(await rollbackRow.getAttribute('data-live')).toBe('true');
    await expect.poll(() => attr('[data-testid="organism-state"]', 'data-state'), { timeout: 15_000 }).toBe('healthy');
  });

  it('shows the API message when it refuses chaos (paused)', async () => {
    await api('/emergency-stop', { method: 'POST' });
    await expect.poll(() => attr('[data-testid="organism-state"]', 'data-state'), { timeout: 10_000 }).toBe('paused');
    await page.locator('[data-chaos-type="random"]').click();
    const feedback = page.locator('[data-testid="chaos-feedback"][data-outcome="refused"]');
    await feedback.waitFor({ timeout: 10_000 });
    const msg = await feedback.textContent();
    expect(msg).toContain('HTTP 409');
    expect(msg?.length ?? 0).toBeGreaterThan(40);
    await api('/resume', { method: 'POST' });
    await expect.poll(() => attr('[data-testid="organism-state"]', 'data-state'), { timeout: 10_000 }).toBe('healthy');
  });

  it('saves desktop and phone screenshots', async () => {
    await page.locator(`[data-testid="genome-row"][data-genome-id="${chaos.genomeId}"] button[aria-pressed]`).click();
    await page.locator('[data-testid="diff-body"]').waitFor({ timeout: 10_000 });
    await page.evaluate(() => window.scrollTo(0, 0));
    await settled(page);
    await page.screenshot({ path: path.join(ARTIFACTS_DIR, 'dashboard.png'), fullPage: true });

    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
    const p = await phone.newPage();
    await p.goto(PAGE);
    await p.locator('[data-testid="connection"][data-connection="connected"]').waitFor({ timeout: 15_000 });
    await p.locator(`[data-testid="genome-row"][data-genome-id="${chaos.genomeId}"] button[aria-pressed]`).click();
    await p.locator('[data-testid="diff-body"]').waitFor({ timeout: 15_000 });
    await settled(p);
    // Nothing may stick out sideways at phone width.
    const overflow = await p.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await p.screenshot({ path: path.join(ARTIFACTS_DIR, 'dashboard-phone.png'), fullPage: true });
    await phone.close();
  });

  it('says offline when the backend stops, and recovers without a reload when it returns', async () => {
    await page.evaluate(() => ((window as unknown as { __sameDocument: boolean }).__sameDocument = true));
    const generation = await generationShown();

    await backend.stop();
    await expect.poll(() => attr('[data-testid="connection"]', 'data-connection'), { timeout: 15_000 }).toBe('offline');
    const banner = page.locator('[data-testid="connection-banner"]');
    expect(await banner.textContent()).toContain('Backend offline');
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: path.join(ARTIFACTS_DIR, 'dashboard-offline.png') });

    backend = await startTheBackend();
    await expect.poll(() => attr('[data-testid="connection"]', 'data-connection'), { timeout: 20_000 }).toBe('connected');
    expect(await banner.count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument)).toBe(true);
    // Same data dir: the history survived the restart, and runs continue.
    expect(await generationShown()).toBe(generation);
    const runs = Number(await text('[data-testid="total-runs"]'));
    await expect.poll(async () => Number(await text('[data-testid="total-runs"]')), { timeout: 10_000 }).toBeGreaterThan(runs);
  });

  it('in approval mode, a repair waits in Proposals with its diff until Approve promotes it', async () => {
    await backend.stop();
    backend = await startBackend({ port: backendPort, dataDir, frontendOrigin: `http://127.0.0.1:${frontendPort}`, env: { HEAL_MODE: 'propose' } });
    await expect.poll(() => attr('[data-testid="connection"]', 'data-connection'), { timeout: 20_000 }).toBe('connected');
    const panel = page.locator('[data-testid="proposals"]');
    await panel.waitFor({ timeout: 15_000 });
    const before = await generationShown();

    await page.locator('[data-chaos-type="syntax_error"]').click();
    // The list shows every organism's pending proposals (on a loaded machine a slow run of another one may propose too).
    const proposal = page.locator('[data-testid="proposal"]', { hasText: 'bubble-sort' }).first();
    await proposal.waitFor({ timeout: 30_000 });
    const id = await proposal.getAttribute('data-proposal-id');
    // The organism stays sick while the verified repair waits; the live genome is still the broken one.
    await expect.poll(() => attr('[data-testid="organism-state"]', 'data-state'), { timeout: 15_000 }).toBe('sick');
    expect(await generationShown()).toBe(before + 1);
    expect(await proposal.locator('[data-testid="proposal-cause"]').textContent()).toMatch(/crashed|SyntaxError/);
    expect(await proposal.locator('[data-testid="proposal-verification"]').textContent()).toMatch(/^passed the whole suite/);
    expect(await proposal.locator('[data-testid="proposal-diff"]').count()).toBe(1);

    await proposal.getByRole('button', { name: 'Approve' }).click();
    await expect.poll(() => attr('[data-testid="proposal-feedback"]', 'data-outcome'), { timeout: 15_000 }).toBe('ok');
    await expect.poll(generationShown, { timeout: 15_000 }).toBe(before + 2);
    await expect.poll(() => page.locator(`[data-testid="proposal"][data-proposal-id="${id}"]`).count(), { timeout: 10_000 }).toBe(0);
    const promoted = (await (await fetch(`${backend.url}/genomes?limit=1`)).json()) as { genomes: { cause: string; live: boolean }[] };
    expect(promoted.genomes[0]).toMatchObject({ cause: 'heal', live: true });
  });

  it('asks once for the access token when the backend wants one, and keeps it out of the URL', async () => {
    await backend.stop();
    const token = 'e2e-token-0123456789abcdef';
    backend = await startBackend({
      port: backendPort,
      dataDir,
      frontendOrigin: `http://127.0.0.1:${frontendPort}`,
      env: { OUROBOROS_TOKEN: token },
    });
    await expect.poll(() => attr('[data-testid="connection"]', 'data-connection'), { timeout: 20_000 }).toBe('connected');
    const before = await generationShown();
    await page.getByRole('button', { name: 'syntax_error' }).click();
    await page.waitForSelector('[data-testid="token-panel"]', { timeout: 10_000 });
    expect(await text('[data-testid="chaos-feedback"]')).toMatch(/401|token/i);
    expect(await generationShown()).toBe(before);

    await page.fill('#access-token', token);
    await page.getByRole('button', { name: 'Unlock' }).click();
    await page.waitForSelector('[data-testid="token-panel"]', { state: 'detached' });
    await page.getByRole('button', { name: 'syntax_error' }).click();
    await expect.poll(async () => await generationShown(), { timeout: 15_000 }).toBeGreaterThan(before);
    expect(page.url()).not.toContain(token);
    expect(await page.evaluate(() => window.sessionStorage.getItem('ouroboros.token'))).toBe(token);
    expect(await page.evaluate(() => window.localStorage.length)).toBe(0);
  });

  it('raised no uncaught errors in the page', () => {
    expect(pageErrors).toEqual([]);
  });
});
