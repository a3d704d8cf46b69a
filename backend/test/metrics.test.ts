import { describe, expect, it } from 'vitest';
import { getJson, useApp } from './helpers/app.js';
import { waitFor } from './helpers/fixtures.js';

const build = useApp();

/** The value of one sample in the Prometheus text format, e.g. sample(text, 'ouroboros_runs_total', {verdict: 'ok'}). */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((l) => [l[1], l[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) return Number(m[3]);
  }
  return undefined;
}

async function scrape(app: Awaited<ReturnType<ReturnType<typeof useApp>>>['app']): Promise<string> {
  const res = await app.inject('/metrics');
  expect(res.statusCode).toBe(200);
  return res.body;
}

describe('GET /metrics', () => {
  it('answers in the Prometheus text format with every family, before anything has happened', async () => {
    const { app } = await build({}, { startWatcher: false });
    const res = await app.inject('/metrics');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
    const text = res.body;
    for (const [name, type] of [
      ['ouroboros_runs_total', 'counter'],
      ['ouroboros_heals_total', 'counter'],
      ['ouroboros_heal_failures_total', 'counter'],
      ['ouroboros_chaos_injected_total', 'counter'],
      ['ouroboros_promotions_total', 'counter'],
      ['ouroboros_time_to_detect_seconds', 'histogram'],
      ['ouroboros_time_to_heal_seconds', 'histogram'],
      ['ouroboros_run_duration_seconds', 'histogram'],
      ['ouroboros_generation', 'gauge'],
      ['ouroboros_watcher_alive', 'gauge'],
      // Node process metrics.
      ['process_cpu_seconds_total', 'counter'],
      ['process_resident_memory_bytes', 'gauge'],
      ['nodejs_eventloop_lag_seconds', 'gauge'],
      ['nodejs_heap_size_used_bytes', 'gauge'],
    ]) {
      expect(text, name).toContain(`# TYPE ${name} ${type}\n`);
    }
    // Known series start at zero instead of being absent.
    expect(sample(text, 'ouroboros_runs_total', { organism: 'bubble-sort', verdict: 'crashed' })).toBe(0);
    expect(sample(text, 'ouroboros_chaos_injected_total', { organism: 'bubble-sort', type: 'syntax_error' })).toBe(0);
    expect(sample(text, 'ouroboros_generation', { organism: 'bubble-sort' })).toBe(0);
    expect(sample(text, 'ouroboros_watcher_alive', { organism: 'bubble-sort' })).toBe(0);
    // Every line is a comment, a sample or blank: nothing a Prometheus parser would reject.
    for (const line of text.split('\n')) {
      expect(line).toMatch(/^(#.*|[a-zA-Z_:][a-zA-Z0-9_:]*(\{.*\})? -?(\d|Nan|NaN|\+Inf|-Inf).*|)$/);
    }
  });

  it('counts runs, chaos, detection and healing as they happen', async () => {
    const { app } = await build();
    await waitFor(() => getJson(app, '/status'), (s) => s.state === 'healthy' && s.stats.totalRuns >= 1, { what: 'healthy' });
    const chaos = await app.inject({ method: 'POST', url: '/chaos', payload: { chaos_type: 'division_by_zero' } });
    expect(chaos.statusCode).toBe(200);
    const healedAt = chaos.json().generation + 1;
    await waitFor(() => getJson(app, '/status'), (s) => s.state === 'healthy' && s.generation === healedAt, { what: 'healed' });

    const text = await scrape(app);
    const org = { organism: 'bubble-sort' };
    expect(sample(text, 'ouroboros_chaos_injected_total', { ...org, type: 'division_by_zero' })).toBe(1);
    expect(sample(text, 'ouroboros_runs_total', { ...org, verdict: 'ok' })).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'ouroboros_runs_total', { ...org, verdict: 'crashed' })).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'ouroboros_time_to_detect_seconds_count', { ...org, cause: 'chaos', verdict: 'crashed' })).toBe(1);
    expect(sample(text, 'ouroboros_time_to_detect_seconds_sum', { ...org, cause: 'chaos', verdict: 'crashed' })).toBeGreaterThan(0);
    // One heal, by whichever strategy got there first, with its duration in the histogram.
    const healLines = text.split('\n').filter((l) => l.startsWith('ouroboros_heals_total{'));
    expect(healLines).toHaveLength(1);
    const strategy = /strategy="([^"]+)"/.exec(healLines[0]!)![1]!;
    expect(sample(text, 'ouroboros_heals_total', { ...org, strategy })).toBe(1);
    expect(sample(text, 'ouroboros_time_to_heal_seconds_count', { ...org, strategy })).toBe(1);
    expect(sample(text, 'ouroboros_time_to_heal_seconds_bucket', { ...org, strategy, le: '+Inf' })).toBe(1);
    expect(sample(text, 'ouroboros_promotions_total', { ...org, cause: 'chaos' })).toBe(1);
    expect(sample(text, 'ouroboros_promotions_total', { ...org, cause: 'heal' })).toBe(1);
    expect(sample(text, 'ouroboros_generation', org)).toBe(healedAt);
    expect(sample(text, 'ouroboros_watcher_alive', org)).toBe(1);
  });

  it('keeps each app to its own registry and lets go of the supervisor when the app closes', async () => {
    const { app: a } = await build({}, { startWatcher: false });
    const { app: b } = await build({}, { startWatcher: false });
    const before = a.supervisor.events.listenerCount('run');
    const run = { id: 1, organism: 'bubble-sort', genomeId: a.supervisor.liveGenome.id, generation: 0, seed: 1, startedAt: new Date().toISOString(), durationMs: 12, exitCode: 0, signal: null, verdict: 'wrong' as const, error: 'expected 2, got 3', trial: false, number: 1, suiteCase: null };
    a.supervisor.events.emit('run', { organism: 'bubble-sort', verdict: 'wrong', durationMs: 12, generation: 0, run });
    expect(sample(await scrape(a), 'ouroboros_runs_total', { organism: 'bubble-sort', verdict: 'wrong' })).toBe(1);
    expect(sample(await scrape(b), 'ouroboros_runs_total', { organism: 'bubble-sort', verdict: 'wrong' })).toBe(0);
    expect(before).toBeGreaterThanOrEqual(1);
    await a.close();
    // Nothing of the closed app listens any more (the metrics and the event stream both let go).
    expect(a.supervisor.events.listenerCount('run')).toBe(0);
  });

  it('labels every series with its organism when the server runs several', async () => {
    const { app } = await build({ organisms: ['bubble-sort', 'prime-sieve'] }, { startWatcher: false });
    app.fleet.get('prime-sieve').events.emit('chaos', { organism: 'prime-sieve', type: 'delete_line', line: 3, description: 'Deleted line 3', genomeId: 'g', generation: 1 });
    const text = await scrape(app);
    for (const organism of ['bubble-sort', 'prime-sieve']) {
      expect(sample(text, 'ouroboros_generation', { organism }), organism).toBe(0);
      expect(sample(text, 'ouroboros_runs_total', { organism, verdict: 'ok' }), organism).toBe(0);
    }
    expect(sample(text, 'ouroboros_chaos_injected_total', { organism: 'prime-sieve', type: 'delete_line' })).toBe(1);
    expect(sample(text, 'ouroboros_chaos_injected_total', { organism: 'bubble-sort', type: 'delete_line' })).toBe(0);
  });

  it('is listed by GET / and kept out of the OpenAPI document', async () => {
    const { app } = await build({}, { startWatcher: false });
    const root = await getJson(app, '/');
    expect(root.endpoints).toContainEqual({ method: 'GET', path: '/metrics', description: expect.stringMatching(/Prometheus/) });
    const spec = await getJson(app, '/docs/json');
    expect(spec.paths['/metrics']).toBeUndefined();
    expect(spec.paths['/status']).toBeDefined();
  });
});
