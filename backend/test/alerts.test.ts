import { createHmac } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig, type AlertsConfig } from '../src/config.js';
import { getJson, useApp } from './helpers/app.js';
import { configRefusal, FIXTURE_ORGANISMS, tempDir, waitFor } from './helpers/fixtures.js';
import { startWebhookReceiver, type WebhookReceiver } from './helpers/webhook-receiver.js';

const build = useApp();
const SECRET = 'a-webhook-secret-of-some-length';

const receivers: WebhookReceiver[] = [];
afterEach(async () => {
  for (const r of receivers.splice(0)) await r.close();
});
const receiver = async (...args: Parameters<typeof startWebhookReceiver>) => {
  const r = await startWebhookReceiver(...args);
  receivers.push(r);
  return r;
};

/** Short waits: the tests are about what happens, not how long it takes. */
const alerts = (webhooks: string[], extra: Partial<AlertsConfig> = {}): AlertsConfig => ({
  webhooks,
  secret: SECRET,
  onHeal: false,
  reminderMs: 0,
  timeoutMs: 2000,
  maxAttempts: 4,
  retryInitialMs: 50,
  outboxMax: 100,
  ...extra,
});

const bodies = (r: WebhookReceiver) => r.received.map((x) => JSON.parse(x.body) as Record<string, any>);

describe('alerts from a real organism in trouble', () => {
  it('tells a crash loop, the failed heal and the quarantine once each, signed, and not again while the probes fail', async () => {
    const hook = await receiver();
    const { app } = await build({
      organismsDir: FIXTURE_ORGANISMS,
      organism: 'hang',
      // No rung can heal a genome that never passed: the ladder gives up at once.
      healLadder: ['minimal-revert', 'rollback'],
      failingSeed: 'heal',
      // A hang may be the machine's doing: retried, until two failures in the window make a crash loop.
      transientRetries: 5,
      crashLoopFailures: 2,
      crashLoopWindowMs: 60_000,
      dashboardUrl: 'https://dash.example.com/',
      alerts: alerts([hook.url]),
    });
    await waitFor(() => bodies(hook).map((b) => b.event).sort().join(','), (e) => e === 'crash-loop,heal-failed,quarantined', { what: 'three alerts' });
    for (const r of hook.received) {
      const expected = `sha256=${createHmac('sha256', SECRET).update(r.body).digest('hex')}`;
      expect(r.headers['x-ouroboros-signature-256']).toBe(expected);
      expect(r.headers['content-type']).toBe('application/json');
    }
    const quarantined = bodies(hook).find((b) => b.event === 'quarantined')!;
    expect(quarantined).toMatchObject({ organism: 'hang', generation: 0, reminder: false, dashboard: 'https://dash.example.com/?organism=hang' });
    expect(quarantined.summary).toMatch(/hang is quarantined: .*no genome of this organism has ever passed/);
    expect(quarantined.text).toContain(quarantined.summary);
    expect(quarantined.text).toContain('<https://dash.example.com/?organism=hang|');
    expect(bodies(hook).find((b) => b.event === 'crash-loop')!.summary).toMatch(/crash loop: 2 failures within 60000 ms/);

    // The quarantined genome keeps failing its probes: the condition lasts, nothing more is told.
    const runs = (await getJson(app, '/status')).stats.totalRuns;
    await waitFor(() => getJson(app, '/status'), (s) => s.stats.totalRuns >= runs + 1, { what: 'another probe' });
    await new Promise((r) => setTimeout(r, 200));
    expect(hook.received).toHaveLength(3);

    const view = await getJson(app, '/alerts');
    expect(view).toMatchObject({ enabled: true, signed: true, pending: 0, failed: 0 });
    expect(view.webhooks).toEqual([new URL(hook.url).host]);
    expect(view.alerts.map((a: any) => a.event).sort()).toEqual(['crash-loop', 'heal-failed', 'quarantined']);
    for (const a of view.alerts) expect(a.deliveries).toMatchObject([{ host: new URL(hook.url).host, state: 'delivered', attempts: 1, lastStatus: 200 }]);
    // The webhook's path may be a secret (Slack's is): it is never answered.
    expect(JSON.stringify(view)).not.toContain('secret-part');
  });
});

describe('alerts from a heal', () => {
  it('tells a successful heal with ALERT_ON_HEAL, and nothing else of a chaos the ladder mends', async () => {
    const hook = await receiver();
    const { app } = await build({ alerts: alerts([hook.url], { onHeal: true }) });
    await waitFor(() => getJson(app, '/status'), (s) => s.state === 'healthy', { what: 'healthy' });
    const chaos = await app.inject({ method: 'POST', url: '/chaos', payload: { chaos_type: 'syntax_error' } });
    expect(chaos.statusCode).toBe(200);
    await waitFor(() => hook.received.length, (n) => n === 1, { what: 'the heal alert' });
    const [healed] = bodies(hook);
    expect(healed).toMatchObject({ event: 'healed', organism: 'bubble-sort', generation: chaos.json().generation + 1 });
    expect(healed!.summary).toMatch(/^bubble-sort healed by minimal-revert in \d+ ms: generation \d+ is live$/);
    await waitFor(() => getJson(app, '/status'), (s) => s.state === 'healthy', { what: 'healthy again' });
    expect(bodies(hook).map((b) => b.event)).toEqual(['healed']);
  });
});

/** The storage monitor's own entry point for a failure met while answering (the error handler's): a real trigger
 * that needs no broken disk, so these tests are about delivery. */
const storageFails = (app: FastifyInstance, code = 'ENOSPC') =>
  app.storage.note({ problem: 'disk-full', code, message: `DATA_DIR: the disk is full (${code})`, at: new Date().toISOString() });

describe('delivery', () => {
  it('retries a failing webhook with a growing delay until it answers, and gives up on one that never answers', async () => {
    const flaky = await receiver((n) => (n <= 2 ? 'fail' : 'ok'));
    const silent = await receiver(() => 'hang');
    const { app } = await build({ alerts: alerts([flaky.url, silent.url], { timeoutMs: 300, maxAttempts: 3, retryInitialMs: 50 }) }, { startWatcher: false });
    storageFails(app);
    const view = await waitFor(() => getJson(app, '/alerts'), (v) => v.alerts.length === 1 && v.pending === 0, { what: 'every delivery settled', timeoutMs: 20_000 });
    expect(flaky.received.map((r) => r.answered)).toEqual(['fail', 'fail', 'ok']);
    expect(silent.received).toHaveLength(3);
    // Waits of at least 50 ms, then 100 ms between the attempts (lower bounds: the delay doubles).
    const gaps = flaky.received.slice(1).map((r, i) => r.at - flaky.received[i]!.at);
    expect(gaps[0]).toBeGreaterThanOrEqual(50 - 5);
    expect(gaps[1]).toBeGreaterThanOrEqual(100 - 5);
    // The same bytes each time, each signed, each with the same delivery id.
    expect(new Set(flaky.received.map((r) => r.body)).size).toBe(1);
    expect(new Set(flaky.received.map((r) => r.headers['x-ouroboros-delivery'])).size).toBe(1);
    const [alert] = view.alerts;
    expect(alert).toMatchObject({ event: 'storage-degraded', organism: null, reminder: false });
    expect(alert.summary).toMatch(/storage degraded: DATA_DIR: the disk is full/);
    const byHost = Object.fromEntries(alert.deliveries.map((d: any) => [d.host, d]));
    expect(byHost[new URL(flaky.url).host]).toMatchObject({ state: 'delivered', attempts: 3, lastStatus: 200, lastError: null });
    expect(byHost[new URL(silent.url).host]).toMatchObject({ state: 'failed', attempts: 3, lastStatus: null, lastError: 'no answer within 300 ms (ALERT_TIMEOUT_MS)', nextAttemptAt: null });
    expect(view).toMatchObject({ pending: 0, failed: 1 });
  });

  it('loses no alert to a restart: a delivery cut by the stop is made by the next server', async () => {
    const hook = await receiver(() => 'hang');
    const { dir, cleanup } = tempDir();
    try {
      const config = { alerts: alerts([hook.url], { timeoutMs: 60_000 }) };
      const first = await build(config, { startWatcher: false }, dir);
      storageFails(first.app);
      await waitFor(() => hook.received.length, (n) => n === 1, { what: 'the attempt under way' });
      await first.app.close();

      hook.behave(() => 'ok');
      const second = await build(config, { startWatcher: false }, dir);
      const view = await waitFor(() => getJson(second.app, '/alerts'), (v) => v.alerts[0]?.deliveries[0]?.state === 'delivered', { what: 'the delivery' });
      expect(hook.received.map((r) => r.answered)).toEqual(['hang', 'ok']);
      expect(hook.received[1]!.body).toBe(hook.received[0]!.body);
      // The cut attempt did not count: the one after the restart is the first.
      expect(view.alerts[0].deliveries[0]).toMatchObject({ attempts: 1, lastStatus: 200 });
    } finally {
      cleanup();
    }
  });

  it('tells a lasting condition once, reminds while it lasts, and tells it again after it ended', async () => {
    const hook = await receiver();
    const { app } = await build({ alerts: alerts([hook.url], { reminderMs: 400 }) }, { startWatcher: false });
    storageFails(app, 'ENOSPC');
    await waitFor(() => hook.received.length, (n) => n === 1, { what: 'the alert' });
    // Another failure of the same storage while it lasts: no second alert, only the reminder when due.
    storageFails(app, 'EIO');
    await waitFor(() => hook.received.length, (n) => n === 2, { what: 'the reminder' });
    const [told, reminded] = bodies(hook);
    expect(told).toMatchObject({ event: 'storage-degraded', reminder: false });
    expect(reminded).toMatchObject({ event: 'storage-degraded', reminder: true });
    expect(reminded!.summary).toMatch(/\(still, since .+\)$/);
    expect(reminded!.text).toMatch(/^\[ouroboros, still\]/);

    // The next check finds the disk fine: the condition ends, and a new failure is a new alert.
    await app.storage.check();
    const before = hook.received.length;
    storageFails(app, 'ENOSPC');
    await waitFor(() => bodies(hook).slice(before), (b) => b.some((x) => x.reminder === false), { what: 'a new alert' });
  });

  it('sends an alert the outbox cannot store (the store refuses writes) from memory', async () => {
    const hook = await receiver((n) => (n === 1 ? 'fail' : 'ok'));
    const { app } = await build({ alerts: alerts([hook.url]) }, { startWatcher: false });
    // SQLite's own read-only switch: every write to the store fails as on a read-only file system.
    app.store.database.pragma('query_only = ON');
    storageFails(app);
    await waitFor(() => hook.received.map((r) => r.answered).join(), (a) => a === 'fail,ok', { what: 'a retried delivery' });
    expect(JSON.parse(hook.received[1]!.body)).toMatchObject({ id: 0, event: 'storage-degraded' });
    app.store.database.pragma('query_only = OFF');
  });

  it('gives up pending deliveries to a webhook taken out of ALERT_WEBHOOK_URLS, and delivers to the one put in', async () => {
    const old = await receiver(() => 'hang');
    const fresh = await receiver();
    const { dir, cleanup } = tempDir();
    try {
      const first = await build({ alerts: alerts([old.url], { timeoutMs: 60_000 }) }, { startWatcher: false }, dir);
      storageFails(first.app);
      await waitFor(() => old.received.length, (n) => n === 1, { what: 'the attempt under way' });
      await first.app.close();
      const second = await build({ alerts: alerts([fresh.url]) }, { startWatcher: false }, dir);
      const view = await getJson(second.app, '/alerts');
      expect(view.alerts[0].deliveries).toMatchObject([{ host: new URL(old.url).host, state: 'failed', lastError: 'no longer in ALERT_WEBHOOK_URLS' }]);
      storageFails(second.app);
      await waitFor(() => fresh.received.length, (n) => n === 1, { what: 'the new webhook' });
      expect(old.received).toHaveLength(1);
    } finally {
      cleanup();
    }
  });

  it('answers the state of alerts when none are configured', async () => {
    const { app } = await build({}, { startWatcher: false });
    expect(await getJson(app, '/alerts')).toEqual({ enabled: false, signed: false, webhooks: [], pending: 0, failed: 0, alerts: [] });
    expect((await app.inject('/alerts?limit=0')).statusCode).toBe(400);
  });
});

describe('configuration', () => {
  it('reads the alert variables, and refuses a bad webhook URL without repeating it', () => {
    const c = loadConfig({
      ALERT_WEBHOOK_URLS: 'https://hooks.slack.com/services/T0/B0/SECRET1, http://127.0.0.1:9000/hook',
      ALERT_WEBHOOK_SECRET: 'sixteen-chars-or-more',
      ALERT_REMINDER_MINUTES: '0.5',
      DASHBOARD_URL: 'https://ouroboros.example.com',
    });
    expect(c.alerts).toMatchObject({ webhooks: ['https://hooks.slack.com/services/T0/B0/SECRET1', 'http://127.0.0.1:9000/hook'], secret: 'sixteen-chars-or-more', reminderMs: 30_000, onHeal: false });
    expect(c.dashboardUrl).toBe('https://ouroboros.example.com');
    expect(loadConfig({}).alerts.webhooks).toEqual([]);

    const refused = configRefusal;
    const message = refused({ ALERT_WEBHOOK_URLS: 'https://hooks.slack.com/services/T0/B0/SECRET1,ftp://files.example.com/SECRET2' });
    expect(message).toMatch(/ALERT_WEBHOOK_URLS=\(value not shown\): the URL to files\.example\.com must start with https:\/\/ or http:\/\//);
    expect(message).not.toMatch(/SECRET/);
    expect(refused({ ALERT_WEBHOOK_URLS: 'hooks.slack.com/services/SECRET' })).toMatch(/is not a URL; separate URLs with commas/);
    expect(refused({ ALERT_WEBHOOK_SECRET: 'short' })).toMatch(/ALERT_WEBHOOK_SECRET=\(value not shown\): must be at least 16 characters/);
    expect(refused({ DASHBOARD_URL: 'ouroboros.example.com' })).toMatch(/DASHBOARD_URL=.*must be the http\(s\) address of the dashboard/);
  });
});
