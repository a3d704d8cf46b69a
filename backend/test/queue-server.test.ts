/**
 * A real server with RUNNER=bullmq, a real worker process and a real redis-server: the organism runs on the worker,
 * /health says so, and when Redis stops the server says that too and goes on recording runs on its own machine
 * (RUNNER_FALLBACK=embedded, the default). No time is asserted.
 */
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURE_ORGANISMS, tempDir, waitFor } from './helpers/fixtures.js';
import { completedJobs, startRedis } from './helpers/redis-server.js';
import { api, startServer } from './helpers/server-process.js';
import { startWorker } from './helpers/worker-process.js';

describe('a server with RUNNER=bullmq', () => {
  it('runs its organism on the worker, says so in /health, and goes on recording runs while Redis is down', async () => {
    const redis = await startRedis();
    const data = tempDir('ouroboros-queue-server-');
    // The fixture `good` with limits a loaded machine cannot turn into verdicts: a failure here is the runner's doing.
    const organisms = path.join(data.dir, 'organisms');
    cpSync(FIXTURE_ORGANISMS, organisms, { recursive: true });
    const manifest = path.join(organisms, 'good', 'manifest.json');
    writeFileSync(manifest, JSON.stringify({ ...JSON.parse(readFileSync(manifest, 'utf8')), timeLimitMs: 20_000, slowMs: 10_000 }));
    const worker = await startWorker({ REDIS_URL: redis.url, ORGANISMS_DIR: organisms, WORKER_CONCURRENCY: '2' });
    const server = await startServer({ DATA_DIR: path.join(data.dir, 'data'), ORGANISMS_DIR: organisms, ORGANISM: 'good', ORGANISMS: 'good', LOOP_INTERVAL_MS: '200', RUNNER: 'bullmq', REDIS_URL: redis.url });
    const runs = async () => (await api<{ stats: { totalRuns: number; failures: number } }>(server.url, '/status')).stats;
    try {
      const health = await waitFor(() => api(server.url, '/health'), (h) => h.runner?.queue?.workers.length === 1, { what: 'the worker in /health', timeoutMs: 60_000 });
      expect(health).toMatchObject({ status: 'ok', watcher: 'alive', runner: { kind: 'bullmq', queue: { redis: { reachable: true }, fallback: 'embedded', fallingBack: false, workers: [{ id: worker.id }] } } });
      const before = await waitFor(runs, (s) => s.totalRuns >= 3, { what: 'runs', timeoutMs: 60_000 });
      expect(await completedJobs(redis)).toBeGreaterThanOrEqual(3);
      await redis.stop();
      const down = await waitFor(() => api(server.url, '/health'), (h) => h.runner.queue.redis.reachable === false, { what: '/health to say Redis is gone', timeoutMs: 30_000 });
      expect(down).toMatchObject({ status: 'ok', runner: { queue: { fallingBack: true, redis: { error: expect.any(String) } } } });
      // The fallback runs the organism here: its runs go on being recorded, and none is blamed on the genome.
      const during = await waitFor(runs, (s) => s.totalRuns >= before.totalRuns + 5, { what: 'runs while Redis is down', timeoutMs: 60_000 });
      expect(during.failures).toBe(0);
      expect(server.output()).not.toContain('iteration failed');
    } finally {
      await server.stop();
      await worker.kill();
      await redis.cleanup();
      data.cleanup();
    }
  }, 240_000);
});
