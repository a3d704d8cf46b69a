import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from './helpers/fixtures.js';
import { runOriginalClient, statusProblems } from './helpers/original-client.js';
import { api, startServer, type ServerProcess } from './helpers/server-process.js';

// The original Ouroboros' clients (its dashboard and test script) against a real server process: every field and
// route they read, served beside ours.
describe('compatible with the original Ouroboros clients', () => {
  const tmp = tempDir('ouroboros-original-');
  let server: ServerProcess;

  beforeAll(async () => {
    server = await startServer({ DATA_DIR: tmp.dir, LOOP_INTERVAL_MS: '100', ORGANISMS: 'bubble-sort' });
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
    tmp.cleanup();
  });

  it('passes every check of a client written against the original shapes', async () => {
    const lines: string[] = [];
    const checks = await runOriginalClient(server.url, (l) => lines.push(l));
    console.log(lines.join('\n'));
    expect(checks.filter((c) => !c.ok), lines.join('\n')).toEqual([]);
    expect(checks.length).toBeGreaterThanOrEqual(14);
  }, 180_000);

  it('keeps our own fields where a name clashes, and beside the original ones', async () => {
    const root = await api(server.url, '/');
    expect(Array.isArray(root.endpoints)).toBe(true);
    expect(root.endpoints).toContainEqual(expect.objectContaining({ method: 'GET', path: '/genome' }));
    const health = await api(server.url, '/health');
    expect(health.status).toBe('ok');
    const status = await api(server.url, '/organisms/bubble-sort/status');
    expect(statusProblems(status)).toEqual([]);
    expect(status).toMatchObject({ organism: 'bubble-sort', state: expect.any(String), stats: expect.any(Object), uptimeS: expect.any(Number) });
    expect(status.crash_count).toBe(status.stats.failures);
    expect(status.successful_runs).toBe(status.stats.successes);
    const logs = await api(server.url, '/logs?limit=3');
    expect(logs.logs).toHaveLength(logs.entries.length);
    expect(logs.logs[0]).toContain(logs.entries[0].text);
    const bad = await fetch(`${server.url}/genome?limit=0`);
    expect(bad.status).toBe(400);
  });
});
