/**
 * The run queue (RUNNER=bullmq): what a run costs through Redis and a worker process against the embedded runner, and
 * how trial throughput grows from one worker process to two, measured in the same run.
 */
import path from 'node:path';
import { createRng } from '../src/lib/rng.js';
import { loadOrganism, type Organism } from '../src/organism/manifest.js';
import { EmbeddedRunner } from '../src/runner/embedded.js';
import { QueueRunner } from '../src/runner/queue/queue-runner.js';
import type { Runner } from '../src/runner/runner.js';
import type { ChildRunOptions } from '../src/watcher/child-process.js';
import { waitFor } from '../test/helpers/fixtures.js';
import { startRedis, type RedisProcess } from '../test/helpers/redis-server.js';
import { startWorker, type WorkerProcess } from '../test/helpers/worker-process.js';
import type { BenchOptions, Figure, Section } from './model.js';
import { FIXTURE_ORGANISMS, REAL_ORGANISMS } from './proc.js';
import { interleaved, ratio, since, summarize } from './stats.js';

export interface QueueBenchOptions extends BenchOptions {
  /** Sequential runs of each runner for the per-run overhead. */
  reps?: number;
  /** Trials (runs of bubble-sort on seeded inputs) per throughput measurement. */
  trials?: number;
}

/** How the queue extends to k machines, and what bounds it: rendered with every run of this benchmark. */
const K_MACHINES = "With RUNNER=bullmq the runs leave the server's machine; what stays on it per run is one job added to Redis, one completion event read back, the oracle's judgement and one run record written to SQLite. Throughput over k worker machines is therefore min(k × r, Q, S): r the runs/s one machine sustains (its cores; the trials row gives the step from one worker process to two), Q what Redis takes (each run is about five round trips, BullMQ's add, take, lock renewals and finish scripts plus the completion event, each a few kilobytes with the genome's source and the capped output: tens of thousands of jobs/s on one Redis core, and the network before that with large outputs), and S what the one server judges and records (one oracle call and one synchronous SQLite commit per run on its event loop, with the organisms' loops, verification and evolution sharing it). Past a handful of machines S binds first: more workers then add nothing until the store's writes are batched or the organisms are split over several servers, each with its own DATA_DIR and queue.";

function runOf(organism: Organism, stdin: string): ChildRunOptions {
  const file = path.join(organism.dir, organism.manifest.genome);
  return {
    file,
    cwd: organism.dir,
    stdin,
    // Limits a loaded machine cannot reach: this measures the path, not verdicts.
    timeLimitMs: 60_000,
    maxOldSpaceMb: organism.manifest.maxOldSpaceMb,
    outputCapBytes: 64 * 1024,
    outputKillBytes: 64 * 64 * 1024,
    killGraceMs: 500,
    organism: organism.name,
  };
}

/** Workers without the sandbox, as the embedded runner here runs without it: the comparison is of the paths alone. */
function workers(redis: RedisProcess, organismsDir: string, count: number): Promise<WorkerProcess[]> {
  const env = { REDIS_URL: redis.url, ORGANISMS_DIR: organismsDir, WORKER_CONCURRENCY: '1', SANDBOX: 'off' };
  return Promise.all(Array.from({ length: count }, () => startWorker(env)));
}

async function queueOn(redis: RedisProcess, organismsDir: string, count: number): Promise<QueueRunner> {
  const runner = new QueueRunner({ redisUrl: redis.url, organismsDir, local: new EmbeddedRunner({ spawners: 1 }), fallback: 'none', watchIntervalMs: 250 });
  await runner.warm();
  await waitFor(() => runner.health().queue!.workers.length, (n) => n === count, { what: `${count} workers`, timeoutMs: 60_000 });
  return runner;
}

/** Trials per second: `trials` runs, all submitted at once, from the first start to the last outcome. */
async function throughput(runner: Runner, organism: Organism, inputs: string[]): Promise<number> {
  const t0 = performance.now();
  const outcomes = await Promise.all(inputs.map((stdin) => runner.run(runOf(organism, stdin))));
  const elapsed = since(t0);
  const bad = outcomes.filter((o) => o.exitCode !== 0).length;
  if (bad > 0) throw new Error(`${bad} of ${inputs.length} trials failed: the throughput would measure failures`);
  return inputs.length / (elapsed / 1000);
}

export async function benchQueue(opts: QueueBenchOptions = {}): Promise<Section[]> {
  const started = performance.now();
  const log = opts.log ?? (() => {});
  const tiny = opts.tiny ?? false;
  const reps = opts.reps ?? (tiny ? 3 : 40);
  const trials = opts.trials ?? (tiny ? 4 : 40);
  const redis = await startRedis();
  const running: WorkerProcess[] = [];
  const runners: Runner[] = [];
  try {
    // Per run: one worker against the embedded runner, interleaved.
    const good = await loadOrganism(FIXTURE_ORGANISMS, 'good');
    running.push(...(await workers(redis, FIXTURE_ORGANISMS, 1)));
    const queued = await queueOn(redis, FIXTURE_ORGANISMS, 1);
    const embedded = new EmbeddedRunner({ spawners: 1 });
    runners.push(queued, embedded);
    const once = async (r: Runner) => {
      const t0 = performance.now();
      await r.run(runOf(good, JSON.stringify({ n: 21 })));
      return since(t0);
    };
    await once(queued); // the worker's spawner and tsx's cache: a start, not a run's cost
    await once(embedded);
    const perRun = await interleaved(reps, { queue: () => once(queued), embedded: () => once(embedded) });
    const q = summarize(perRun.queue);
    const e = summarize(perRun.embedded);
    log(`  one run: ${q.median.toFixed(1)} ms through the queue, ${e.median.toFixed(1)} ms embedded (medians)`);

    // Trials: bubble-sort on seeded inputs, with one worker process, then two.
    const bubble = await loadOrganism(REAL_ORGANISMS, 'bubble-sort');
    const rng = createRng(7);
    const inputs = Array.from({ length: trials }, () => JSON.stringify(bubble.harness.generateInput(rng, bubble.manifest.input)));
    await queued.close();
    for (const w of running.splice(0)) await w.stop();
    running.push(...(await workers(redis, REAL_ORGANISMS, 1)));
    const one = await queueOn(redis, REAL_ORGANISMS, 1);
    runners.push(one);
    const onePerS = await throughput(one, bubble, inputs);
    running.push(...(await workers(redis, REAL_ORGANISMS, 1)));
    await waitFor(() => one.health().queue!.workers.length, (n) => n === 2, { what: '2 workers', timeoutMs: 60_000 });
    const twoPerS = await throughput(one, bubble, inputs);
    const embeddedPerS = await throughput(embedded, bubble, inputs);
    log(`  trials: ${onePerS.toFixed(1)}/s with one worker, ${twoPerS.toFixed(1)}/s with two, ${embeddedPerS.toFixed(1)}/s embedded`);
    const load = (await import('node:os')).loadavg()[0]!;
    const figures: Figure[] = [
      {
        id: 'queue.run',
        label: 'One run as its caller sees it, through the queue (one local worker)',
        unit: 'ms',
        value: q,
        baseline: { label: 'embedded runner', value: e },
        ratio: { median: ratio(q.median, e.median), p95: ratio(q.p95, e.p95) },
        note: 'the fixture organism `good`, without the sandbox on either side: Redis, the worker and its spawner, against one spawner',
      },
      {
        id: 'queue.trials.2',
        label: '**Trials/s with two worker processes**',
        unit: 'trials/s',
        value: twoPerS,
        baseline: { label: 'one worker process', value: onePerS },
        ratio: { value: ratio(twoPerS, onePerS) },
        note: `${trials} runs of bubble-sort on seeded inputs submitted at once, WORKER_CONCURRENCY=1 each, both workers on this machine (its cores bound the gain); embedded runner: ${embeddedPerS.toFixed(1)} trials/s; load average ${load.toFixed(2)}`,
      },
    ];
    return [
      {
        id: 'queue',
        title: 'Run queue: the BullMQ runner against the embedded one',
        params: { 'runs per runner': reps, trials, 'Redis': 'redis-server on loopback' },
        method: [
          `A redis-server on loopback (nothing saved) and worker processes (\`src/worker.ts\` through tsx, SANDBOX=off, WORKER_CONCURRENCY=1) on this machine; the QueueRunner the server uses with RUNNER=bullmq, from the benchmark's process.`,
          `One run: the fixture organism \`good\` run ${reps} times through the queue with one worker and through an EmbeddedRunner (one spawner), interleaved, timed from the call to the outcome.`,
          `Trials: ${trials} runs of bubble-sort's genome 0 on inputs from its harness (seed 7), submitted at once, timed to the last outcome, with one worker process and then two.`,
        ],
        figures,
        notes: [K_MACHINES],
        elapsedS: since(started) / 1000,
      },
    ];
  } finally {
    await Promise.allSettled(runners.map((r) => r.close()));
    await Promise.allSettled(running.map((w) => w.kill()));
    await redis.cleanup();
  }
}
