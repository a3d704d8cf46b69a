import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { UnrecoverableError, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import type { Sandbox } from '../../sandbox/types.js';
import { EmbeddedRunner } from '../embedded.js';
import type { Runner } from '../runner.js';
import { BEAT_MS, BEAT_TTL_S, type WorkerBeat } from './beat.js';
import { parseRunJob, runOptionsOf, versionMismatch, type RunReply } from './job.js';
import { CANCEL_CHANNEL, RUN_QUEUE, WORKER_KEY_PREFIX } from './keys.js';
import { organismDigest, OrganismMissing } from './organism-digest.js';
import { redactRedisUrl, redisOptions } from './redis-url.js';

export interface RunWorkerOptions {
  redisUrl: string;
  /** This machine's organisms folder: a job's organism must hash the same here as on the server. */
  organismsDir: string;
  concurrency: number;
  /** This machine's sandbox (detectSandbox, with workDir as its DATA_DIR). */
  sandbox: Sandbox | null;
  /** A private directory for the jobs' source files (searchable by the sandbox's uid, written only by the worker). */
  workDir: string;
  /** A job whose lock is not renewed for this long is taken by another worker; the stalled check runs as often. */
  lockMs: number;
  queueName?: string;
  /** CPU niceness of the runs (this machine's ORGANISM_NICE): the worker's own loop above its organisms. */
  nice?: number;
  /** Runs the jobs (default: a spawner process of this machine). */
  runner?: Runner;
  log?: (level: 'info' | 'warn' | 'error', msg: string) => void;
}

/**
 * A worker of the run queue (`pnpm worker`): takes run jobs from Redis, checks that its organisms folder holds the
 * same organism as the server's, writes the genome's source to a private file, runs it in this machine's sandbox
 * through a spawner process, and returns the outcome. It keeps nothing: a worker that dies mid-run has its job run
 * again by another once its lock expires.
 */
export class RunWorker {
  readonly id: string;
  readonly host = os.hostname();
  private readonly worker: Worker;
  private readonly control: Redis;
  private readonly cancels: Redis;
  private readonly runner: Runner;
  private readonly runDir: string;
  private readonly log: NonNullable<RunWorkerOptions['log']>;
  private beatTimer: NodeJS.Timeout | null = null;
  private active = 0;

  constructor(private readonly o: RunWorkerOptions) {
    this.id = `${this.host}:${process.pid}:${randomBytes(3).toString('hex')}`;
    this.log = o.log ?? (() => {});
    this.runner = o.runner ?? new EmbeddedRunner({ spawners: 1 });
    this.runDir = path.join(o.workDir, 'run');
    mkdirSync(this.runDir, { recursive: true });
    // Genomes are CommonJS scripts, as under the server's DATA_DIR; the sandbox's uid may enter, not list.
    writeFileSync(path.join(o.workDir, 'package.json'), '{ "type": "commonjs" }\n');
    for (const d of [o.workDir, this.runDir]) chmodSync(d, 0o711);
    const connection = { ...redisOptions(o.redisUrl), retryStrategy: () => 1000 };
    this.worker = new Worker(o.queueName ?? RUN_QUEUE, (job, _token, signal) => this.process(job, signal), {
      connection,
      concurrency: o.concurrency,
      lockDuration: o.lockMs,
      stalledInterval: o.lockMs,
      maxStalledCount: 1,
      name: this.id,
    });
    this.worker.on('error', (err) => this.log('warn', `queue: ${err.message}`));
    this.control = new Redis({ ...connection, maxRetriesPerRequest: 1 });
    this.control.on('error', () => {});
    this.cancels = new Redis({ ...connection, maxRetriesPerRequest: null });
    this.cancels.on('error', () => {});
    this.cancels.on('message', (_channel: string, jobId: string) => {
      if (this.worker.cancelJob(jobId, 'the server no longer wants this run')) this.log('info', `job ${jobId}: cancelled by the server`);
    });
  }

  /** Connects, subscribes to cancellations and starts beating; resolves when jobs can be taken. */
  async start(): Promise<void> {
    await this.worker.waitUntilReady();
    await this.cancels.subscribe(CANCEL_CHANNEL);
    await this.runner.warm?.();
    await this.beat();
    this.beatTimer = setInterval(() => void this.beat(), BEAT_MS);
    this.log('info', `worker ${this.id} takes runs from ${redactRedisUrl(this.o.redisUrl)} (concurrency ${this.o.concurrency}, organisms in ${this.o.organismsDir})`);
  }

  /**
   * Takes no new job, lets the active ones finish within `graceMs`, then stops; a job still running then is handed
   * back (its lock lapses and another worker runs it).
   */
  async close(graceMs = 30_000): Promise<void> {
    if (this.beatTimer) clearInterval(this.beatTimer);
    this.beatTimer = null;
    let timer: NodeJS.Timeout | undefined;
    const graceful = this.worker.close();
    const forced = new Promise<void>((resolve) => {
      timer = setTimeout(() => void this.worker.close(true).then(resolve, resolve), graceMs);
    });
    await Promise.race([graceful, forced]);
    clearTimeout(timer);
    await this.control.del(`${WORKER_KEY_PREFIX}${this.id}`).catch(() => 0);
    this.control.disconnect();
    this.cancels.disconnect();
    await this.runner.close();
  }

  private async beat(): Promise<void> {
    const beat: WorkerBeat = { id: this.id, host: this.host, concurrency: this.o.concurrency, active: this.active };
    await this.control.set(`${WORKER_KEY_PREFIX}${this.id}`, JSON.stringify(beat), 'EX', BEAT_TTL_S).catch(() => {});
  }

  private async process(job: Job, signal?: AbortSignal): Promise<RunReply> {
    let data;
    try {
      data = parseRunJob(job.data);
    } catch (err) {
      throw new UnrecoverableError(`worker ${this.id}: ${(err as Error).message}`);
    }
    if (data.organism) {
      let mine: string;
      try {
        mine = await organismDigest(this.o.organismsDir, data.organism.name);
      } catch (err) {
        if (err instanceof OrganismMissing) throw new UnrecoverableError(`worker ${this.id}: ${err.message}; deploy the same organisms folder to the server and its workers`);
        throw err;
      }
      if (mine !== data.organism.digest) {
        const why = versionMismatch(data.organism.name, data.organism.digest, mine, `${this.id}, ${this.o.organismsDir}`);
        this.log('warn', `job ${job.id}: refused: ${why}`);
        throw new UnrecoverableError(why);
      }
    }
    const file = path.join(this.runDir, `${randomBytes(16).toString('hex')}.js`);
    // Created exclusively, readable by the sandbox's uid, written only by this worker.
    await writeFile(file, data.source, { flag: 'wx', mode: 0o644 });
    this.active++;
    try {
      const outcome = await this.runner.run(runOptionsOf(data, { file, cwd: this.runDir, sandbox: this.o.sandbox, ...(this.o.nice ? { nice: this.o.nice } : {}), ...(signal ? { signal } : {}) }));
      return { outcome: { ...outcome, pid: outcome.pid ?? null }, worker: { id: this.id, host: this.host } };
    } finally {
      this.active--;
      await rm(file, { force: true });
    }
  }
}
