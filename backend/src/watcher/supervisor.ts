import type { Logger } from 'pino';
import { applyChaos } from '../chaos/index.js';
import type { ChaosResult } from '../chaos/types.js';
import type { Cause, LogLevel, LogSource, OrganismState, Verdict } from '../domain.js';
import { StaleLiveGenomeError, type GenomeRow, type GenomeStore, type NewGenome, type RunRow } from '../genome/store.js';
import { climbLadder, type RungAttempt } from '../healing/ladder.js';
import { trialAllowingLateness } from '../healing/late-trial.js';
import { searchRunsFor } from '../healing/search/runs.js';
import type { HealStrategy, TrialOutcome, VerifyOutcome } from '../healing/types.js';
import { Mutex } from '../lib/mutex.js';
import { createRng, randomSeed } from '../lib/rng.js';
import type { Organism } from '../organism/manifest.js';
import { diffLines } from 'diff';
import { FileRefused } from '../files/refusal.js';
import { OrganismFiles, type FileFault } from '../files/organism-files.js';
import { checkSourceSize, DEFAULT_MAX_SOURCE_BYTES, SourceTooLarge } from '../files/source-size.js';
import { Backoff, RESTART_BACKOFF } from './backoff.js';
import { CrashLoopDetector } from './crash-loop.js';
import { SupervisorEvents } from './events.js';
import { watchLiveFile } from './live-file-watch.js';
import type { LogBook } from './logbook.js';
import { runGenome, runGenomeOn, type GenomeRunResult } from './run-genome.js';
import { demotes, ImmuneMemory, type Demotion } from '../verification/immune-memory.js';
import { inputSize } from '../verification/input-hash.js';
import { describeFailure, verifySeed, type FailingSeedPolicy } from '../verification/seed.js';
import { caseFor, type SuiteCase } from '../verification/suite.js';
import { failureDetail, Verifier, type FailureDetail, type Verification } from '../verification/verifier.js';
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
  /** MAX_SOURCE_BYTES: no larger source is stored, written, run or read from live.js. */
  maxSourceBytes?: number;
  /** VERIFY_PROPERTY_INPUTS: property inputs per verification for every organism (null: the manifest's). */
  verifyPropertyInputs?: number | null;
  /** FAILING_SEED: what a seed that fails its verification does at start (default: refuse to start). */
  failingSeed?: FailingSeedPolicy;
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
  verification: LiveVerification;
}

/** The live genome's standing with its organism's verification suite. */
export interface LiveVerification {
  state: GenomeRow['verification'];
  /** The suite every new genome must pass now: its fingerprint and size by kind of input. */
  suite: { fingerprint: string; size: number; regression: number; edge: number; property: number };
  /** The live genome's own verification, when it has one: time, runs, the case it failed on. */
  timeMs: number | null;
  failure: FailureDetail | null;
}

/** From the first failing run to the next passing one. */
export interface Incident {
  generation: number;
  verdict: Verdict;
  detectedAt: string;
  healedAt: string | null;
  timeToHealMs: number | null;
  /** The smallest input known to fail: the shrunk counterexample of a demotion, else the failing case (null if large). */
  failingInput: { case: string; size: number; input: unknown } | null;
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
/** A failing input larger than this (in JSON characters) is named in the incident, not copied into it. */
const INCIDENT_INPUT_MAX = 2000;

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
  /** Aborted whenever the live genome is replaced: its verification is no longer worth finishing. */
  private liveChanged = new AbortController();
  /** The newest run of the live genome judged in this process: state is `verifying` until there is one. */
  private lastJudged: RunRow | null = null;
  /** The case the live genome failed on, replayed by its next runs (a random input could pass by luck). */
  private failingCase: { genomeId: string; case: SuiteCase } | null = null;
  /** The live genome whose heal the last stop interrupted: its next failure goes to the ladder at once. */
  private resumeHealOf: string | null;
  private lastState: OrganismState;
  readonly events = new SupervisorEvents();
  /** live.js, package.json and the run directory: every file access goes through src/files. */
  private readonly files: OrganismFiles;
  readonly verifier: Verifier;
  private readonly immune: ImmuneMemory;

  private constructor(
    private readonly o: SupervisorOptions,
    live: GenomeRow,
  ) {
    this.live = live;
    this.files = new OrganismFiles(o.dataDir, o.organism.name, o.maxSourceBytes ?? DEFAULT_MAX_SOURCE_BYTES, (level, text) => this.log('watcher', level, text));
    this.verifier = new Verifier({
      organism: o.organism,
      store: o.store,
      scratch: this.files.runs,
      outputCapBytes: o.outputCapBytes,
      killGraceMs: o.killGraceMs ?? 500,
      sandbox: o.sandbox ?? null,
      propertyInputs: o.verifyPropertyInputs ?? null,
    });
    this.immune = new ImmuneMemory(o.store, this.verifier, MAX_BASELINES);
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
    await s.files.prepare();
    await s.reconcileLiveFile();
    return s;
  }

  get name(): string {
    return this.o.organism.name;
  }

  get description(): string {
    return this.o.organism.manifest.description;
  }

  /** The live genome as a file on disk, replaced atomically at every promotion. */
  get liveFile(): string {
    return this.files.liveFile;
  }

  /** What is wrong with this organism's files and could not be repaired (reported by /health), or null. */
  get fileFault(): FileFault | null {
    return this.files.fault;
  }

  get state(): OrganismState {
    return deriveState({
      paused: this.paused,
      healing: this.healing,
      quarantined: this.quarantine !== null,
      backingOff: this.backoff !== null,
      lastVerdict: this.lastJudged?.genomeId === this.live.id ? this.lastJudged.verdict : null,
      verification: this.live.verification,
    });
  }

  private isLiveVerified(genomeId: string): boolean {
    return this.live.id === genomeId && this.live.verification === 'passed';
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

  /**
   * Verifies genome 0 against the suite before the loop starts (at once when its outcome is remembered). A failing seed
   * is a start-up error naming the input, unless FAILING_SEED=heal: then it is left to the loop and the ladder.
   */
  async verifySeed(): Promise<void> {
    const seed = this.o.store.genomeAt(this.name, 0);
    if (!seed) return;
    const v = await verifySeed(this.verifier, seed, this.o.failingSeed ?? 'refuse', `organisms/${this.name}/${this.o.organism.manifest.genome}`);
    if (v.cancelled) return;
    this.recordVerdict(seed, v);
    this.log('watcher', v.passed ? 'info' : 'error', v.passed
      ? `genome 0 passed its verification suite (${v.size} inputs${v.reused ? ', remembered' : ` in ${v.timeMs} ms`})`
      : `genome 0 fails its verification suite on ${describeFailure(v)}; FAILING_SEED=heal, so the healer takes it`);
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
    this.liveChanged.abort();
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
      verification: this.liveVerification(),
    };
  }

  private liveVerification(): LiveVerification {
    const suite = this.verifier.suite;
    const d = this.live.verificationDetail;
    return {
      state: this.live.verification,
      suite: { fingerprint: suite.fingerprint, size: suite.cases.length, ...suite.counts },
      timeMs: typeof d.timeMs === 'number' ? d.timeMs : null,
      failure: (d.failure as FailureDetail | undefined) ?? null,
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
        // A deleted organisms/ or live.js, a link or a FIFO in its place: put back from the store before the run.
        if (!(await this.files.intact())) await this.promotions.runExclusive(() => this.files.restore(this.live.source));
        if (this.live.verification === 'pending') {
          // A new genome's first judgement is its whole suite: nothing trusts it before that. A failing case is
          // recorded as its run and takes the failure path; a pass is confirmed by a routine run at once.
          const failed = await this.verifyLive();
          if (this.stopped) break;
          if (failed) await this.sleep(await this.afterRun(failed.row, failed.result));
          this.iterationFailures.reset();
          continue;
        }
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
    // A passing run of a genome not verified (a failure that did not reproduce): its suite judges it next.
    if (row.verdict === 'ok' && row.genomeId === this.live.id && !this.isLiveVerified(row.genomeId)) return 0;
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
    this.openIncident(row, result.input);
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
    if (!this.o.autoHeal) {
      await this.condemn(row, result);
      return this.o.loopIntervalMs;
    }
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
    if (!(await this.condemn(row, result))) return this.o.loopIntervalMs;
    const healed = await this.heal(row, result);
    if (healed || this.live.id !== row.genomeId) return 0;
    const delay = this.probeBackoff.next();
    if (this.quarantine) this.quarantine.nextProbeMs = delay;
    return delay;
  }

  private openIncident(row: RunRow, input: unknown): void {
    if (this.incident && this.incident.healedAt === null) return;
    const size = inputSize(input);
    this.incident = {
      generation: row.generation,
      verdict: row.verdict,
      detectedAt: new Date(Date.parse(row.startedAt) + row.durationMs).toISOString(),
      healedAt: null,
      timeToHealMs: null,
      failingInput: { case: row.suiteCase ?? `routine run #${row.id} (seed ${row.seed})`, size, input: size <= INCIDENT_INPUT_MAX ? input : null },
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
    // A genome known to fail an input is judged on that input again: a random one could pass by luck.
    const replay = genome.verification === 'failed' ? this.replayCase(genome) : null;
    const limits = {
      outputCapBytes: this.o.outputCapBytes,
      killGraceMs: this.o.killGraceMs ?? 500,
      sandbox: this.o.sandbox ?? null, // [sandbox]
    };
    // A private scratch copy, deleted after the run: no fsync (18-27 ms a run under I/O load). live.js keeps the atomic write.
    const result = await this.files.runs.withFile(genome.source, (file) =>
      replay
        ? runGenomeOn(this.o.organism, file, replay.input, limits, replay.seed)
        : runGenome(this.o.organism, file, randomSeed(), limits),
    );
    const row = this.recordRun(genome, result, replay?.name ?? null, false);
    if (row.verdict === 'ok' && genome.verification === 'failed') {
      // The failure does not reproduce (or its input is unknown): judge the genome afresh rather than trust either verdict.
      this.o.store.setVerification(genome.id, 'pending', { ...genome.verificationDetail, notReproduced: row.id });
      if (this.live.id === genome.id) this.live = { ...this.live, verification: 'pending' };
      this.failingCase = null;
    }
    return { row, result };
  }

  /** Stores a run of `genome` and tells everyone: a routine run, or the verification case it failed on. */
  private recordRun(genome: GenomeRow, result: GenomeRunResult, suiteCase: string | null, verification: boolean): RunRow {
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
      suiteCase,
    });
    this.stats.record(row.verdict, row.durationMs);
    this.events.emit('run', { organism: this.name, verdict: row.verdict, durationMs: row.durationMs, generation: row.generation });
    // Only for genomes promoted while this process watched: the first failing verdict on them is a detection (the case
    // its suite failed on, or a routine run).
    const firstVerdict = this.lastJudged?.genomeId !== genome.id || verification;
    const newHere = Date.parse(genome.createdAt) >= this.startedAt;
    if (row.verdict !== 'ok' && firstVerdict && newHere) {
      const detectMs = Date.parse(result.startedAt) + row.durationMs - Date.parse(genome.createdAt);
      this.events.emit('detected', { organism: this.name, cause: genome.cause, verdict: row.verdict, detectMs: Math.max(0, detectMs) });
    }
    this.lastRun = row;
    this.lastJudged = row;
    if (row.verdict !== 'ok') this.lastFailure = row;
    for (const line of result.progress) this.log('organism', 'info', line);
    const name = suiteCase ? ` on ${suiteCase}` : '';
    const summary = `run #${row.number} gen ${row.generation}${name}: ${row.verdict} in ${Math.round(row.durationMs)} ms`;
    this.log('watcher', row.verdict === 'ok' ? 'info' : 'error', row.error ? `${summary}: ${row.error}` : summary);
    this.noteStateChange();
    return row;
  }

  // ---- verification --------------------------------------------------------------------------------------

  /**
   * Runs the live genome's whole suite. Null when it passed, or when the genome was replaced meanwhile; else the
   * failing case, recorded as a run of the genome, for the failure path.
   */
  private async verifyLive(): Promise<{ row: RunRow; result: GenomeRunResult } | null> {
    const genome = this.live;
    const signal = AbortSignal.any([this.liveChanged.signal, this.healAbort.signal]);
    let v = await this.verifier.verify(genome.source, { signal });
    let result = v.failure?.result ?? null;
    if (v.failure && v.reused && !signal.aborted) {
      // A remembered failure: run its case now, for a real verdict and the evidence a heal needs.
      result = await this.verifier.check(genome.source, v.failure.case, signal);
      if (!signal.aborted && (result.verdict === 'ok' || result.verdict === 'slow')) {
        v = await this.verifier.verify(genome.source, { signal, fresh: true });
        result = v.failure?.result ?? null;
      }
    }
    if (v.cancelled || signal.aborted || this.live.id !== genome.id) return null;
    this.recordVerdict(genome, v);
    if (v.passed) {
      this.log('watcher', 'info', `generation ${genome.generation} verified: ${v.size} inputs passed${v.reused ? ' (remembered for this source)' : ` in ${v.timeMs} ms`}`);
      if (genome.cause === 'chaos' && Date.parse(genome.createdAt) >= this.startedAt) {
        // Not a miss: the corruption changed nothing any input of the suite could see.
        this.log('chaos', 'info', `generation ${genome.generation} passed its verification suite despite the chaos: an equivalent mutant, or one no input of the suite exposes`);
      }
      this.noteStateChange();
      return null;
    }
    const failure = v.failure!;
    this.failingCase = { genomeId: genome.id, case: failure.case };
    this.log('watcher', 'error', `generation ${genome.generation} fails its verification suite on ${describeFailure(v)}`);
    const row = this.recordRun(genome, result ?? failure.result, failure.case.name, true);
    return { row, result: result ?? failure.result };
  }

  /** Stores a suite's outcome on the genome it judged. */
  private recordVerdict(genome: GenomeRow, v: Verification): void {
    const detail = this.verifier.detail(this.verifier.suite, v, v.reused);
    this.o.store.setVerification(genome.id, v.passed ? 'passed' : 'failed', detail);
    if (this.live.id === genome.id) this.live = { ...this.live, verification: v.passed ? 'passed' : 'failed', healthy: v.passed, verificationDetail: detail };
  }

  /**
   * What a failed run means for the live genome's trust. A genome never verified is failed with the run as evidence.
   * A verified one that answered wrongly is demoted: its input, confirmed and shrunk, joins the immune memory. False
   * when the failure does not reproduce (nothing to heal).
   */
  private async condemn(row: RunRow, result: GenomeRunResult): Promise<boolean> {
    const g = this.live;
    if (row.genomeId !== g.id) return true;
    if (g.verification === 'pending') {
      const c = caseFor('failing', `routine run #${row.id} (seed ${row.seed})`, result.input, row.seed);
      const detail = { failure: failureDetail(c, row), runId: row.id, verifiedAt: new Date().toISOString() };
      this.o.store.setVerification(g.id, 'failed', detail);
      this.live = { ...this.live, verification: 'failed', verificationDetail: detail };
      this.failingCase = { genomeId: g.id, case: c };
      return true;
    }
    if (g.verification !== 'passed' || !demotes(row.verdict, row.signal)) return true;
    let demotion: Demotion | null;
    try {
      demotion = await this.immune.learn(g, { runId: row.id, input: result.input, verdict: row.verdict, error: row.error }, this.healAbort.signal);
    } catch (err) {
      if (this.healAbort.signal.aborted) return false;
      throw err;
    }
    if (!demotion) {
      this.log('watcher', 'warn', `generation ${g.generation} failed run #${row.id} but passed the same input again: not demoted`);
      return false;
    }
    const ce = demotion.counterexample;
    const refreshed = this.o.store.getGenome(g.id);
    if (refreshed && this.live.id === g.id) this.live = refreshed;
    this.failingCase = { genomeId: g.id, case: caseFor('regression', `counterexample #${ce.id}`, ce.input) };
    if (this.incident && this.incident.healedAt === null) {
      this.incident = { ...this.incident, failingInput: { case: `counterexample #${ce.id}`, size: ce.shrunkSize, input: ce.input } };
    }
    const others = demotion.demoted.filter((id) => id !== g.id).length;
    this.log(
      'watcher',
      'warn',
      `generation ${g.generation} was verified but answered ${row.verdict} on run #${row.id}: demoted. Counterexample #${ce.id} ` +
        `(${ce.originalSize} -> ${ce.shrunkSize} characters in ${ce.shrinkRuns} shrinking runs) joins every verification; ` +
        `${demotion.kept.length} other baseline(s) pass it${others ? `, ${others} other genome(s) demoted with it` : ''}`,
    );
    this.noteStateChange();
    return true;
  }

  /** The input a failed genome is judged on again: the case it failed on, made again from its record if need be. */
  private replayCase(genome: GenomeRow): SuiteCase | null {
    if (this.failingCase?.genomeId === genome.id) return this.failingCase.case;
    const f = genome.verificationDetail.failure as FailureDetail | undefined;
    if (!f) return null;
    const known = this.verifier.caseByHash(f.hash);
    const c = known ?? (f.seed > 0 ? caseFor('failing', f.case, this.o.organism.harness.generateInput(createRng(f.seed), this.o.organism.manifest.input), f.seed) : null);
    if (c) this.failingCase = { genomeId: genome.id, case: c };
    return c;
  }

  // ---- healing -------------------------------------------------------------------------------------------

  /** Climbs the ladder for a failed run; true when a repair was promoted. */
  private async heal(failed: RunRow, result: GenomeRunResult): Promise<boolean> {
    const broken = this.live;
    // The failing input runs first in every trial and every verification of a candidate; cases a candidate's
    // verification failed on join the trials of the rungs that follow.
    const failing = caseFor('failing', `failing input (${failed.suiteCase ?? `run #${failed.id}, seed ${failed.seed}`})`, result.input, failed.seed);
    const learned: SuiteCase[] = [];
    // A repair of a genome that is no longer live could never land: stop as soon as chaos or an edit replaces it.
    const signal = AbortSignal.any([this.healAbort.signal, this.liveChanged.signal]);
    this.healing = true;
    this.noteStateChange();
    const started = performance.now();
    this.log('healer', 'warn', `generation ${broken.generation} is ${failed.verdict}; climbing the repair ladder`);
    try {
      let outcome = await climbLadder(
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
          trial: (source) => this.trial(source, [failing, ...this.verifier.suite.cases.filter((c) => c.kind === 'regression'), ...learned], signal),
          verify: (source) => this.verifyCandidate(source, failing, learned, signal),
          search: searchRunsFor(this.verifier),
          signal,
        },
        (a) => this.logAttempt(a),
      );
      const healMs = Math.round(performance.now() - started);
      const failure = { runId: failed.id, verdict: failed.verdict, error: failed.error, seed: failed.seed, case: failed.suiteCase };
      if (outcome.healed && this.verifier.known(outcome.candidate.source)?.outcome !== 'passed') {
        // The ladder verified it, yet the record disagrees: the suite changed under the heal. Never promote unverified.
        outcome = { healed: false, attempts: outcome.attempts, reason: `the candidate of ${outcome.strategy} is not verified against the current suite` };
      }
      if (!outcome.healed && this.healAbort.signal.aborted) {
        // Stopped mid-climb: nothing was learned about the genome, so no quarantine. The next start resumes.
        this.o.store.insertEvent(this.name, 'heal-interrupted', broken.id, { failure, attempts: outcome.attempts, healMs });
        this.log('healer', 'warn', `the stop interrupted the heal of generation ${broken.generation}; it resumes at the next start`);
        return false;
      }
      if (!outcome.healed && this.live.id !== broken.id) {
        this.log('healer', 'warn', 'the live genome changed while healing; this heal stops and the new genome is judged instead');
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
          verification: outcome.verification,
          attempts: outcome.attempts,
          healMs,
          ...outcome.candidate.detail,
        },
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

  /** A rung's cheap check: the cases one by one from a scratch file, to the first failure; the live genome is never touched. */
  private async trial(source: string, cases: readonly SuiteCase[], signal: AbortSignal): Promise<TrialOutcome> {
    const tooLarge = this.refusedUnrun(source, cases[0]?.seed ?? 0);
    if (tooLarge) return tooLarge;
    return trialAllowingLateness(async () => {
      const r = await this.verifier.trial(source, cases, signal);
      const f = r.failure;
      if (r.cancelled) return { verdict: 'crashed', error: 'the trial was cancelled', durationMs: r.timeMs, seed: cases[0]?.seed ?? 0 };
      return f
        ? { verdict: f.result.verdict, error: f.result.error, durationMs: r.timeMs, seed: f.case.seed, case: f.case.name }
        : { verdict: 'ok', error: null, durationMs: r.timeMs, seed: cases[0]?.seed ?? 0 };
    });
  }

  /** A candidate's whole suite, the failing input first; a case it fails on joins the trials from then on. */
  private async verifyCandidate(source: string, first: SuiteCase, learned: SuiteCase[], signal: AbortSignal): Promise<VerifyOutcome> {
    // The trial refused a candidate over MAX_SOURCE_BYTES before this; should one get here, the size check throws.
    const v = await this.verifier.verify(source, { first, signal });
    const f = v.failure;
    if (f && f.case.kind !== 'failing' && !learned.some((c) => c.hash === f.case.hash)) learned.push(f.case);
    return {
      passed: v.passed,
      suite: v.suite,
      size: v.size,
      runs: v.runs,
      timeMs: v.timeMs,
      reused: v.reused,
      failure: f ? { case: f.case.name, kind: f.case.kind, verdict: f.result.verdict, error: f.result.error } : null,
    };
  }

  /** A candidate over MAX_SOURCE_BYTES is never written nor run: it could not be promoted anyway. */
  private refusedUnrun(source: string, seed: number): TrialOutcome | null {
    try {
      checkSourceSize(source, this.files.maxBytes, 'the candidate');
      return null;
    } catch (err) {
      if (err instanceof SourceTooLarge) return { verdict: 'wrong', error: `refused unrun: ${err.message}`, durationMs: 0, seed };
      throw err;
    }
  }

  // ---- mutations -----------------------------------------------------------------------------------------

  /**
   * Makes a new genome live: the store's compare-and-swap and live.js as one unit (src/files: if the file cannot
   * be written, the store is put back and a StorageError is thrown). Serialised, so two promotions can never
   * interleave their file writes. A source over MAX_SOURCE_BYTES throws SourceTooLarge, and nothing changes.
   */
  private promote(expectedLiveId: string, g: NewGenome): Promise<GenomeRow> {
    return this.promotions.runExclusive(async () => {
      checkSourceSize(g.source, this.files.maxBytes, `the ${g.cause} genome`);
      const row = await this.files.commitLive(
        g.source,
        () => this.o.store.promote(expectedLiveId, this.judgedAlready(g)),
        (r) => this.o.store.undoPromotion(r),
      );
      this.replaceLive(row);
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
   * Whatever made it, a new genome's trust comes from the verifier's record of its source against the current suite,
   * never from its promoter: known code (a heal's verified candidate, a rollback) is judged already, the rest pending.
   */
  private judgedAlready(g: NewGenome): NewGenome {
    const { verification: _ignored, ...rest } = g;
    const known = this.verifier.known(g.source);
    return known ? { ...rest, verification: { state: known.outcome, detail: known.detail } } : rest;
  }

  private replaceLive(row: GenomeRow): void {
    this.live = row;
    this.liveChanged.abort();
    this.liveChanged = new AbortController();
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
    const read = await this.files.readLive();
    const onDisk = read instanceof FileRefused ? null : read;
    if (onDisk === this.live.source) return;
    const parent = this.live.parentId ? this.o.store.getGenome(this.live.parentId) : null;
    if (onDisk !== null && this.o.externalEdits && onDisk !== parent?.source) {
      await this.takeExternalEdit();
      return;
    }
    if (read instanceof FileRefused && read.reason !== 'missing') {
      // A link, a FIFO, a device, an oversized file: never taken in; the store's genome replaces it (a directory
      // cannot be replaced: the organism is then reported degraded, and runs go on).
      await this.files.restore(this.live.source);
      return;
    }
    if (onDisk === null) {
      // The first start, or a DATA_DIR restored without its organisms/: nothing to say.
      await this.files.rewriteLive(this.live.source);
      return;
    }
    await this.files.rewriteLive(this.live.source);
    this.log('watcher', 'warn', `live.js was left behind by an interrupted promotion; rewrote generation ${this.live.generation} from the store`);
  }

  /**
   * Someone edited live.js: record it as a genome with cause "external" and judge it at once. Inside the
   * promotion lock, so our own atomic writes are never mistaken for an edit.
   */
  private takeExternalEdit(): Promise<void> {
    return this.promotions.runExclusive(async () => {
      const onDisk = await this.files.readLive();
      if (onDisk instanceof FileRefused) {
        // Deleted, or a link, hard link, FIFO, directory or oversized file: never a genome. Put the live one back.
        await this.files.restore(this.live.source);
        return;
      }
      if (onDisk === this.live.source) return;
      const stat = lineChanges(this.live.source, onDisk);
      const row = this.o.store.promote(
        this.live.id,
        this.judgedAlready({
          organism: this.name,
          source: onDisk,
          cause: 'external',
          summary: `live.js was edited outside Ouroboros (${stat})`,
          detail: { editedFile: this.liveFile },
        }),
      );
      this.replaceLive(row);
      this.quarantine = null;
      this.o.store.insertEvent(this.name, 'external', row.id, { generation: row.generation, summary: row.summary });
      this.events.emit('promoted', { organism: this.name, cause: 'external', generation: row.generation });
      this.log('watcher', 'warn', `outside edit of live.js (${stat}) recorded as generation ${row.generation}`);
      this.wake();
    });
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
