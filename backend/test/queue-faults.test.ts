/**
 * The run queue when Redis goes away: a real redis-server stopped under a QueueRunner (its runs in flight and the
 * next ones go to the fallback, or fail as the runner's fault with RUNNER_FALLBACK=none), (queue-server.test.ts: a real server's).
 * No time is asserted.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmbeddedRunner } from '../src/runner/embedded.js';
import { QueueRunner } from '../src/runner/queue/queue-runner.js';
import { RunnerFault } from '../src/runner/runner.js';
import type { ChildRunOptions } from '../src/watcher/child-process.js';
import { FIXTURE_ORGANISMS, tempDir, waitFor } from './helpers/fixtures.js';
import { completedJobs, startRedis, type RedisProcess } from './helpers/redis-server.js';
import { startWorker, type WorkerProcess } from './helpers/worker-process.js';

function sleeper(dir: string, ms: number): string {
  const file = path.join(dir, `sleep-${ms}.js`);
  writeFileSync(file, `let s = ''; process.stdin.on('data', (c) => (s += c)); process.stdin.on('end', () => setTimeout(() => console.log(JSON.stringify(JSON.parse(s).n * 2)), ${ms}));\n`);
  return file;
}

function runOf(file: string, n: number): ChildRunOptions {
  return { file, cwd: path.dirname(file), stdin: JSON.stringify({ n }), timeLimitMs: 30_000, maxOldSpaceMb: 32, outputCapBytes: 65536, outputKillBytes: 4 << 20, killGraceMs: 500, organism: 'good' };
}

describe('Redis stops under the QueueRunner', () => {
  let redis: RedisProcess;
  let worker: WorkerProcess;
  const dir = tempDir('ouroboros-queue-faults-');
  const runners: QueueRunner[] = [];
  const runner = (fallback: 'embedded' | 'none') => {
    const r = new QueueRunner({ redisUrl: redis.url, organismsDir: FIXTURE_ORGANISMS, local: new EmbeddedRunner({ spawners: 1 }), fallback, watchIntervalMs: 250 });
    runners.push(r);
    return r;
  };
  const seesWorker = async (r: QueueRunner) => {
    await r.warm();
    await waitFor(() => r.health().queue!, (q) => q.redis.reachable && q.workers.length === 1, { what: 'Redis and the worker', timeoutMs: 60_000 });
  };

  beforeAll(async () => {
    redis = await startRedis();
    worker = await startWorker({ REDIS_URL: redis.url, ORGANISMS_DIR: FIXTURE_ORGANISMS, WORKER_CONCURRENCY: '2', WORKER_LOCK_MS: '2000' });
  }, 120_000);

  afterAll(async () => {
    await Promise.all(runners.map((r) => r.close()));
    await worker?.kill();
    await redis?.cleanup();
    dir.cleanup();
  });

  it('RUNNER_FALLBACK=embedded: the run in flight and the next ones run here, and the queue takes over again when Redis is back', async () => {
    const r = runner('embedded');
    await seesWorker(r);
    const slow = sleeper(dir.dir, 3000);
    const inFlight = r.run(runOf(slow, 5));
    await waitFor(() => r.health().queue!.pending, (n) => n === 1, { what: 'the job to be queued' });
    await redis.stop();
    // Answered by this machine's runner: the worker's answer cannot reach the server without Redis.
    expect((await inFlight).stdout).toBe('10\n');
    await waitFor(() => r.health().queue!, (q) => !q.redis.reachable && q.fallingBack, { what: '/health to say Redis is gone' });
    expect((await r.run(runOf(path.join(FIXTURE_ORGANISMS, 'good', 'genome.js'), 8))).stdout).toBe('doubling 8\n16\n');
    await redis.restart();
    await waitFor(() => r.health().queue!, (q) => q.redis.reachable && q.workers.length === 1 && !q.fallingBack, { what: 'Redis and the worker back', timeoutMs: 60_000 });
    expect((await r.run(runOf(path.join(FIXTURE_ORGANISMS, 'good', 'genome.js'), 9))).stdout).toBe('doubling 9\n18\n');
    // That one went through the queue of the new, empty Redis.
    expect(await completedJobs(redis)).toBe(1);
  }, 180_000);

  it('RUNNER_FALLBACK=none: runs fail as the runner fault, saying why', async () => {
    const r = runner('none');
    await seesWorker(r);
    await redis.stop();
    await waitFor(() => r.health().queue!.redis.reachable, (ok) => !ok, { what: 'Redis to be seen gone' });
    const fault = await r.run(runOf(path.join(FIXTURE_ORGANISMS, 'good', 'genome.js'), 1)).catch((e: unknown) => e);
    expect(fault).toBeInstanceOf(RunnerFault);
    expect((fault as Error).message).toMatch(/Redis on redis:\/\/127\.0\.0\.1:\d+ is unreachable .*RUNNER_FALLBACK=none/);
    await redis.restart();
  }, 120_000);
});
