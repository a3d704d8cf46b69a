import { mkdir, readFile, readdir, unlink } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import { applyChaos } from '../chaos/index.js';
import type { ChaosResult } from '../chaos/types.js';
import type { Cause, LogLevel, LogSource, OrganismState, Verdict } from '../domain.js';
import { writeFileAtomic } from '../genome/atomic-write.js';
import { StaleLiveGenomeError, type GenomeRow, type GenomeStore, type NewGenome, type RunRow } from '../genome/store.js';
import { climbLadder, type RungAttempt } from '../healing/ladder.js';
import type { HealStrategy, TrialOutcome } from '../healing/types.js';
import { Mutex } from '../lib/mutex.js';
import { createRng, randomSeed } from '../lib/rng.js';
import type { Organism } from '../organism/manifest.js';
import { SupervisorEvents } from './events.js';
import type { LogBook } from './logbook.js';
import { runGenome, type GenomeRunResult } from './run-genome.js';
import { deriveState } from './state.js';
import { RunStats, type StatsSnapshot } from './stats.js';

export interface SupervisorOptions {
  organism: Organism;
  store: GenomeStore;
  logs: LogBook;
  logger: Logger;
  dataDir: string;
  loopIntervalMs: number;
  outputCapBytes: number;
  autoHeal: boolean;
  rungs: readonly HealStrategy[];
  killGraceMs?: number;
}

export interface StatusSnapshot {
  organism: string;
  state: OrganismState;
  generation: number;
  genomeId: string;
  lastRun: RunRow | null;
  stats: StatsSnapshot;
  uptimeS: number;
  lastError: { verdict: Verdict; error: string; at: string; generation: number } | null;
  lastMutation: { generation: number; genomeId: string; cause: Cause; at: string; summary: string } | null;
  healing: { inProgress: boolean; cannotHeal: string | null };
}

export interface ChaosInjection {
  result: Omit<ChaosResult, 'source'>;
  seed: number;
  genome: GenomeRow;
}

const STUCK_AFTER_MS = 120_000;

/**
 * Supervises one organism: runs its live genome in a loop, judges every run, heals failures through the
 * repair ladder and applies chaos. Process handling lives in child-process.ts, judging in verdict.ts,
 * storage in the GenomeStore; this class only decides what happens next.
 */
export class Supervisor {
  private live: GenomeRow;
  private readonly stats: RunStats;
  private lastRun: RunRow | null;
  private lastFailure: RunRow | null;
  private paused: boolean;
  private healing = false;
  /** The live genome the ladder already failed on; not retried until the genome changes. */
  private cannotHeal: { genomeId: string; reason: string } | null = null;
  private readonly promotions = new Mutex();
  private stopped = false;
  private loopDone: Promise<void> | null = null;
  private loopError: Error | null = null;
  private heartbeat = Date.now();
  private readonly startedAt = Date.now();
  private wakePending = false;
  private wakeSleeper: (() => void) | null = null;
  private readonly healAbort = new AbortController();
  private lastState: OrganismState;
  readonly events = new SupervisorEvents();

  private constructor(
    private readonly o: SupervisorOptions,
    live: GenomeRow,
  ) {
    this.live = live;
    this.stats = new RunStats(
      o.store.runAggregate(this.name),
      o.store.recentRuns(this.name, 1000).map((r) => r.durationMs),
    );
    this.lastRun = o.store.lastRun(this.name);
    this.lastFailure = o.store.lastRun(this.name, true);
    this.paused = o.store.isPaused(this.name);
    this.lastState = this.state;
  }

  /** Opens the organism's history (seeding genome 0 on first boot) and puts its live file in order. */
  static async open(o: SupervisorOptions): Promise<Supervisor> {
    const name = o.organism.name;
    const live =
      o.store.liveGenome(name) ??
      o.store.promote(null, {
        organism: name,
        source: o.organism.seedSource,
        cause: 'seed',
        summary: `genome 0 from organisms/${name}/${o.organism.manifest.genome}`,
      });
    const s = new Supervisor(o, live);
    await mkdir(s.runDir, { recursive: true });
    // Genomes are CommonJS scripts wherever DATA_DIR lives, even under a package.json that says "module".
    await writeFileAtomic(path.join(s.organismDir, 'package.json'), '{ "type": "commonjs" }\n');
    await s.reconcileLiveFile();
    await s.sweepRunFiles();
    return s;
  }

  get name(): string {
    return this.o.organism.name;
  }

  private get organismDir(): string {
    return path.join(this.o.dataDir, 'organisms', this.name);
  }

  /** The live genome as a file on disk, replaced atomically at every promotion. */
  get liveFile(): string {
    return path.join(this.organismDir, 'live.js');
  }

  /** Each run executes a private copy, so a promotion mid-run cannot change which code the run is blamed on. */
  private get runDir(): string {
    return path.join(this.organismDir, 'run');
  }

  get state(): OrganismState {
    return deriveState({
      paused: this.paused,
      healing: this.healing,
      lastVerdict: this.lastRun?.genomeId === this.live.id ? this.lastRun.verdict : null,
      liveHealthy: this.live.healthy,
    });
  }

  /** The loop is alive when it has not died and has not stalled. */
  get alive(): boolean {
    return this.loopDone !== null && !this.stopped && this.loopError === null && Date.now() - this.heartbeat < STUCK_AFTER_MS;
  }

  get liveGenome(): GenomeRow {
    return this.live;
  }

  get isPaused(): boolean {
    return this.paused;
  }

  start(): void {
    if (this.loopDone) return;
    this.log('watcher', 'info', `watching ${this.name}: generation ${this.live.generation} (${this.live.id}) is live`);
    this.loopDone = this.loop().catch((err: Error) => {
      this.loopError = err;
      this.o.logger.error({ err, organism: this.name }, 'the watcher loop died');
      this.log('watcher', 'error', `the watcher loop died: ${err.message}`);
    });
  }

  /** Stops the loop after the current run (which is killed if it outlives the grace period) and waits for it. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.healAbort.abort();
    this.wake();
    await this.loopDone;
  }

  status(): StatusSnapshot {
    const failure = this.lastFailure;
    return {
      organism: this.name,
      state: this.state,
      generation: this.live.generation,
      genomeId: this.live.id,
      lastRun: this.lastRun,
      stats: this.stats.snapshot(),
      uptimeS: Math.round((Date.now() - this.startedAt) / 100) / 10,
      lastError:
        failure && failure.error !== null
          ? { verdict: failure.verdict, error: failure.error, at: failure.startedAt, generation: failure.generation }
          : null,
      lastMutation:
        this.live.cause === 'seed'
          ? null
          : {
              generation: this.live.generation,
              genomeId: this.live.id,
              cause: this.live.cause,
              at: this.live.createdAt,
              summary: this.live.summary,
            },
      healing: { inProgress: this.healing, cannotHeal: this.cannotHeal?.reason ?? null },
    };
  }

  // ---- the loop ------------------------------------------------------------------------------------------

  private async loop(): Promise<void> {
    while (!this.stopped) {
      this.heartbeat = Date.now();
      if (this.paused) {
        await this.sleep(this.o.loopIntervalMs);
        continue;
      }
      const { row, result } = await this.runLive();
      if (this.stopped) break;
      if (row.verdict !== 'ok' && this.o.autoHeal && !this.paused && row.genomeId === this.live.id && this.cannotHeal?.genomeId !== row.genomeId) {
        await this.heal(row, result);
      }
      await this.sleep(this.o.loopIntervalMs);
    }
  }

  private sleep(ms: number): Promise<void> {
    if (this.wakePending || this.stopped) {
      this.wakePending = false;
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wakeSleeper = () => {
        this.wakeSleeper = null;
        done();
      };
    }).then(() => {
      this.wakePending = false;
    });
  }

  /** Runs the loop now instead of at the next tick: a new live genome is judged at once. */
  private wake(): void {
    this.wakePending = true;
    this.wakeSleeper?.();
  }

  private async runLive(): Promise<{ row: RunRow; result: GenomeRunResult }> {
    const genome = this.live;
    const file = path.join(this.runDir, `${genome.id}.js`);
    await writeFileAtomic(file, genome.source);
    const result = await runGenome(this.o.organism, file, randomSeed(), {
      outputCapBytes: this.o.outputCapBytes,
      killGraceMs: this.o.killGraceMs ?? 500,
    });
    await unlink(file).catch(() => {});
    const row = this.o.store.insertRun({
      organism: this.name,
      genomeId: genome.id,
      generation: genome.generation,
      seed: result.seed,
      startedAt: result.startedAt,
      durationMs: result.durationMs,
      exitCode: result.exitCode,
      signal: result.signal,
      verdict: result.verdict,
      error: result.error,
      trial: false,
    });
    this.stats.record(row.verdict, row.durationMs);
    this.events.emit('run', { organism: this.name, verdict: row.verdict, durationMs: row.durationMs, generation: row.generation });
    // Only for genomes promoted while this process watched: the first verdict on them is a detection.
    const firstRunOfNewGenome = this.lastRun?.genomeId !== genome.id && Date.parse(genome.createdAt) >= this.startedAt;
    if (row.verdict !== 'ok' && firstRunOfNewGenome) {
      const detectMs = Date.parse(result.startedAt) + row.durationMs - Date.parse(genome.createdAt);
      this.events.emit('detected', { organism: this.name, cause: genome.cause, verdict: row.verdict, detectMs: Math.max(0, detectMs) });
    }
    this.lastRun = row;
    if (row.verdict !== 'ok') this.lastFailure = row;
    if (row.verdict === 'ok' && this.live.id === genome.id && !this.live.healthy) {
      this.live = { ...this.live, healthy: true };
    }
    for (const line of result.progress) this.log('organism', 'info', line);
    const summary = `run #${row.id} gen ${row.generation}: ${row.verdict} in ${Math.round(row.durationMs)} ms`;
    this.log('watcher', row.verdict === 'ok' ? 'info' : 'error', row.error ? `${summary}: ${row.error}` : summary);
    this.noteStateChange();
    return { row, result };
  }

  // ---- healing -------------------------------------------------------------------------------------------

  private async heal(failed: RunRow, result: GenomeRunResult): Promise<void> {
    const broken = this.live;
    this.healing = true;
    this.noteStateChange();
    const started = performance.now();
    this.log('healer', 'warn', `generation ${broken.generation} is ${failed.verdict}; climbing the repair ladder`);
    try {
      const outcome = await climbLadder(
        this.o.rungs,
        {
          organism: this.name,
          live: broken,
          failure: {
            runId: failed.id,
            seed: failed.seed,
            verdict: failed.verdict,
            error: failed.error,
            stderrTail: result.stderr.slice(-2000),
          },
          lastHealthy: this.o.store.lastHealthyGenome(this.name, broken.id),
          trial: (source) => this.trial(source, failed.seed),
          signal: this.healAbort.signal,
        },
        (a) => this.logAttempt(a),
      );
      const healMs = Math.round(performance.now() - started);
      const failure = { runId: failed.id, verdict: failed.verdict, error: failed.error, seed: failed.seed };
      if (!outcome.healed) {
        this.cannotHeal = { genomeId: broken.id, reason: outcome.reason };
        this.o.store.insertEvent(this.name, 'heal-failed', broken.id, { failure, attempts: outcome.attempts, healMs });
        this.events.emit('heal-failed', { organism: this.name, reason: outcome.reason });
        this.log('healer', 'error', `cannot heal generation ${broken.generation}: ${outcome.reason}`);
        return;
      }
      const promoted = await this.promote(broken.id, {
        organism: this.name,
        source: outcome.candidate.source,
        cause: 'heal',
        summary: `${outcome.strategy}: ${outcome.candidate.summary}`,
        detail: {
          strategy: outcome.strategy,
          failure,
          trial: outcome.trial,
          attempts: outcome.attempts,
          healMs,
          ...outcome.candidate.detail,
        },
        healthy: true,
      }).catch((err: unknown) => {
        if (err instanceof StaleLiveGenomeError) {
          this.log('healer', 'warn', 'the live genome changed while healing; this repair is discarded and the new genome is judged instead');
          return null;
        }
        throw err;
      });
      if (promoted) {
        this.events.emit('healed', { organism: this.name, strategy: outcome.strategy, healMs });
        this.log('healer', 'info', `healed in ${healMs} ms by ${outcome.strategy}: generation ${promoted.generation} (${promoted.id}) is live`);
      }
    } finally {
      this.healing = false;
      this.noteStateChange();
    }
  }

  private logAttempt(a: RungAttempt): void {
    const level: LogLevel = a.outcome === 'passed' ? 'info' : 'warn';
    this.log('healer', level, `${a.strategy}: ${a.outcome} (${a.reason}) in ${a.durationMs} ms`);
  }

  /** Runs a candidate on the failing input from a scratch file; the live genome is never touched. */
  private async trial(source: string, seed: number): Promise<TrialOutcome> {
    const file = path.join(this.runDir, `trial-${process.pid}-${randomSeed().toString(16)}.js`);
    await writeFileAtomic(file, source);
    try {
      const r = await runGenome(this.o.organism, file, seed, {
        outputCapBytes: this.o.outputCapBytes,
        killGraceMs: this.o.killGraceMs ?? 500,
      });
      return { verdict: r.verdict, error: r.error, durationMs: r.durationMs, seed };
    } finally {
      await unlink(file).catch(() => {});
    }
  }

  // ---- mutations -----------------------------------------------------------------------------------------

  /**
   * Makes a new genome live: the store's compare-and-swap first (the record is the truth), then the file.
   * Serialised, so two promotions can never interleave their file writes.
   */
  private promote(expectedLiveId: string, g: NewGenome): Promise<GenomeRow> {
    return this.promotions.runExclusive(async () => {
      const row = this.o.store.promote(expectedLiveId, g);
      await writeFileAtomic(this.liveFile, row.source);
      this.live = row;
      this.cannotHeal = null;
      this.o.store.insertEvent(this.name, g.cause, row.id, { generation: row.generation, summary: row.summary });
      this.events.emit('promoted', { organism: this.name, cause: row.cause, generation: row.generation });
      this.wake();
      return row;
    });
  }

  async injectChaos(type: string, seed: number = randomSeed()): Promise<ChaosInjection> {
    if (this.paused) throw new PausedError();
    const base = this.live;
    // Pure and synchronous: unknown types and inapplicable operators throw before anything changes.
    const result = applyChaos(type, base.source, createRng(seed));
    const { source, ...described } = result;
    const genome = await this.promote(base.id, {
      organism: this.name,
      source,
      cause: 'chaos',
      summary: result.description,
      detail: { chaos: described, seed },
    });
    this.events.emit('chaos', { organism: this.name, type: result.type });
    this.log('chaos', 'warn', `${result.type} at line ${result.line}: ${result.description} -> generation ${genome.generation}`);
    return { result: described, seed, genome };
  }

  async rollback(target: GenomeRow): Promise<GenomeRow> {
    const base = this.live;
    const genome = await this.promote(base.id, {
      organism: this.name,
      source: target.source,
      cause: 'rollback',
      summary: `rolled back to generation ${target.generation} (${target.id})`,
      detail: { rolledBackTo: target.id, rolledBackGeneration: target.generation },
      // The same source passed before; the next run confirms it.
      healthy: true,
    });
    this.log('watcher', 'warn', `rolled back to generation ${target.generation}: generation ${genome.generation} is live`);
    return genome;
  }

  setPaused(paused: boolean): void {
    if (this.paused === paused) return;
    this.paused = paused;
    this.o.store.setPaused(this.name, paused);
    this.log('watcher', 'warn', paused ? 'paused: no runs and no chaos until resumed' : 'resumed');
    this.noteStateChange();
    this.wake();
  }

  // ---- files and logs ------------------------------------------------------------------------------------

  /** The store is the truth: a live file missing or left half-way by a crash is rewritten from it. */
  private async reconcileLiveFile(): Promise<void> {
    const onDisk = await readFile(this.liveFile, 'utf8').catch(() => null);
    if (onDisk === this.live.source) return;
    await writeFileAtomic(this.liveFile, this.live.source);
    if (onDisk !== null) {
      this.log('watcher', 'warn', `live.js did not match generation ${this.live.generation} in the store; rewrote it from the store`);
    }
  }

  /** Scratch files of runs interrupted by a crash. */
  private async sweepRunFiles(): Promise<void> {
    for (const f of await readdir(this.runDir)) await unlink(path.join(this.runDir, f)).catch(() => {});
  }

  private noteStateChange(): void {
    const now = this.state;
    if (now === this.lastState) return;
    this.log('watcher', now === 'healthy' ? 'info' : 'warn', `state: ${this.lastState} -> ${now}`);
    this.lastState = now;
  }

  private log(source: LogSource, level: LogLevel, text: string): void {
    this.o.logs.append(this.name, source, level, text);
    if (source !== 'organism') this.o.logger[level === 'error' ? 'warn' : level === 'warn' ? 'info' : 'debug']({ organism: this.name, source }, text);
  }
}

export class PausedError extends Error {
  override name = 'PausedError';
}
