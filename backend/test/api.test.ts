import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { getJson, useApp } from './helpers/app.js';
import { configRefusal, FIXTURE_ORGANISMS, waitFor } from './helpers/fixtures.js';

const build = useApp();

describe('REST API', () => {
  it('GET / names the service and lists its endpoints', async () => {
    const { app } = await build({}, { startWatcher: false });
    const body = await getJson(app, '/');
    expect(body.name).toBe('Ouroboros');
    const paths = body.endpoints.map((e: { method: string; path: string }) => `${e.method} ${e.path}`);
    for (const p of ['GET /', 'GET /status', 'GET /logs', 'POST /chaos', 'GET /health', 'GET /genomes', 'GET /genomes/:id']) {
      expect(paths).toContain(p);
    }
  });

  it('GET /health is 200 while the loop is alive and 503 when it is not', async () => {
    const { app } = await build({}, { startWatcher: false });
    expect((await app.inject('/health')).statusCode).toBe(503);
    app.fleet.start();
    const res = await app.inject('/health');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'ok', watcher: 'alive', organisms: [{ name: 'bubble-sort', watcher: 'alive' }] });
    // The embedded runner (the default): its spawner processes, started while the server opened.
    expect(res.json().runner).toEqual({ kind: 'embedded', spawners: { configured: 1, alive: 1 } });
  });

  it('GET /status reports vital signs once the organism has run', async () => {
    const { app } = await build();
    const status = await waitFor(() => getJson(app, '/status'), (s) => s.stats.totalRuns >= 2, { what: 'two runs' });
    expect(status).toMatchObject({ organism: 'bubble-sort', state: 'healthy', generation: 0, lastError: null, lastMutation: null });
    expect(status.lastRun).toMatchObject({ verdict: 'ok', exitCode: 0, generation: 0 });
    expect(status.stats.successRate).toBe(1);
    expect(status.stats.byVerdict).toEqual({ ok: status.stats.totalRuns, crashed: 0, hung: 0, wrong: 0, slow: 0, oom: 0 });
    expect(status.stats.p95Ms).toBeGreaterThan(0);
  });

  it('GET /logs streams organism and watcher lines and honours since', async () => {
    const { app } = await build();
    await waitFor(() => getJson(app, '/logs'), (l) => l.count >= 4, { what: 'log lines' });
    const all = await getJson(app, '/logs?limit=1000');
    expect(all.entries.some((e: any) => e.source === 'organism' && /sorted 300 values/.test(e.text))).toBe(true);
    expect(all.entries.some((e: any) => e.source === 'watcher' && /: ok in \d+ ms/.test(e.text))).toBe(true);
    const seqs = all.entries.map((e: any) => e.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    const mid = seqs[1];
    const newer = await getJson(app, `/logs?since=${mid}&limit=1000`);
    expect(newer.entries.every((e: any) => e.seq > mid)).toBe(true);
    expect(newer.count).toBe(newer.entries.length);
  });

  it.each([
    ['/logs?limit=0', /limit: must be at least 1/],
    ['/logs?limit=abc', /limit: must be a whole number/],
    ['/logs?since=-4', /since: must be a whole number/],
    ['/logs?verbose=1', /verbose/],
    ['/genomes?limit=100000', /limit: must be at most 500/],
    ['/genomes/not-an-id', /16 lowercase hex/],
  ])('GET %s is a 400 that says what is wrong', async (url, message) => {
    const { app } = await build({}, { startWatcher: false });
    const res = await app.inject(url);
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ statusCode: 400, code: 'INVALID_REQUEST' });
    expect(res.json().message).toMatch(message);
  });

  it('answers unknown routes and genomes with a 404 that points somewhere useful', async () => {
    const { app } = await build({}, { startWatcher: false });
    const route = await app.inject('/nope');
    expect(route.statusCode).toBe(404);
    expect(route.json().message).toMatch(/GET \/ lists the endpoints/);
    const genome = await app.inject('/genomes/0123456789abcdef');
    expect(genome.statusCode).toBe(404);
    expect(genome.json()).toMatchObject({ code: 'GENOME_NOT_FOUND' });
  });

  describe('POST /chaos', () => {
    it('corrupts the live genome, records generation 1 with cause chaos and says what it did', async () => {
      const { app, dataDir } = await build({}, { startWatcher: false });
      const res = await app.inject({ method: 'POST', url: '/chaos', payload: { chaos_type: 'delete_line', seed: 5 } });
      expect(res.statusCode).toBe(200);
      const body = res.json();
      expect(body).toMatchObject({ chaos_type: 'delete_line', generation: 1, seed: 5, after: '' });
      expect(body.line).toBeGreaterThan(0);
      expect(body.before.length).toBeGreaterThan(0);
      const live = readFileSync(path.join(dataDir, 'organisms', 'bubble-sort', 'live.js'), 'utf8');
      const seed = await getJson(app, `/genomes?limit=1&offset=1`);
      expect(live.split('\n').length).toBe((await getJson(app, `/genomes/${seed.genomes[0].id}`)).source.split('\n').length - 1);
      const genome = await getJson(app, `/genomes/${body.genomeId}`);
      expect(genome).toMatchObject({ cause: 'chaos', generation: 1, live: true, source: live });
      expect(genome.diff).toContain(`-${body.before}`);
    });

    it('applies chaos that lost the race for the live genome to the genome that won, instead of refusing', async () => {
      const { app } = await build({}, { startWatcher: false });
      // Both read generation 0; the first promotion wins, the second finds generation 1 live and starts again from it.
      const [a, b] = await Promise.all(
        [5, 6].map((seed) => app.inject({ method: 'POST', url: '/chaos', payload: { chaos_type: 'delete_line', seed } })),
      );
      expect([a!.statusCode, b!.statusCode]).toEqual([200, 200]);
      expect([a!.json().generation, b!.json().generation].sort()).toEqual([1, 2]);
      const second = [a!.json(), b!.json()].find((r) => r.generation === 2);
      const first = [a!.json(), b!.json()].find((r) => r.generation === 1);
      const g2 = await getJson(app, `/genomes/${second.genomeId}`);
      expect(g2.parentId).toBe(first.genomeId);
      const g1 = await getJson(app, `/genomes/${first.genomeId}`);
      // Each deleted one line: the second from the first's source.
      expect(g2.source.split('\n').length).toBe(g1.source.split('\n').length - 1);
    });

    it('picks a random type when the body is missing', async () => {
      const { app } = await build({}, { startWatcher: false });
      const res = await app.inject({ method: 'POST', url: '/chaos' });
      expect(res.statusCode).toBe(200);
      expect(res.json().chaos_type).not.toBe('random');
    });

    it('refuses an unknown type with 400 naming the valid ones, and changes nothing', async () => {
      const { app } = await build({}, { startWatcher: false });
      const res = await app.inject({ method: 'POST', url: '/chaos', payload: { chaos_type: 'meteor' } });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ code: 'UNKNOWN_CHAOS_TYPE' });
      expect(res.json().message).toMatch(/delete_line.*syntax_error.*division_by_zero|division_by_zero/);
      expect((await getJson(app, '/genomes')).total).toBe(1);
    });

    it.each([
      ['invalid JSON', { 'content-type': 'application/json' }, '{"chaos_type":'],
      ['an unknown field', { 'content-type': 'application/json' }, '{"chaos_type":"random","force":true}'],
      ['a wrong field type', { 'content-type': 'application/json' }, '{"chaos_type":42}'],
      ['a prototype key', { 'content-type': 'application/json' }, '{"__proto__":{"x":1}}'],
    ])('answers %s with a 400 and changes nothing', async (_what, headers, payload) => {
      const { app } = await build({}, { startWatcher: false });
      const res = await app.inject({ method: 'POST', url: '/chaos', headers, payload });
      expect(res.statusCode).toBe(400);
      expect(res.json().message.length).toBeGreaterThan(10);
      expect((await getJson(app, '/genomes')).total).toBe(1);
    });

    it('refuses an oversized body with 413', async () => {
      const { app } = await build({}, { startWatcher: false });
      const res = await app.inject({
        method: 'POST',
        url: '/chaos',
        headers: { 'content-type': 'application/json' },
        payload: JSON.stringify({ chaos_type: 'x'.repeat(100_000) }),
      });
      expect(res.statusCode).toBe(413);
    });

    it('lists every type with a description', async () => {
      const { app } = await build({}, { startWatcher: false });
      const { types } = await getJson(app, '/chaos/types');
      const names = types.map((t: { type: string }) => t.type);
      expect(names).toEqual(expect.arrayContaining(['delete_line', 'syntax_error', 'division_by_zero', 'random']));
      for (const t of types) expect(t.description.length).toBeGreaterThan(10);
    });
  });

  it('heals a chaos injection back to healthy with the history seed, chaos, heal', async () => {
    const { app } = await build();
    await waitFor(() => getJson(app, '/status'), (s) => s.state === 'healthy' && s.stats.successes >= 1, { what: 'healthy' });
    const chaos = (await app.inject({ method: 'POST', url: '/chaos', payload: { chaos_type: 'syntax_error' } })).json();
    const status = await waitFor(
      () => getJson(app, '/status'),
      (s) => s.state === 'healthy' && s.generation === chaos.generation + 1,
      { what: 'the heal' },
    );
    expect(status.lastMutation).toMatchObject({ cause: 'heal' });
    expect(status.lastError).toMatchObject({ verdict: 'crashed', generation: chaos.generation });
    expect(status.lastError.error).toMatch(/SyntaxError/);
    const history = await getJson(app, '/genomes');
    expect(history.genomes.map((g: any) => g.cause)).toEqual(['heal', 'chaos', 'seed']);
    const heal = await getJson(app, `/genomes/${history.genomes[0].id}`);
    expect(heal.detail).toMatchObject({ strategy: 'minimal-revert', failure: { verdict: 'crashed' } });
    expect(heal.diff).toContain(`+${chaos.before}`);
  });

  it('rolls back to a past healthy genome and refuses the live one or an unhealthy one', async () => {
    const { app } = await build({ autoHeal: false });
    await waitFor(() => getJson(app, '/status'), (s) => s.stats.successes >= 1, { what: 'a first ok run' });
    const seedId = (await getJson(app, '/status')).genomeId;
    expect((await app.inject({ method: 'POST', url: `/genomes/${seedId}/rollback` })).statusCode).toBe(409);
    const chaos = (await app.inject({ method: 'POST', url: '/chaos', payload: { chaos_type: 'division_by_zero' } })).json();
    await waitFor(() => getJson(app, '/status'), (s) => s.state === 'sick', { what: 'sick' });
    const res = await app.inject({ method: 'POST', url: `/genomes/${seedId}/rollback` });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ generation: chaos.generation + 1, rolledBackTo: seedId });
    await waitFor(() => getJson(app, '/status'), (s) => s.state === 'healthy', { what: 'healthy after rollback' });
    const bad = await app.inject({ method: 'POST', url: `/genomes/${chaos.genomeId}/rollback` });
    expect(bad.statusCode).toBe(409);
    expect(bad.json()).toMatchObject({ code: 'NOT_HEALTHY' });
  });

  it('keeps history, statistics and the live generation across a restart', async () => {
    const first = await build();
    await waitFor(() => getJson(first.app, '/status'), (s) => s.stats.totalRuns >= 2, { what: 'runs' });
    await first.app.inject({ method: 'POST', url: '/chaos', payload: { chaos_type: 'delete_line', seed: 3 } });
    const before = await waitFor(() => getJson(first.app, '/status'), (s) => s.state === 'healthy' && s.generation === 2, {
      what: 'healed',
    });
    const logsBefore = await getJson(first.app, '/logs?limit=1000');
    await first.app.close();
    const second = await build({}, { startWatcher: false }, first.dataDir);
    const after = await getJson(second.app, '/status');
    expect(after.generation).toBe(2);
    expect(after.genomeId).toBe(before.genomeId);
    expect(after.stats.totalRuns).toBeGreaterThanOrEqual(before.stats.totalRuns);
    expect(after.stats.byVerdict.ok).toBeGreaterThanOrEqual(before.stats.byVerdict.ok);
    expect((await getJson(second.app, '/genomes')).total).toBe(3);
    expect((await getJson(second.app, '/logs?limit=1')).lastSeq).toBeGreaterThanOrEqual(logsBefore.lastSeq);
  });

  it('pauses with an emergency stop that restores the last healthy genome, and resumes', async () => {
    const { app } = await build({ autoHeal: false });
    await waitFor(() => getJson(app, '/status'), (s) => s.stats.successes >= 1, { what: 'ok run' });
    await app.inject({ method: 'POST', url: '/chaos', payload: { chaos_type: 'syntax_error' } });
    await waitFor(() => getJson(app, '/status'), (s) => s.state === 'sick', { what: 'sick' });
    const stop = await app.inject({ method: 'POST', url: '/emergency-stop' });
    expect(stop.json().organisms).toEqual([expect.objectContaining({ organism: 'bubble-sort', state: 'paused', generation: 2 })]);
    expect(stop.json().organisms[0].message).toMatch(/restored generation 0/);
    const refused = await app.inject({ method: 'POST', url: '/chaos', payload: {} });
    expect(refused.statusCode).toBe(409);
    expect(refused.json().code).toBe('PAUSED');
    await app.inject({ method: 'POST', url: '/resume' });
    await waitFor(() => getJson(app, '/status'), (s) => s.state === 'healthy', { what: 'healthy after resume' });
  });

  it('serves OpenAPI documentation generated from the route schemas', async () => {
    const { app } = await build({}, { startWatcher: false });
    const spec = await getJson(app, '/docs/json');
    expect(Object.keys(spec.paths)).toEqual(expect.arrayContaining(['/status', '/logs', '/chaos', '/genomes/{id}']));
    expect(spec.paths['/chaos'].post.requestBody).toBeDefined();
    const ui = await app.inject('/docs/');
    expect(ui.statusCode).toBe(200);
    expect(ui.headers['content-type']).toMatch(/text\/html/);
  });
});

describe('supervisor events', () => {
  it('reports detection, healing and promotion with their timings', async () => {
    const { app } = await build();
    await waitFor(() => getJson(app, '/status'), (s) => s.state === 'healthy', { what: 'healthy' });
    const seen: Record<string, any[]> = { detected: [], healed: [], promoted: [], chaos: [] };
    for (const name of Object.keys(seen)) app.supervisor.events.on(name as 'chaos', (e: any) => seen[name]!.push(e));
    await app.inject({ method: 'POST', url: '/chaos', payload: { chaos_type: 'division_by_zero' } });
    await waitFor(() => seen.healed!.length, (n) => n === 1, { what: 'a heal event' });
    // The chaos event says what the stream shows: where, what, and the genome it made.
    expect(seen.chaos).toEqual([{ organism: 'bubble-sort', type: 'division_by_zero', line: expect.any(Number), description: expect.any(String), genomeId: expect.any(String), generation: 1 }]);
    expect(seen.detected).toEqual([{ organism: 'bubble-sort', cause: 'chaos', verdict: 'crashed', detectMs: expect.any(Number) }]);
    expect(seen.detected![0].detectMs).toBeLessThan(5000);
    expect(seen.healed![0]).toMatchObject({ strategy: 'minimal-revert', healMs: expect.any(Number) });
    expect(seen.promoted!.map((p) => p.cause)).toEqual(['chaos', 'heal']);
  });
});

describe('several organisms at once', () => {
  const twoFixtures = { organismsDir: FIXTURE_ORGANISMS, organisms: ['good', 'crash'], organism: 'good', failingSeed: 'heal' as const };

  it('runs every organism in its own loop and lists them with their states', async () => {
    const { app } = await build(twoFixtures);
    const { organisms } = await waitFor(
      () => getJson(app, '/organisms'),
      // A run of `good` can be late on a saturated machine (verdict slow, healed by a retry): wait for a passing one.
      (b) => b.organisms.every((o: any) => o.totalRuns > 0) && b.organisms.some((o: any) => o.name === 'good' && o.lastVerdict === 'ok'),
      { what: 'both organisms to run, good passing', timeoutMs: 45_000 },
    );
    expect(organisms.map((o: any) => [o.name, o.default])).toEqual([['good', true], ['crash', false]]);
    expect(organisms.find((o: any) => o.name === 'good').lastVerdict).toBe('ok');
    expect(organisms.find((o: any) => o.name === 'crash').lastVerdict).toBe('crashed');
    expect((await getJson(app, '/organisms/crash/status')).organism).toBe('crash');
    expect((await getJson(app, '/status')).organism).toBe('good');
    expect((await getJson(app, '/health')).organisms.map((o: any) => o.name).sort()).toEqual(['crash', 'good']);
  });

  it('keeps each organism to its own logs, runs and genomes', async () => {
    const { app } = await build(twoFixtures);
    await waitFor(() => getJson(app, '/organisms/crash/runs'), (r) => r.count > 0, { what: 'a crash run' });
    const crashLogs = await getJson(app, '/organisms/crash/logs?limit=1000');
    const goodLogs = await getJson(app, '/logs?limit=1000');
    expect(crashLogs.entries.some((e: any) => /crash on purpose/.test(e.text))).toBe(true);
    expect(goodLogs.entries.some((e: any) => /crash on purpose/.test(e.text))).toBe(false);
    expect((await getJson(app, '/organisms/crash/runs')).runs.every((r: any) => r.verdict !== 'ok')).toBe(true);
    const crashGenome = (await getJson(app, '/organisms/crash/genomes')).genomes[0].id;
    expect((await app.inject(`/organisms/good/genomes/${crashGenome}`)).statusCode).toBe(404);
    expect((await app.inject(`/organisms/crash/genomes/${crashGenome}`)).statusCode).toBe(200);
  });

  it('injects chaos into the named organism only', async () => {
    const { app } = await build(twoFixtures, { startWatcher: false });
    const res = await app.inject({ method: 'POST', url: '/organisms/crash/chaos', payload: { chaos_type: 'exit_code' } });
    expect(res.statusCode).toBe(200);
    expect((await getJson(app, '/organisms/crash/genomes')).total).toBe(2);
    expect((await getJson(app, '/organisms/good/genomes')).total).toBe(1);
  });

  it.each([
    ['/organisms/no-such/status', 404, 'ORGANISM_NOT_FOUND', /Known organisms: crash, good|Known organisms: good, crash/],
    ['/organisms/..%2F..%2Fetc/status', 400, 'INVALID_ORGANISM_NAME', /lowercase letters, digits and dashes/],
    ['/organisms/Bad_Name/logs', 400, 'INVALID_ORGANISM_NAME', /GET \/organisms lists them/],
  ])('GET %s answers %i %s', async (url, status, code, message) => {
    const { app } = await build(twoFixtures, { startWatcher: false });
    const res = await app.inject(url);
    expect(res.statusCode).toBe(status);
    expect(res.json()).toMatchObject({ code });
    expect(res.json().message).toMatch(message);
  });

  it('stops every organism with the top-level emergency stop, and one with its own', async () => {
    const { app } = await build(twoFixtures);
    const one = (await app.inject({ method: 'POST', url: '/organisms/crash/emergency-stop' })).json();
    expect(one.organisms.map((o: any) => o.organism)).toEqual(['crash']);
    expect((await getJson(app, '/organisms/good/status')).state).not.toBe('paused');
    const all = (await app.inject({ method: 'POST', url: '/emergency-stop' })).json();
    expect(all.organisms.map((o: any) => [o.organism, o.state]).sort()).toEqual([['crash', 'paused'], ['good', 'paused']]);
  });
});

describe('configuration', () => {
  it('names the variable and the fix when a value is wrong', async () => {
    const { loadConfig } = await import('../src/config.js');
    const wrong = configRefusal;
    expect(wrong({ PORT: 'abc' })).toMatch(/PORT="abc": must be a number/);
    expect(wrong({ LOOP_INTERVAL_MS: '5' })).toMatch(/LOOP_INTERVAL_MS="5": must be at least 10/);
    expect(wrong({ HEAL_LADDER: 'rollback,prayer' })).toMatch(/unknown strategy "prayer"/);
    expect(wrong({ LLM_BASE_URL: 'http://localhost:11434/v1' })).toMatch(/LLM_MODEL: must be set/);
    expect(wrong({ OUROBOROS_TOKEN: 'short' })).toMatch(/OUROBOROS_TOKEN="short": must be at least 16 characters/);
    expect(wrong({ OUROBOROS_PROTECT_READS: 'true' })).toMatch(/needs OUROBOROS_TOKEN/);
    expect(wrong({ NODE_ENV: 'production', LOG_PRETTY: 'true' })).toMatch(/LOG_PRETTY=true: not available/);
    expect(loadConfig({ PORT: '' }).port).toBe(8000);
    expect(wrong({ HEAL_BATCH_PROOF: 'threads' })).toMatch(/HEAL_BATCH_PROOF="threads": must be contexts, workers, or 0/);
    expect([undefined, '1', 'contexts', 'workers', '0'].map((v) => loadConfig(v === undefined ? {} : { HEAL_BATCH_PROOF: v }).healBatchProof)).toEqual(['contexts', 'contexts', 'contexts', 'workers', false]);
    expect(wrong({ ROUTINE_RUNS: 'threads' })).toMatch(/ROUTINE_RUNS="threads": must be contexts or processes/);
    expect([undefined, 'contexts', 'processes'].map((v) => loadConfig(v === undefined ? {} : { ROUTINE_RUNS: v }).routineRuns)).toEqual(['contexts', 'contexts', 'processes']);
    expect(wrong({ STANDBY_RUNS: 'maybe' })).toMatch(/STANDBY_RUNS="maybe": must be true or false/);
    expect([undefined, '1', '0', 'false'].map((v) => loadConfig(v === undefined ? {} : { STANDBY_RUNS: v }).standbyRuns)).toEqual([true, true, false, false]);
    expect(wrong({ LLM_PRICE_PER_MTOK_IN: '2.5' })).toMatch(/LLM_PRICE_PER_MTOK_IN and LLM_PRICE_PER_MTOK_OUT: set both/);
    expect(wrong({ RUNNER: 'bullmq' })).toMatch(/RUNNER=bullmq: needs REDIS_URL/);
    expect(wrong({ RUNNER: 'queue' })).toMatch(/RUNNER="queue": must be embedded .* or bullmq/);
    expect(wrong({ RUNNER: 'bullmq', REDIS_URL: 'http://localhost:6379' })).toMatch(/REDIS_URL="http:\/\/localhost:6379": must be a Redis URL/);
    expect(loadConfig({ RUNNER: 'bullmq', REDIS_URL: 'redis://localhost:6379', WORKER_CONCURRENCY: '3' }).runner).toEqual({
      kind: 'bullmq',
      redisUrl: 'redis://localhost:6379',
      fallback: 'embedded',
      workerConcurrency: 3,
      workerLockMs: 30_000,
    });
    expect(wrong({ LLM_DAILY_BUDGET_USD: '5' })).toMatch(/LLM_DAILY_BUDGET_USD: needs LLM_PRICE_PER_MTOK_IN/);
    expect(wrong({ LLM_PRICE_PER_MTOK_IN: '-1', LLM_PRICE_PER_MTOK_OUT: '10' })).toMatch(/LLM_PRICE_PER_MTOK_IN="-1": must be at least 0/);
    expect(loadConfig({ LLM_PRICE_PER_MTOK_IN: '2.5', LLM_PRICE_PER_MTOK_OUT: '10', LLM_DAILY_BUDGET_USD: '5' }).llmBill).toEqual({
      prices: { inPerMTok: 2.5, outPerMTok: 10 },
      dailyBudgetUsd: 5,
    });
  });

  it('hands a failing seed to the ladder by default only when a rung can heal a genome that never passed', async () => {
    const { loadConfig } = await import('../src/config.js');
    expect(loadConfig({}).failingSeed).toBe('heal');
    expect(loadConfig({ HEAL_LADDER: 'minimal-revert,rollback,llm' }).failingSeed).toBe('refuse');
    expect(loadConfig({ HEAL_LADDER: 'rollback,llm', LLM_BASE_URL: 'http://localhost:11434/v1', LLM_MODEL: 'm' }).failingSeed).toBe('heal');
    expect(loadConfig({ FAILING_SEED: 'refuse' }).failingSeed).toBe('refuse');
    expect(loadConfig({ HEAL_SEARCH_TIME_MS: '5000' }).healSearchTimeMs).toBe(5000);
  });
});

describe('equivalent mutants', () => {
  it('says so when a chaos genome passes its verification suite, instead of calling it detected', async () => {
    const { app } = await build();
    await waitFor(() => getJson(app, '/status'), (s) => s.state === 'healthy', { what: 'healthy', timeoutMs: 60_000 });
    // change_boundary finds no observable place in the bubble sort: every mutant it makes is equivalent.
    const chaos = (await app.inject({ method: 'POST', url: '/chaos', payload: { chaos_type: 'change_boundary', seed: 1 } })).json();
    const logs = await waitFor(
      () => getJson(app, '/logs?limit=1000'),
      (l) => l.entries.some((e: any) => e.source === 'chaos' && /passed its verification suite despite the chaos/.test(e.text)),
      // A deadline, not a measurement: the whole suite (32 sandboxed runs) took over 15 s on two busy cores.
      { what: 'the equivalence note', timeoutMs: 60_000 },
    );
    expect(logs.entries.some((e: any) => e.text.includes(`generation ${chaos.generation} passed its verification suite`))).toBe(true);
    expect((await getJson(app, '/status')).generation).toBe(chaos.generation);
  });
});
