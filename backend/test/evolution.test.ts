/** Fitness for every live genome, and the evolution routes, through the real app (app.inject). */
import { describe, expect, it } from 'vitest';
import { getJson, useApp } from './helpers/app.js';
import { FIXTURE_ORGANISMS, waitFor } from './helpers/fixtures.js';
import { evolveOverrides, organismCopy } from './evolution.fixtures.js';

const build = useApp();
// Small and quick: the edge cases, then 500 random and 500 sorted values, three runs each.
const organismsDir = organismCopy({ benchmark: { sizes: [500], sorted: 500 }, repeats: 3 });
const TOKEN = 'evolution-test-token-0123456789';

describe('fitness', () => {
  it('is measured for every genome that becomes live, shown by GET /genomes/:id and the list, and none for a genome that fails the gate', async () => {
    const { app } = await build(evolveOverrides(organismsDir));
    const seed = await getJson(app, '/status');
    const measured = await waitFor(() => getJson(app, `/genomes/${seed.genomeId}`), (g) => g.fitness !== null, { what: "the seed's fitness", timeoutMs: 20_000 });
    expect(measured.fitness).toMatchObject({ gate: 'passed', repeats: 3, gateInputs: 10, codeSize: expect.any(Number) });
    expect(measured.fitness.inputs.map((i: { name: string }) => i.name)).toEqual(['random 500', 'sorted 500']);
    expect(measured.fitness.timeMs).toBeCloseTo(measured.fitness.inputs[0].medianMs + measured.fitness.inputs[1].medianMs, 1);

    // Chaos breaks the genome, the healer restores it: both became live, both get a fitness.
    const chaos = await app.inject({ method: 'POST', url: '/chaos', payload: { chaos_type: 'syntax_error', seed: 1 } });
    expect(chaos.statusCode).toBe(200);
    const broken = chaos.json().genomeId;
    const healed = await waitFor(() => getJson(app, '/status'), (s) => s.lastMutation?.cause === 'heal' && s.state === 'healthy', { what: 'the heal' });
    const list = await waitFor(
      () => getJson(app, '/genomes'),
      (l) => l.genomes.every((g: { fitness: unknown }) => g.fitness !== null),
      { what: 'every fitness', timeoutMs: 20_000 },
    );
    const byId = new Map(list.genomes.map((g: { id: string }) => [g.id, g]));
    // A genome that fails the gate has no fitness: only the reason.
    expect((byId.get(broken) as any).fitness).toEqual({
      gate: 'failed',
      reason: expect.stringMatching(/^crashed on "empty": SyntaxError/),
      input: 'empty',
      verdict: 'crashed',
      codeSize: expect.any(Number),
      benchmark: measured.fitness.benchmark,
      measuredAt: expect.any(String),
    });
    // The heal restored the seed's source: its measurement is reused, and says from where.
    const heal = await getJson(app, `/genomes/${healed.genomeId}`);
    expect(heal.fitness).toMatchObject({ gate: 'passed', reusedFrom: seed.genomeId, timeMs: measured.fitness.timeMs });
    // The lineage says which ancestors held: the chaos generation never passed a run.
    const { lineage } = await getJson(app, '/evolution');
    expect(lineage.map((g: { cause: string; healthy: boolean }) => `${g.cause} ${g.healthy}`)).toEqual(['heal true', 'chaos false', 'seed true']);
  }, 60_000);
});

describe('evolution routes', () => {
  it('start, refuse a second run, cancel, and report the last run afterwards', async () => {
    const { app } = await build(evolveOverrides(organismsDir, {}, { token: TOKEN }));
    const auth = { authorization: `Bearer ${TOKEN}` };
    await waitFor(() => getJson(app, '/status'), (s) => s.state === 'healthy', { what: 'healthy' });

    // Authorised like every route that changes something.
    const anonymous = await app.inject({ method: 'POST', url: '/organisms/bubble-sort/evolve', payload: {} });
    expect(anonymous.statusCode).toBe(401);
    expect((await getJson(app, '/organisms/bubble-sort/evolution')).running).toBe(false);

    const bad = await app.inject({ method: 'POST', url: '/organisms/bubble-sort/evolve', headers: auth, payload: { margin: 5, generations: 0 } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().code).toBe('INVALID_REQUEST');
    const llm = await app.inject({ method: 'POST', url: '/organisms/bubble-sort/evolve', headers: auth, payload: { sources: ['llm'] } });
    expect(llm.statusCode).toBe(409);
    expect(llm.json().code).toBe('LLM_NOT_CONFIGURED');
    const unknown = await app.inject({ method: 'POST', url: '/organisms/nope/evolve', headers: auth, payload: {} });
    expect(unknown.statusCode).toBe(404);
    const nothing = await app.inject({ method: 'POST', url: '/evolve/cancel', headers: auth });
    expect(nothing.statusCode).toBe(409);
    expect(nothing.json().code).toBe('NO_EVOLUTION_RUNNING');

    // A bodiless POST takes the defaults (operators only: no LLM here); the top-level route is the default organism's.
    const started = await app.inject({ method: 'POST', url: '/evolve', headers: auth });
    expect(started.statusCode).toBe(202);
    expect(started.json()).toMatchObject({ organism: 'bubble-sort', run: { state: 'running', settings: { generations: 5, population: 6, sources: ['operators'] } } });
    const second = await app.inject({ method: 'POST', url: '/organisms/bubble-sort/evolve', headers: auth, payload: {} });
    expect(second.statusCode).toBe(409);
    expect(second.json()).toMatchObject({ code: 'EVOLUTION_RUNNING', message: expect.stringMatching(/cancel it with POST/) });
    const during = await getJson(app, '/evolution');
    expect(during).toMatchObject({ organism: 'bubble-sort', available: true, running: true, sources: ['operators'], run: { state: 'running' } });

    const cancelled = await app.inject({ method: 'POST', url: '/organisms/bubble-sort/evolve/cancel', headers: auth });
    expect(cancelled.statusCode).toBe(200);
    expect(cancelled.json().run).toMatchObject({ state: 'cancelled', endReason: 'cancelled', accepted: 0 });
    const after = await getJson(app, '/organisms/bubble-sort/evolution');
    expect(after).toMatchObject({ running: false, run: { id: started.json().run.id, state: 'cancelled' } });
    expect(after.lineage[0]).toMatchObject({ cause: 'seed', live: true });

    // GET / lists the routes.
    const root = await getJson(app, '/');
    const paths = root.endpoints.map((e: { method: string; path: string }) => `${e.method} ${e.path}`);
    expect(paths).toEqual(expect.arrayContaining(['POST /organisms/:name/evolve', 'POST /organisms/:name/evolve/cancel', 'GET /organisms/:name/evolution', 'POST /evolve', 'GET /evolution']));
  }, 60_000);

  it('refuses to evolve an organism that defines no fitness', async () => {
    const { app } = await build({ organismsDir: FIXTURE_ORGANISMS, organism: 'good' });
    const res = await app.inject({ method: 'POST', url: '/evolve', payload: {} });
    expect(res.statusCode).toBe(409);
    expect(res.json().code).toBe('NO_FITNESS');
    expect(await getJson(app, '/evolution')).toMatchObject({ available: false, unavailable: expect.stringMatching(/defines no fitness/), run: null });
    expect((await getJson(app, '/genomes')).genomes[0].fitness).toBeNull();
  });

  it('carries on through chaos: the healer heals as usual, the run takes the healed genome as its champion, nothing lands on the damage', async () => {
    const { app } = await build(evolveOverrides(organismsDir));
    await waitFor(() => getJson(app, '/status'), (s) => s.state === 'healthy', { what: 'healthy' });
    const started = await app.inject({ method: 'POST', url: '/evolve', payload: { generations: 2, population: 2, seed: 11 } });
    expect(started.statusCode).toBe(202);
    await waitFor(() => getJson(app, '/evolution'), (v) => v.run.bestOverTime.length >= 1, { what: 'the baseline', timeoutMs: 20_000 });
    const chaos = await app.inject({ method: 'POST', url: '/chaos', payload: { chaos_type: 'syntax_error', seed: 2 } });
    expect(chaos.statusCode).toBe(200);
    const view = await waitFor(() => getJson(app, '/evolution'), (v) => !v.running, { what: 'the run to end', timeoutMs: 45_000, intervalMs: 200 });
    expect(view.run.state).toBe('finished');
    const genomes = (await getJson(app, '/genomes?limit=500')).genomes as { id: string; parentId: string; cause: string }[];
    const byId = new Map(genomes.map((g) => [g.id, g]));
    expect(genomes.some((g) => g.cause === 'heal')).toBe(true);
    for (const g of genomes.filter((x) => x.cause === 'evolve')) expect(byId.get(g.parentId)?.cause).not.toBe('chaos');
    const logs = await getJson(app, '/logs?limit=1000');
    expect(logs.entries.some((e: { text: string }) => /evolution: the live genome changed under the run/.test(e.text))).toBe(true);
  }, 60_000);
});
