/**
 * The run queue (RUNNER=bullmq): a real redis-server, real worker processes (src/worker.ts, as `pnpm worker` starts
 * them) in this machine's sandbox, and the QueueRunner the server would use. Nothing here asserts a time; every wait
 * polls for a condition under a generous deadline.
 */
import { cpSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Job, Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmbeddedRunner } from '../src/runner/embedded.js';
import { RUN_QUEUE } from '../src/runner/queue/keys.js';
import { organismDigest } from '../src/runner/queue/organism-digest.js';
import { QueueRunner } from '../src/runner/queue/queue-runner.js';
import { RunnerFault } from '../src/runner/runner.js';
import type { ChildRunOptions } from '../src/watcher/child-process.js';
import { FIXTURE_ORGANISMS, tempDir, waitFor } from './helpers/fixtures.js';
import { startRedis, type RedisProcess } from './helpers/redis-server.js';
import { startWorker, type WorkerProcess } from './helpers/worker-process.js';

const GOOD = path.join(FIXTURE_ORGANISMS, 'good', 'genome.js');

/** A genome that answers after `ms` (sleeping, so that a loaded machine still kills it mid-run). */
function sleeper(dir: string, ms: number): string {
  const file = path.join(dir, `sleep-${ms}.js`);
  writeFileSync(
    file,
    `let s = ''; process.stdin.on('data', (c) => (s += c)); process.stdin.on('end', () => setTimeout(() => console.log(JSON.stringify(JSON.parse(s).n * 2)), ${ms}));\n`,
  );
  return file;
}

function runOf(file: string, n: number, over: Partial<ChildRunOptions> = {}): ChildRunOptions {
  return {
    file,
    cwd: path.dirname(file),
    stdin: JSON.stringify({ n }),
    // Generous: on a loaded machine a run's start alone can take seconds.
    timeLimitMs: 30_000,
    maxOldSpaceMb: 32,
    outputCapBytes: 64 * 1024,
    outputKillBytes: 64 * 64 * 1024,
    killGraceMs: 500,
    organism: 'good',
    ...over,
  };
}

function workerEnv(redis: RedisProcess, organismsDir = FIXTURE_ORGANISMS): Record<string, string> {
  return { REDIS_URL: redis.url, ORGANISMS_DIR: organismsDir, WORKER_CONCURRENCY: '2', WORKER_LOCK_MS: '2000' };
}

/** The runner with no fallback: a run that did not go through the queue fails instead of passing unnoticed. */
function queueRunner(redis: RedisProcess, fallback: 'embedded' | 'none' = 'none'): QueueRunner {
  return new QueueRunner({ redisUrl: redis.url, organismsDir: FIXTURE_ORGANISMS, local: new EmbeddedRunner({ spawners: 1 }), fallback, watchIntervalMs: 250 });
}

async function seesWorkers(runner: QueueRunner, count: number): Promise<void> {
  await runner.warm();
  await waitFor(() => runner.health().queue!.workers.length, (n) => n >= count, { what: `${count} workers beating`, timeoutMs: 30_000 });
}

describe('the run queue, two workers', () => {
  let redis: RedisProcess;
  let workers: WorkerProcess[] = [];
  let runner: QueueRunner;
  let queue: Queue;
  const dir = tempDir('ouroboros-queue-');

  beforeAll(async () => {
    redis = await startRedis();
    workers = await Promise.all([startWorker(workerEnv(redis)), startWorker(workerEnv(redis))]);
    runner = queueRunner(redis);
    queue = new Queue(RUN_QUEUE, { connection: { host: '127.0.0.1', port: redis.port } });
    await seesWorkers(runner, 2);
  }, 180_000);

  afterAll(async () => {
    await runner?.close();
    await queue?.close();
    await Promise.all(workers.map((w) => w.kill()));
    await redis?.cleanup();
    dir.cleanup();
  });

  it('runs organisms on the workers and returns their outcomes', async () => {
    const outcomes = await Promise.all([1, 2, 3, 4, 5, 6].map((n) => runner.run(runOf(GOOD, n))));
    expect(outcomes.map((o) => o.stdout)).toEqual([1, 2, 3, 4, 5, 6].map((n) => `doubling ${n}\n${n * 2}\n`));
    for (const o of outcomes) expect(o).toMatchObject({ exitCode: 0, signal: null, timedOut: false, pid: null });
    // Each run was a job that a worker completed (and signed).
    const done = await queue.getCompleted();
    const byWorker = new Set(done.map((j) => (j.returnvalue as { worker: { id: string } }).worker.id));
    expect(done.length).toBeGreaterThanOrEqual(6);
    for (const id of byWorker) expect(workers.map((w) => w.id)).toContain(id);
    expect(runner.health()).toMatchObject({ kind: 'bullmq', queue: { redis: { reachable: true }, fallingBack: false, pending: 0 } });
  }, 120_000);

  it("a genome's failure is its outcome, not the runner's fault", async () => {
    const crash = path.join(FIXTURE_ORGANISMS, 'crash', 'genome.js');
    const o = await runner.run(runOf(crash, 3, { organism: 'crash' }));
    expect(o.exitCode).not.toBe(0);
    expect(o.stderr).not.toBe('');
  }, 60_000);

  it('an aborted run is killed by the worker that runs it, and its caller is answered', async () => {
    const slow = sleeper(dir.dir, 20_000);
    const abort = new AbortController();
    const run = runner.run(runOf(slow, 7, { signal: abort.signal }));
    const active = await waitFor(() => queue.getActive(), (jobs) => jobs.length === 1, { what: 'the job to be taken', timeoutMs: 60_000 });
    abort.abort();
    const o = await run;
    expect(o).toMatchObject({ exitCode: null, signal: 'SIGKILL', stdout: '' });
    // The worker killed it: the job completed with the killed run's outcome, long before the genome would have answered.
    const job = await waitFor(() => Job.fromId(queue, active[0]!.id!), (j) => j?.finishedOn !== undefined, { what: 'the job to finish', timeoutMs: 30_000 });
    expect((job!.returnvalue as { outcome: { signal: string } }).outcome.signal).toBe('SIGKILL');
  }, 120_000);

  it('a worker SIGKILLed mid-run: the job runs again on the other worker, and settles once', async () => {
    const slow = sleeper(dir.dir, 4000);
    const run = runner.run(runOf(slow, 21));
    const [job] = await waitFor(() => queue.getActive(), (jobs) => jobs.length === 1 && jobs[0]!.processedBy !== undefined, { what: 'the job to be taken', timeoutMs: 60_000 });
    const victim = workers.find((w) => w.id === job!.processedBy)!;
    const survivor = workers.find((w) => w !== victim)!;
    expect(victim).toBeDefined();
    await victim.kill();
    const o = await run;
    expect(o).toMatchObject({ exitCode: 0, stdout: '42\n' });
    const finished = await Job.fromId(queue, job!.id!);
    expect(finished!.stalledCounter).toBe(1);
    expect((finished!.returnvalue as { worker: { id: string } }).worker.id).toBe(survivor.id);
    // One result: the job completed once and nothing failed.
    expect(await queue.getFailedCount()).toBe(0);
    workers = workers.filter((w) => w !== victim);
  }, 180_000);
});

describe('a worker with another version of the organism', () => {
  it('refuses the job, and the server gets a runner fault naming the organism and both digests', async () => {
    const redis = await startRedis();
    const dir = tempDir('ouroboros-queue-version-');
    const theirs = path.join(dir.dir, 'organisms');
    cpSync(FIXTURE_ORGANISMS, theirs, { recursive: true });
    writeFileSync(path.join(theirs, 'good', 'manifest.json'), JSON.stringify({ name: 'good', description: 'Doubles, differently.', genome: 'genome.js', harness: '../_shared/harness.mjs', timeLimitMs: 1500, slowMs: 1000 }));
    const worker = await startWorker(workerEnv(redis, theirs));
    const runner = queueRunner(redis);
    try {
      await seesWorkers(runner, 1);
      const fault = await runner.run(runOf(GOOD, 4)).catch((e: unknown) => e);
      expect(fault).toBeInstanceOf(RunnerFault);
      const message = (fault as Error).message;
      expect(message).toContain('organism "good"');
      expect(message).toContain(await organismDigest(FIXTURE_ORGANISMS, 'good'));
      expect(message).toContain(await organismDigest(theirs, 'good'));
      // An organism the folders agree on still runs there.
      expect((await runner.run(runOf(path.join(theirs, 'slow', 'genome.js'), 5, { organism: 'slow' }))).stdout).toBe('10\n');
    } finally {
      await runner.close();
      await worker.kill();
      await redis.cleanup();
      dir.cleanup();
    }
  }, 180_000);
});
