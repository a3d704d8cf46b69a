import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { Job, Queue, QueueEvents } from 'bullmq';
import type { ChildOutcome, ChildRunOptions } from '../../watcher/child-process.js';
import { RunnerFault, type Runner, type RunnerHealth } from '../runner.js';
import { abortedOutcome, buildRunJob, outcomeOfReply, runsOnlyHere, type RunJob } from './job.js';
import { CANCEL_CHANNEL, RUN_QUEUE } from './keys.js';
import { organismDigest } from './organism-digest.js';
import { bounded } from './bounded.js';
import { RedisWatch } from './redis-watch.js';
import { redactRedisUrl, redisOptions } from './redis-url.js';

export interface QueueRunnerOptions {
  redisUrl: string;
  /** The server's organisms folder: each job carries the digest of its organism's trusted files (organism-digest.ts). */
  organismsDir: string;
  /**
   * This machine's runner: for the runs that name its files (runsOnlyHere), and, with fallback 'embedded', for every
   * run while Redis or every worker is unreachable.
   */
  local: Runner;
  fallback: 'embedded' | 'none';
  queueName?: string;
  /** How long a run may wait for a worker to take it before it fails as the runner's fault (default 60 s). */
  startWaitMs?: number;
  /** Between two checks of Redis and of the workers' heartbeats (default 1 s). */
  watchIntervalMs?: number;
}

/** Past a run's own limits, how long its result may take to come back before the run fails as the runner's fault. */
const RESULT_MARGIN_MS = 30_000;
/** An aborted run that a worker is asked to kill: how long its real outcome is awaited before the caller is answered. */
const ABORT_GRACE_MS = 3000;
/** Adding a job to Redis; longer, and the run goes where it would have gone with Redis unreachable. */
const ADD_TIMEOUT_MS = 3000;

interface Pending {
  opts: ChildRunOptions;
  startedAt: number;
  settled: boolean;
  resolve(o: ChildOutcome): void;
  reject(err: Error): void;
  cleanup(): void;
}

/**
 * Runs organisms on BullMQ workers (src/runner/queue/run-worker.ts, `pnpm worker`) on any machine that has the
 * organisms folder: each run is a job that carries the genome's source, its input and its limits; a worker runs it in
 * its own machine's sandbox and returns the outcome, which this server judges and stores. Each run settles exactly
 * once: a worker killed mid-run has its job taken by another (BullMQ's stalled-job check), and whatever else comes
 * back for it later is ignored. While Redis, or every worker, is unreachable, runs go to the fallback (this machine)
 * or fail as the runner's fault, never as the genome's.
 */
export class QueueRunner implements Runner {
  private readonly queue: Queue;
  private readonly events: QueueEvents;
  private readonly watch: RedisWatch;
  private readonly pending = new Map<string, Pending>();
  private readonly digests = new Map<string, Promise<string>>();
  private readonly startWaitMs: number;
  private readonly where: string;
  private closed = false;
  private started: Promise<void> | null = null;

  constructor(private readonly o: QueueRunnerOptions) {
    const queueName = o.queueName ?? RUN_QUEUE;
    this.startWaitMs = o.startWaitMs ?? 60_000;
    this.where = redactRedisUrl(o.redisUrl);
    // BullMQ's default backoff between reconnections grows to 20 s; a steady second sees Redis come back promptly.
    const connection = { ...redisOptions(o.redisUrl), retryStrategy: () => 1000 };
    this.queue = new Queue(queueName, {
      connection,
      defaultJobOptions: {
        // A worker's failure is not retried (it is the same on the next try); a worker's death is (maxStalledCount).
        attempts: 1,
        // Kept a little, so that a result whose event was missed can still be read (settleFromStore).
        removeOnComplete: { age: 300, count: 1000 },
        removeOnFail: { age: 3600, count: 1000 },
      },
    });
    this.events = new QueueEvents(queueName, { connection });
    // Connection errors arrive here while Redis is down; the watch tells the runs.
    this.queue.on('error', () => {});
    this.events.on('error', () => {});
    this.events.on('completed', ({ jobId, returnvalue }) => this.completed(jobId, returnvalue));
    this.events.on('failed', ({ jobId, failedReason }) => this.failed(jobId, failedReason));
    this.watch = new RedisWatch(o.redisUrl, o.watchIntervalMs !== undefined ? { intervalMs: o.watchIntervalMs } : {});
    this.watch.on('change', (reachable: boolean) => (reachable ? this.reconnected() : this.lost()));
  }

  /** Checks Redis and the workers once, and readies the local runner: the first run knows where to go. */
  warm(): Promise<void> {
    this.started ??= Promise.all([this.watch.start(), this.o.local.warm?.()]).then(() => {});
    return this.started;
  }

  /** Whether runs go to the queue now: Redis answers and some worker beats on it. */
  get available(): boolean {
    return this.watch.reachable && this.watch.workersSeen;
  }

  async run(opts: ChildRunOptions): Promise<ChildOutcome> {
    if (this.closed) throw new RunnerFault('the runner is closed');
    await this.warm();
    if (runsOnlyHere(opts)) return this.o.local.run(opts);
    if (!this.available) return this.fallback(opts, this.unavailableWhy());
    if (opts.signal?.aborted) return abortedOutcome(0);
    const job = buildRunJob(opts, await readFile(opts.file, 'utf8'), opts.organism ? { name: opts.organism, digest: await this.digest(opts.organism) } : null);
    const id = randomUUID();
    return new Promise<ChildOutcome>((resolve, reject) => {
      const p: Pending = {
        opts,
        startedAt: performance.now(),
        settled: false,
        resolve,
        reject,
        cleanup: () => {},
      };
      this.pending.set(id, p);
      const abort = () => void this.abort(id);
      const deadlineMs = this.startWaitMs + 2 * (opts.timeLimitMs + 2 * opts.killGraceMs) + RESULT_MARGIN_MS;
      const deadline = setTimeout(() => void this.overdue(id, deadlineMs), deadlineMs);
      p.cleanup = () => {
        clearTimeout(deadline);
        opts.signal?.removeEventListener('abort', abort);
      };
      opts.signal?.addEventListener('abort', abort, { once: true });
      void this.add(id, job);
    });
  }

  health(): RunnerHealth {
    const w = this.watch;
    return {
      kind: 'bullmq',
      ...(this.o.local.health?.().spawners ? { spawners: this.o.local.health!().spawners! } : {}),
      queue: {
        redis: { url: this.where, reachable: w.reachable, error: w.error, checkedAt: w.checkedAt?.toISOString() ?? null },
        workers: w.workers.map((b) => ({ id: b.id, host: b.host, concurrency: b.concurrency, active: b.active })),
        fallback: this.o.fallback,
        fallingBack: !this.available,
        pending: this.pending.size,
      },
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const id of [...this.pending.keys()]) this.settle(id, { fault: 'the runner is closing' });
    await Promise.allSettled([this.watch.close(), this.events.close(), this.queue.close(), this.o.local.close()]);
  }

  private async add(id: string, job: RunJob): Promise<void> {
    try {
      await bounded(this.queue.add('run', job, { jobId: id }), ADD_TIMEOUT_MS);
    } catch (err) {
      const p = this.pending.get(id);
      if (!p || p.settled) return;
      // Not on the queue (or not known to be): the run goes where it would have gone with Redis down.
      this.divert(id, `the job could not be added to the queue on ${this.where}: ${(err as Error).message}`);
    }
  }

  private digest(name: string): Promise<string> {
    let d = this.digests.get(name);
    if (!d) {
      // Once per organism: the server imported its harness once, at start.
      d = organismDigest(this.o.organismsDir, name);
      this.digests.set(name, d);
      d.catch(() => this.digests.delete(name));
    }
    return d;
  }

  private completed(id: string, returnvalue: unknown): void {
    if (!this.pending.has(id)) return;
    try {
      this.settle(id, { outcome: outcomeOfReply(returnvalue).outcome });
    } catch (err) {
      this.settle(id, { fault: `a worker returned a result this server cannot read (${(err as Error).message}): run the same Ouroboros version on the server and its workers` });
    }
  }

  private failed(id: string, reason: string): void {
    const p = this.pending.get(id);
    if (!p) return;
    // A job aborted while it waited is removed, and BullMQ may report that as a failure: the caller has its answer.
    if (p.opts.signal?.aborted) return this.settle(id, { outcome: abortedOutcome(performance.now() - p.startedAt) });
    this.settle(id, { fault: `a worker could not carry out the run: ${reason}` });
  }

  /** The caller no longer wants the run: removed if no worker took it yet, else killed by the worker that runs it. */
  private async abort(id: string): Promise<void> {
    const p = this.pending.get(id);
    if (!p || p.settled) return;
    const removed = await this.queue
      .remove(id)
      .then((n) => n === 1)
      .catch(() => false);
    if (removed) return this.settle(id, { outcome: abortedOutcome(performance.now() - p.startedAt) });
    await this.watch.publish(CANCEL_CHANNEL, id);
    // The worker's outcome of the killed run normally arrives within the grace; the caller is answered either way.
    const t = setTimeout(() => this.settle(id, { outcome: abortedOutcome(performance.now() - p.startedAt) }), p.opts.killGraceMs + ABORT_GRACE_MS);
    t.unref();
  }

  /** No result within the run's deadline: read it from Redis in case its event was missed, else give up on it. */
  private async overdue(id: string, deadlineMs: number): Promise<void> {
    if (await this.settleFromStore(id)) return;
    await this.queue.remove(id).catch(() => 0);
    await this.watch.publish(CANCEL_CHANNEL, id);
    this.settle(id, { fault: `no worker reported the run within ${Math.round(deadlineMs / 1000)} s (workers seen: ${this.watch.workers.length}; Redis on ${this.where} ${this.watch.reachable ? 'reachable' : 'unreachable'})` });
  }

  /** Settles a run from its job's state in Redis, when it is finished there. */
  private async settleFromStore(id: string): Promise<boolean> {
    try {
      const job = await bounded(Job.fromId(this.queue, id), ADD_TIMEOUT_MS);
      if (!job) return false;
      const state = await bounded(job.getState(), ADD_TIMEOUT_MS);
      if (state === 'completed') this.completed(id, job.returnvalue);
      else if (state === 'failed') this.failed(id, job.failedReason);
      else return false;
      return true;
    } catch {
      return false;
    }
  }

  /** Redis is back: results that finished while it was away would have been missed by nobody (runs were diverted). */
  private reconnected(): void {
    for (const id of this.pending.keys()) void this.settleFromStore(id);
  }

  /** Redis is unreachable: the runs waiting on it go to the fallback now, rather than wait for a Redis that may not return. */
  private lost(): void {
    for (const id of [...this.pending.keys()]) this.divert(id, `Redis on ${this.where} became unreachable during the run (${this.watch.error})`);
  }

  private divert(id: string, why: string): void {
    const p = this.pending.get(id);
    if (!p || p.settled) return;
    this.pending.delete(id);
    p.settled = true;
    p.cleanup();
    this.fallback(p.opts, why).then(p.resolve, p.reject);
  }

  private fallback(opts: ChildRunOptions, why: string): Promise<ChildOutcome> {
    if (this.o.fallback === 'none') return Promise.reject(new RunnerFault(`${why}; RUNNER_FALLBACK=none, so the run is not carried out`));
    return this.o.local.run(opts);
  }

  private unavailableWhy(): string {
    if (!this.watch.reachable) return `Redis on ${this.where} is unreachable (${this.watch.error})`;
    return `no worker has beaten on the queue at ${this.where} lately (start one with \`pnpm worker\`)`;
  }

  private settle(id: string, r: { outcome: ChildOutcome } | { fault: string }): void {
    const p = this.pending.get(id);
    if (!p || p.settled) return;
    this.pending.delete(id);
    p.settled = true;
    p.cleanup();
    if ('outcome' in r) p.resolve(r.outcome);
    else p.reject(new RunnerFault(r.fault));
  }
}
