import { describe, expect, it } from 'vitest';
import { getJson, useApp } from './helpers/app.js';

const build = useApp();

// One story per screen: what /status says about runs must agree with itself and with /runs at every poll.
describe("an organism's runs, as /status and /runs count them", () => {
  it('are numbered per organism, and the last run is the one the count ends at', async () => {
    const { app } = await build({ organisms: ['bubble-sort', 'prime-sieve'], organism: 'bubble-sort', loopIntervalMs: 20 });
    const seen: number[] = [];
    for (let polls = 0; seen.length < 6 && polls < 2000; polls++) {
      for (const name of ['bubble-sort', 'prime-sieve']) {
        const s = await getJson(app, `/organisms/${name}/status`);
        if (s.lastRun === null) {
          expect(s.stats.totalRuns).toBe(0);
          continue;
        }
        // "RUNS n" and "run #n" are the same number, whatever the other organism ran meanwhile.
        expect(s.lastRun.number).toBe(s.stats.totalRuns);
        if (name === 'prime-sieve' && seen.at(-1) !== s.lastRun.number) seen.push(s.lastRun.number);
      }
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(seen.length).toBeGreaterThanOrEqual(6);
    const { runs } = await getJson(app, '/organisms/prime-sieve/runs?limit=1000');
    expect(runs.map((r: { number: number }) => r.number)).toEqual(runs.map((_: unknown, i: number) => i + 1));
    // Ids are shared by both organisms: prime-sieve's are not 1, 2, 3...
    const other = await getJson(app, '/organisms/bubble-sort/runs?limit=1000');
    expect(new Set([...runs, ...other.runs].map((r: { id: number }) => r.id)).size).toBe(runs.length + other.runs.length);
  }, 60_000);

  it("tells the server's uptime apart from the age of the live generation", async () => {
    const { app } = await build();
    const s = await getJson(app, '/status');
    const genome = await getJson(app, `/genomes/${s.genomeId}`);
    expect(s.generationSince).toBe(genome.createdAt);
    expect(typeof s.uptimeS).toBe('number');
    const chaos = await app.inject({ method: 'POST', url: '/chaos', payload: { chaos_type: 'syntax_error' } });
    const after = await getJson(app, '/status');
    expect(Date.parse(after.generationSince)).toBeGreaterThanOrEqual(Date.parse(s.generationSince));
    expect(after.generation).toBeGreaterThanOrEqual(chaos.json().generation);
  });
});
