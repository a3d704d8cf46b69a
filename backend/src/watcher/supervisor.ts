import { mkdir, readFile, readdir, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import { applyChaos } from '../chaos/index.js';
import type { ChaosResult } from '../chaos/types.js';
import type { Cause, LogLevel, LogSource, OrganismState, Verdict } from '../domain.js';
import { writeFileAtomic } from '../genome/atomic-write.js';
import { StaleLiveGenomeError, type GenomeRow, type GenomeStore, type NewGenome, type RunRow } from '../genome/store.js';
import { climbLadder, type RungAttempt } from '../healing/ladder.js';
import { trialAllowingLateness } from '../healing/late-trial.js';
import type { HealStrategy, TrialOutcome } from '../healing/types.js';
import { Mutex } from '../lib/mutex.js';
import { createRng, randomSeed } from '../lib/rng.js';
import type { Organism } from '../organism/manifest.js';
import { diffLines } from 'diff';
import { Backoff, RESTART_BACKOFF } from './backoff.js';
import { CrashLoopDetector } from './crash-loop.js';
import { SupervisorEvents } from './events.js';
import { watchLiveFile } from './live-file-watch.js';
import type { LogBook } from './logbook.js';
import { runGenome, type GenomeRunResult } from './run-genome.js';
import type { Sandbox } from '../sandbox/types.js'; // [sandbox]
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
  /** Rungs configured but unavailable, with why (shown when the ladder gives up). */
  missingRungs?: readonly string[];
  transientRetries: number;
  crashLoopFailures: number;
  crashLoopWindowMs: number;
  quarantineMaxBackoffMs: number;
  /** Take edits made to live.js from outside as new genomes (cause "external"). */
  externalEdits: boolean;
  killGraceMs?: number;
  /** [sandbox] The sandbox every run goes through, live runs and heal trials alike (src/sandbox). */
  sandbox?: Sandbox | null;
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
  healing: { inProgress: boolean; cannotHeal: string | null; ladder: string[]; unavailable: string[] };
  backoff: { delayMs: number; attempt: number; reason: string } | null;
  quarantine: { reason: string; since: string; nextProbeMs: number } | null;
  crashLoop: boolean;
  lastIncident: Incident | null;
}

/** From the first failing run to the next passing one. */
export interface Incident {
  generation: number;
  verdict: Verdict;
  detectedAt: string;
  healedAt: string | null;
  timeToHealMs: number | null;
}

export interface ChaosInjection {
  result: Omit<ChaosResult, 'source'>;
  seed: number;
  genome: GenomeRow;
}

const STUCK_AFTER_MS = 120_000;
/** Healthy ancestors a heal may try as baselines, newest first. */
const MAX_BASELINES = 8;
/** Tries of a chaos injection that keeps losing the race for the live genome before it answers 409 BUSY. */
const CHAOS_ATTEMPTS = 3;

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
  /** The live genome the ladder gave up on: probed with a growing delay until it passes or changes. */
  private quarantine: { genomeId: string; reason: string; since: string; nextProbeMs: number } | null = null;
  private backoff: { delayMs: number; attempt: number; reason: string } | null = null;
  private readonly transientBackoff = new Backoff(RESTART_BACKOFF);
  private readonly iterationFailures = new Backoff(RESTART_BACKOFF);
  private readonly probeBackoff: Backoff;
  private readonly crashLoop: CrashLoopDetector;
  private incident: Incident | null = null;
  /** The output of the newest failed run of the live genome: evidence for a heal started by hand. */
  private lastFailedResult: { row: RunRow; result: GenomeRunResult } | null = null;
  private stopWatchingFile: (() => void) | null = null;
  private readonly promotions = new Mutex();
  private stopped = false;
  private loopDone: Promise<void> | null = null;
  private loopError: Error | null = null;
  private heartbeat = Date.now();
  private readonly startedAt = Date.now();
  private wakePending = false;
  private wakeSleeper: (() => void) | null = null;
  private readonly healAbort = new AbortController();
  /** The live genome whose heal the last stop interrupted: its next failure goes to the ladder at once. */
  private resumeHealOf: string | null;
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
    this.probeBackoff = new Backoff({ initialMs: 1000, factor: 2, maxMs: o.quarantineMaxBackoffMs });
    this.crashLoop = new CrashLoopDetector(o.crashLoopFailures, o.crashLoopWindowMs);
    this.resumeHealOf = interruptedHeal(o.store, this.name, live.id);
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
    await s.sweepRunFiles();
    await s.reconcileLiveFile();
    return s;
  }

  get name(): string {
    return this.o.organism.name;
  }

  get description(): string {
    return this.o.organism.manifest.description;
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
      quarantined: this.quarantine !== null,
      backingOff: this.backoff !== null,
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
    if (this.o.externalEdits) this.stopWatchingFile = watchLiveFile(this.liveFile, () => void this.takeExternalEdit());
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
    this.stopWatchingFile?.();
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
      healing: {
        inProgress: this.healing,
        cannotHeal: this.quarantine?.reason ?? null,
        ladder: this.o.rungs.map((r) => r.name),
        unavailable: [...(this.o.missingRungs ?? [])],
      },
      backoff: this.backoff,
      quarantine: this.quarantine
        ? { reason: this.quarantine.reason, since: this.quarantine.since, nextProbeMs: this.quarantine.nextProbeMs }
        : null,
      crashLoop: this.crashLoop.looping(Date.now()),
      lastIncident: this.incident,
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
      try {
        const { row, result } = await this.runLive();
        if (this.stopped) break;
        await this.sleep(await this.afterRun(row, result));
        this.iterationFailures.reset();
      } catch (err) {
        // A failed iteration (the store cannot write, the disk is full) must not end the watching: say why,
        // wait with a growing delay, and try again. /health reports a storage fault meanwhile.
        const delay = this.iterationFailures.next();
        this.o.logger.error({ err, organism: this.name }, `a watcher iteration failed; retrying in ${delay} ms`);
        try {
          this.log('watcher', 'error', `a watcher iteration failed (${(err as Error).message}); retrying in ${delay} ms`);
        } catch {
          // The log book writes to the same store that may be failing.
        }
        await this.sleep(delay);
      }
    }
  }

  /** Decides what follows a run; returns how long to wait before the next one. */
  private async afterRun(row: RunRow, result: GenomeRunResult): Promise<number> {
    const now = Date.now();
    if (row.verdict === 'ok') {
      this.closeIncident(row);
      this.backoff = null;
      this.transientBackoff.reset();
      this.probeBackoff.reset();
      this.crashLoop.reset();
      if (this.quarantine) this.log('watcher', 'info', 'the quarantined genome passed a probe; out of quarantine');
      this.quarantine = null;
      this.noteStateChange();
      return this.o.loopIntervalMs;
    }
    this.openIncident(row);
    this.lastFailedResult = { row, result };
    const looping = this.crashLoop.recordFailure(now);
    // The genome changed while it ran (chaos, an edit): judge the new one at once.
    if (row.genomeId !== this.live.id) return 0;
    if (this.quarantine?.genomeId === row.genomeId) {
      const delay = this.probeBackoff.next();
      this.quarantine.nextProbeMs = delay;
      this.log('watcher', 'warn', `quarantined (${this.quarantine.reason}); next probe in ${delay} ms`);
      return delay;
    }
    if (!this.o.autoHeal) return this.o.loopIntervalMs;
    const resuming = this.resumeHealOf === row.genomeId;
    this.resumeHealOf = null;
    if (resuming) this.log('healer', 'info', `resuming the heal of generation ${this.live.generation} that the last stop interrupted`);
    if (mayBeTransient(row) && !looping && !resuming && this.transientBackoff.attempts < this.o.transientRetries) {
      const delayMs = this.transientBackoff.next();
      this.backoff = { delayMs, attempt: this.transientBackoff.attempts, reason: `${row.verdict} may be transient; retrying before healing` };
      this.log('watcher', 'warn', `${row.verdict} may be transient; retry ${this.backoff.attempt} of ${this.o.transientRetries} in ${delayMs} ms`);
      this.noteStateChange();
      return delayMs;
    }
    if (looping) this.log('watcher', 'warn', `crash loop: ${this.o.crashLoopFailures} failures within ${this.o.crashLoopWindowMs} ms; healing now`);
    this.backoff = null;
    this.transientBackoff.reset();
    const healed = await this.heal(row, result);
    if (healed || this.live.id !== row.genomeId) return 0;
    const delay = this.probeBackoff.next();
    if (this.quarantine) this.quarantine.nextProbeMs = delay;
    return delay;
  }

  private openIncident(row: RunRow): void {
    if (this.incident && this.incident.healedAt === null) return;
    this.incident = {
      generation: row.generation,
      verdict: row.verdict,
      detectedAt: new Date(Date.parse(row.startedAt) + row.durationMs).toISOString(),
      healedAt: null,
      timeToHealMs: null,
    };
  }

  private closeIncident(row: RunRow): void {
    if (!this.incident || this.incident.healedAt !== null) return;
    const healedAt = Date.parse(row.startedAt) + row.durationMs;
    this.incident = {
      ...this.incident,
      healedAt: new Date(healedAt).toISOString(),
      timeToHealMs: Math.round(healedAt - Date.parse(this.incident.detectedAt)),
    };
    this.log('watcher', 'info', `healthy again ${this.incident.timeToHealMs} ms after the failure was detected`);
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
    // A private scratch copy, deleted after the run: no fsync (18-27 ms a run under I/O load). live.js keeps the atomic write.
    await writeFile(file, genome.source);
    const result = await runGenome(this.o.organism, file, randomSeed(), {
      outputCapBytes: this.o.outputCapBytes,
      killGraceMs: this.o.killGraceMs ?? 500,
      sandbox: this.o.sandbox ?? null, // [sandbox]
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
    if (row.verdict === 'ok' && firstRunOfNewGenome && genome.cause === 'chaos') {
      // Not a miss: the corruption changed nothing this input could see (an equivalent mutant, or one that
      // only some inputs expose). Said plainly rather than counted as detected.
      this.log('chaos', 'info', `generation ${genome.generation} passed its first run despite the chaos: an equivalent mutant, or one this input does not expose`);
    }
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
    const summary = `run #${row.number} gen ${row.generation}: ${row.verdict} in ${Math.round(row.durationMs)} ms`;
    this.log('watcher', row.verdict === 'ok' ? 'info' : 'error', row.error ? `${summary}: ${row.error}` : summary);
    this.noteStateChange();
    return { row, result };
  }

  // ---- healing -------------------------------------------------------------------------------------------

  /** Climbs the ladder for a failed run; true when a repair was promoted. */
  private async heal(failed: RunRow, result: GenomeRunResult): Promise<boolean> {
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
            input: result.input,
          },
          contract: this.o.organism.manifest.contract,
          lastHealthy: this.o.store.lastHealthyGenome(this.name, broken.id),
          healthyAncestors: this.o.store.healthyGenomes(this.name, broken.id, MAX_BASELINES),
          trial: (source) => this.trial(source, failed.seed),
          signal: this.healAbort.signal,
        },
        (a) => this.logAttempt(a),
      );
      const healMs = Math.round(performance.now() - started);
      const failure = { runId: failed.id, verdict: failed.verdict, error: failed.error, seed: failed.seed };
      if (!outcome.healed && this.healAbort.signal.aborted) {
        // Stopped mid-climb: nothing was learned about the genome, so no quarantine. The next start resumes.
        this.o.store.insertEvent(this.name, 'heal-interrupted', broken.id, { failure, attempts: outcome.attempts, healMs });
        this.log('healer', 'warn', `the stop interrupted the heal of generation ${broken.generation}; it resumes at the next start`);
        return false;
      }
      if (!outcome.healed) {
        const unavailable = this.o.missingRungs?.length ? `; unavailable: ${this.o.missingRungs.join('; ')}` : '';
        this.quarantine = { genomeId: broken.id, reason: `${outcome.reason}${unavailable}`, since: new Date().toISOString(), nextProbeMs: 0 };
        this.o.store.insertEvent(this.name, 'heal-failed', broken.id, { failure, attempts: outcome.attempts, healMs });
        this.events.emit('heal-failed', { organism: this.name, reason: outcome.reason });
        this.log('healer', 'error', `cannot heal generation ${broken.generation}: ${this.quarantine.reason}; quarantined`);
        return false;
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
      if (!promoted) return false;
      this.events.emit('healed', { organism: this.name, strategy: outcome.strategy, healMs });
      this.log('healer', 'info', `healed in ${healMs} ms by ${outcome.strategy}: generation ${promoted.generation} (${promoted.id}) is live`);
      return true;
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
    await writeFile(file, source);
    try {
      return await trialAllowingLateness(async () => {
        const r = await runGenome(this.o.organism, file, seed, {
          outputCapBytes: this.o.outputCapBytes,
          killGraceMs: this.o.killGraceMs ?? 500,
          sandbox: this.o.sandbox ?? null, // [sandbox]
        });
        return { verdict: r.verdict, error: r.error, durationMs: r.durationMs, seed };
      });
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
      this.quarantine = null;
      this.backoff = null;
      this.probeBackoff.reset();
      this.transientBackoff.reset();
      this.o.store.insertEvent(this.name, g.cause, row.id, { generation: row.generation, summary: row.summary });
      this.events.emit('promoted', { organism: this.name, cause: row.cause, generation: row.generation });
      this.wake();
      return row;
    });
  }

  /**
   * Climbs the ladder now for the failing live genome: for AUTO_HEAL=false, or to retry a quarantined one.
   * Throws HealRefused when there is nothing to heal or a heal is already running.
   */
  async healNow(): Promise<{ healed: boolean; genome: GenomeRow; reason: string | null }> {
    if (this.healing) throw new HealRefused('a heal is already in progress');
    const failed = this.lastFailedResult;
    if (!failed || failed.row.genomeId !== this.live.id || this.lastRun?.genomeId !== this.live.id || this.lastRun.verdict === 'ok') {
      throw new HealRefused(`generation ${this.live.generation} is not failing: its latest run passed or it has not run yet`);
    }
    this.quarantine = null;
    const healed = await this.heal(failed.row, failed.result);
    return { healed, genome: this.live, reason: healed ? null : (this.quarantine as { reason: string } | null)?.reason ?? null };
  }

  async injectChaos(type: string, seed: number = randomSeed()): Promise<ChaosInjection> {
    if (this.paused) throw new PausedError();
    // The operator asked to damage whatever is live: when a heal, a rollback or other chaos is promoted while this
    // waits its turn, apply the same chaos to the genome that won instead of refusing (a few times, then 409 BUSY).
    for (let attempt = 1; ; attempt++) {
      const base = this.live;
      // Pure and synchronous: unknown types and inapplicable operators throw before anything changes.
      const result = applyChaos(type, base.source, createRng(seed));
      const { source, ...described } = result;
      try {
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
      } catch (err) {
        if (err instanceof StaleLiveGenomeError && attempt < CHAOS_ATTEMPTS && !this.paused) continue;
        throw err;
      }
    }
  }

  /**
   * Promotes a candidate found outside the heal loop (evolution). Compare-and-swap on the live genome and
   * serialised with every other promotion, so it never lands on top of chaos or a heal it did not see.
   */
  promoteCandidate(expectedLiveId: string, g: Omit<NewGenome, 'organism'>): Promise<GenomeRow> {
    return this.promote(expectedLiveId, { ...g, organism: this.name });
  }

  get isHealing(): boolean {
    return this.healing;
  }

  get organism(): Organism {
    return this.o.organism;
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

  /**
   * The store is the truth, with one exception. A live file equal to the parent's source is what a crash
   * between the store's commit and the file's rename leaves: rewrite it. Any other difference is an edit
   * made while the server was down: take it as an outside edit.
   */
  private async reconcileLiveFile(): Promise<void> {
    const onDisk = await readFile(this.liveFile, 'utf8').catch(() => null);
    if (onDisk === this.live.source) return;
    const parent = this.live.parentId ? this.o.store.getGenome(this.live.parentId) : null;
    if (onDisk !== null && this.o.externalEdits && onDisk !== parent?.source) {
      await this.takeExternalEdit();
      return;
    }
    await writeFileAtomic(this.liveFile, this.live.source);
    if (onDisk !== null) {
      this.log('watcher', 'warn', `live.js was left behind by an interrupted promotion; rewrote generation ${this.live.generation} from the store`);
    }
  }

  /**
   * Someone edited live.js: record it as a genome with cause "external" and judge it at once. Inside the
   * promotion lock, so our own atomic writes are never mistaken for an edit.
   */
  private takeExternalEdit(): Promise<void> {
    return this.promotions.runExclusive(async () => {
      const onDisk = await readFile(this.liveFile, 'utf8').catch(() => null);
      if (onDisk === null || onDisk === this.live.source) return;
      const stat = lineChanges(this.live.source, onDisk);
      const row = this.o.store.promote(this.live.id, {
        organism: this.name,
        source: onDisk,
        cause: 'external',
        summary: `live.js was edited outside Ouroboros (${stat})`,
        detail: { editedFile: this.liveFile },
      });
      this.live = row;
      this.quarantine = null;
      this.o.store.insertEvent(this.name, 'external', row.id, { generation: row.generation, summary: row.summary });
      this.events.emit('promoted', { organism: this.name, cause: 'external', generation: row.generation });
      this.log('watcher', 'warn', `outside edit of live.js (${stat}) recorded as generation ${row.generation}`);
      this.wake();
    });
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

/** The live genome, when the newest heal event of the organism is a heal of it that a stop interrupted. */
function interruptedHeal(store: GenomeStore, organism: string, liveId: string): string | null {
  const interrupted = store.lastEvent(organism, 'heal-interrupted');
  if (interrupted?.genomeId !== liveId) return null;
  const failed = store.lastEvent(organism, 'heal-failed');
  return failed && failed.id > interrupted.id ? null : liveId;
}

/**
 * A hang, a death by signal or a late answer may come from the machine rather than the code (on two busy cores
 * the seed's first run took 1,080 ms of a 1,000 ms budget): worth one more try.
 */
function mayBeTransient(run: RunRow): boolean {
  return run.verdict === 'hung' || run.verdict === 'slow' || (run.verdict === 'crashed' && run.signal !== null);
}

/** "+2 -1 lines", for people reading the history. */
function lineChanges(before: string, after: string): string {
  let added = 0;
  let removed = 0;
  for (const part of diffLines(before, after)) {
    if (part.added) added += part.count ?? 0;
    if (part.removed) removed += part.count ?? 0;
  }
  return `+${added} -${removed} lines`;
}

export class HealRefused extends Error {
  override name = 'HealRefused';
}

export class PausedError extends Error {
  override name = 'PausedError';
}
