import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir, waitFor } from './helpers/fixtures.js';
import { api, startServer, type ServerProcess } from './helpers/server-process.js';

// The whole system as users run it: a real server process, real organism processes, a real SQLite file.
describe('end to end: chaos and healing through a running server', () => {
  const tmp = tempDir('ouroboros-e2e-');
  let server: ServerProcess;

  beforeAll(async () => {
    server = await startServer({ DATA_DIR: tmp.dir, LOOP_INTERVAL_MS: '100' });
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
    tmp.cleanup();
  });

  const status = () => api(server.url, '/status');

  it.each(['delete_line', 'syntax_error', 'division_by_zero'])(
    '%s makes the organism fail, and it heals back to healthy',
    async (type) => {
      await waitFor(status, (s) => s.state === 'healthy', { what: 'healthy before chaos' });
      const chaos = await api(server.url, '/chaos', { method: 'POST', body: JSON.stringify({ chaos_type: type }) });
      expect(chaos.chaos_type).toBe(type);

      const failed = await waitFor(
        () => api(server.url, '/runs?limit=50'),
        (r) => r.runs.some((run: any) => run.generation === chaos.generation),
        { what: `a run of generation ${chaos.generation}` },
      );
      const run = failed.runs.find((x: any) => x.generation === chaos.generation);
      expect(run.verdict).not.toBe('ok');
      expect(run.error).toBeTruthy();

      const healed = await waitFor(status, (s) => s.state === 'healthy' && s.generation === chaos.generation + 1, {
        what: 'healthy again',
      });
      expect(healed.lastMutation.cause).toBe('heal');
    },
  );

  it('records the whole history, newest first', async () => {
    const { genomes } = await api(server.url, '/genomes');
    expect(genomes.map((g: any) => g.cause)).toEqual(['heal', 'chaos', 'heal', 'chaos', 'heal', 'chaos', 'seed']);
    expect(genomes[0].live).toBe(true);
    expect(genomes.filter((g: any) => g.cause === 'chaos').every((g: any) => g.lastVerdict !== 'ok')).toBe(true);
    const logs = await api(server.url, '/logs?limit=1000');
    for (const source of ['organism', 'watcher', 'chaos', 'healer']) {
      expect(logs.entries.some((e: any) => e.source === source)).toBe(true);
    }
  });

  it('shuts down gracefully on SIGTERM, and comes back with everything it had', async () => {
    const before = await status();
    const { code, ms } = await server.stop();
    expect(code).toBe(0);
    expect(ms).toBeLessThan(5000);
    server = await startServer({ DATA_DIR: tmp.dir, LOOP_INTERVAL_MS: '100' });
    const after = await status();
    expect(after.generation).toBe(before.generation);
    expect(after.genomeId).toBe(before.genomeId);
    expect(after.stats.totalRuns).toBeGreaterThanOrEqual(before.stats.totalRuns);
  }, 60_000);
});
