import type { LogLevel, LogSource, OrganismState } from '../domain.js';
import type { GenomeRow, GenomeStore, NewGenome } from '../genome/store.js';
import { randomSeed } from '../lib/rng.js';
import type { Organism } from '../organism/manifest.js';
import { OrganismFiles, type FileFault } from '../files/organism-files.js';
import { DEFAULT_MAX_SOURCE_BYTES } from '../files/source-size.js';
import { decideAfterRun } from './after-run.js';
import { Backoff, RESTART_BACKOFF } from './backoff.js';
import type { OrganismContext } from './context.js';
import { SupervisorEvents } from './events.js';
import { Healer, MAX_BASELINES } from './healer.js';
import { IncidentTracker } from './incidents.js';
import { LiveFileKeeper } from './live-file-keeper.js';
import { LiveGenome } from './live-genome.js';
import { LiveJudge, type Judged } from './live-judge.js';
import { WarmHost } from '../runner/batch/warm-host.js';
import { outputKillBytesOf } from './run-genome.js';
import { Promotions, type ChaosInjection } from './promotions.js';
import { ProposalDesk } from './proposal-desk.js';
import { Recovery } from './recovery.js';
import { RunRecorder } from './run-recorder.js';
import { Sleeper } from './sleeper.js';
import type { SupervisorOptions } from './supervisor-options.js';
import { statusView, type StatusSnapshot } from './status-view.js';
import { ImmuneMemory } from '../verification/immune-memory.js';
import { describeFailure, verifySeed } from '../verification/seed.js';
import { Verifier } from '../verification/verifier.js';
import { deriveState } from './state.js';

export type { Incident } from './incidents.js';
export type { SupervisorOptions } from './supervisor-options.js';
export type { LiveVerification, StatusSnapshot } from './status-view.js';
export { PausedError, type ChaosInjection } from './promotions.js';

const STUCK_AFTER_MS = 120_000;

/**
 * Supervises one organism: runs its live genome in a loop, judges every run, and carries out what the policy of
 * after-run.ts decides next. Its parts, each given what it needs: the runs' record (RunRecorder), every promotion
 * (Promotions), the live file and outside edits (LiveFileKeeper), the live genome's trust (LiveJudge), the repair
 * ladder (Healer), retries, crash loops and quarantine (Recovery), incidents (IncidentTracker) and the status
 * response (status-view.ts). Process handling lives in child-process.ts, judging in verdict.ts, storage in the
 * GenomeStore.
 */
export class Supervisor {
  private readonly live: LiveGenome;
  private paused: boolean;
  private readonly runs: RunRecorder;
  private readonly recovery: Recovery;
  private readonly iterationFailures = new Backoff(RESTART_BACKOFF);
  private readonly incidents = new IncidentTracker();
  /** The output of the newest failed run of the live genome: evidence for a heal started by hand. */
  private lastFailedResult: Judged | null = null;
  private stopped = false;
  private loopDone: Promise<void> | null = null;
  private loopError: Error | null = null;
  private heartbeat = Date.now();
  private readonly startedAt = Date.now();
  private readonly sleeper = new Sleeper();
  private readonly healAbort = new AbortController();
  /** The live genome whose heal the last stop interrupted: its next failure goes to the ladder at once. */
  private resumeHealOf: string | null;
  private lastState: OrganismState;
  readonly events = new SupervisorEvents();
  /** live.js, package.json and the run directory: every file access goes through src/files. */
  private readonly files: OrganismFiles;
  readonly verifier: Verifier;
  private readonly promotions: Promotions;
  private readonly keeper: LiveFileKeeper;
  private readonly judge: LiveJudge;
  /** ROUTINE_RUNS=contexts: the warm host that runs the live genome's routine runs in vm contexts first. */
  private readonly warm: WarmHost | null;
  private readonly healer: Healer;
  /** HEAL_MODE=propose: the verified changes waiting for a person, and their approval. */
  readonly desk: ProposalDesk;

  private constructor(
    private readonly o: SupervisorOptions,
    live: GenomeRow,
  ) {
    this.live = new LiveGenome(live);
    const c: OrganismContext = {
      organism: o.organism,
      store: o.store,
      live: this.live,
      events: this.events,
      say: (source, level, text) => this.log(source, level, text),
      noteStateChange: () => this.noteStateChange(),
    };
    this.files = new OrganismFiles(o.dataDir, o.organism.name, o.maxSourceBytes ?? DEFAULT_MAX_SOURCE_BYTES, (level, text) => this.log('watcher', level, text));
    this.verifier = new Verifier({
      organism: o.organism,
      store: o.store,
      scratch: this.files.runs,
      outputCapBytes: o.outputCapBytes,
      killGraceMs: o.killGraceMs ?? 500,
      sandbox: o.sandbox ?? null,
      propertyInputs: o.verifyPropertyInputs ?? null,
      ...(o.batchProof !== undefined ? { batch: o.batchProof } : {}),
    });
    this.runs = new RunRecorder(c, this.startedAt);
    this.paused = o.store.isPaused(this.name);
    this.recovery = new Recovery(o);
    const { files, verifier, recovery } = this;
    const wake = () => this.sleeper.wake();
    const stopping = this.healAbort.signal;
    this.promotions = new Promotions(c, { files, verifier, recovery, wake, isPaused: () => this.paused, logger: o.logger });
    this.keeper = new LiveFileKeeper(c, { files, promotions: this.promotions, recovery, externalEdits: o.externalEdits, wake });
    this.desk = new ProposalDesk(c, { proposals: o.proposals, promotions: this.promotions, mode: o.organism.manifest.healMode ?? o.healMode });
    const immune = new ImmuneMemory(o.store, verifier, MAX_BASELINES);
    const recordRun = this.runs.record.bind(this.runs);
    // Scratch copies of the run directory, swept at start: a standby may wait beside them (STANDBY_RUNS).
    const limits = { outputCapBytes: o.outputCapBytes, killGraceMs: o.killGraceMs ?? 500, sandbox: o.sandbox ?? null, standby: true }; // [sandbox]
    this.warm =
      (o.routineRuns ?? 'contexts') === 'contexts'
        ? new WarmHost({
            scratch: files.runs,
            organism: o.organism.name,
            timeLimitMs: o.organism.manifest.timeLimitMs,
            maxOldSpaceMb: o.organism.manifest.maxOldSpaceMb,
            outputCapBytes: limits.outputCapBytes,
            outputKillBytes: outputKillBytesOf(limits),
            killGraceMs: limits.killGraceMs,
            sandbox: limits.sandbox,
          })
        : null;
    const warm = this.warm;
    this.judge = new LiveJudge(c, { scratch: files.runs, limits, verifier, immune, incidents: this.incidents, stopping, startedAt: this.startedAt, recordRun, warm });
    this.healer = new Healer(c, {
      verifier,
      rungs: o.rungs,
      missingRungs: o.missingRungs ?? [],
      recovery,
      stopping,
      maxSourceBytes: files.maxBytes,
      promotions: this.promotions,
      desk: this.desk,
    });
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
    await s.keeper.reconcile();
    s.desk.reconcile();
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
    const live = this.live.current;
    return deriveState({
      paused: this.paused,
      healing: this.healer.inProgress,
      quarantined: this.recovery.quarantine !== null,
      backingOff: this.recovery.backoff !== null,
      lastVerdict: this.runs.verdictOf(live.id),
      verification: live.verification,
    });
  }

  /** The loop is alive when it has not died and has not stalled. */
  get alive(): boolean {
    return this.loopDone !== null && !this.stopped && this.loopError === null && Date.now() - this.heartbeat < STUCK_AFTER_MS;
  }

  get liveGenome(): GenomeRow {
    return this.live.current;
  }

  get isPaused(): boolean {
    return this.paused;
  }

  get isHealing(): boolean {
    return this.healer.inProgress;
  }

  get organism(): Organism {
    return this.o.organism;
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
    this.judge.recordVerdict(seed, v);
    this.log('watcher', v.passed ? 'info' : 'error', v.passed
      ? `genome 0 passed its verification suite (${v.size} inputs${v.reused ? ', remembered' : ` in ${v.timeMs} ms`})`
      : `genome 0 fails its verification suite on ${describeFailure(v)}; FAILING_SEED=heal, so the healer takes it`);
  }

  start(): void {
    if (this.loopDone) return;
    this.keeper.watch();
    this.log('watcher', 'info', `watching ${this.name}: generation ${this.live.current.generation} (${this.live.id}) is live`);
    this.loopDone = this.loop().catch((err: Error) => {
      this.loopError = err;
      this.o.logger.error({ err, organism: this.name }, 'the watcher loop died');
      this.log('watcher', 'error', `the watcher loop died: ${err.message}`);
    });
  }

  /** Stops the loop after the current run (which is killed if it outlives the grace period) and waits for it. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.keeper.unwatch();
    this.healAbort.abort();
    this.live.abandon();
    this.sleeper.close();
    await this.loopDone;
    await this.warm?.close();
  }

  status(): StatusSnapshot {
    return statusView({
      organism: this.name,
      state: this.state,
      live: this.live.current,
      lastRun: this.runs.lastRun,
      lastFailure: this.runs.lastFailure,
      stats: this.runs.stats.snapshot(),
      startedAt: this.startedAt,
      healing: this.healer.inProgress,
      ladder: this.o.rungs.map((r) => r.name),
      unavailable: this.o.missingRungs ?? [],
      backoff: this.recovery.backoff,
      quarantine: this.recovery.quarantine,
      crashLoop: this.recovery.looping(Date.now()),
      incident: this.incidents.latest,
      suite: this.verifier.suite,
      healMode: this.desk.mode,
      pendingProposals: this.desk.pendingCount,
    });
  }

  // ---- the loop ------------------------------------------------------------------------------------------

  private async loop(): Promise<void> {
    while (!this.stopped) {
      this.heartbeat = Date.now();
      if (this.paused || this.holdingRuns()) {
        await this.sleeper.sleep(this.o.loopIntervalMs);
        continue;
      }
      try {
        await this.keeper.ensureIntact();
        // A new genome's first judgement is its whole suite: nothing trusts it before that. A failing case is
        // recorded as its run and takes the failure path; a pass is confirmed by a routine run at once.
        const judged = this.live.current.verification === 'pending' ? await this.judge.verifyLive() : await this.judge.runLive();
        if (this.stopped) break;
        if (judged) await this.sleeper.sleep(await this.afterRun(judged));
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
        await this.sleeper.sleep(delay);
      }
    }
  }

  /** Carries out what follows a run (decideAfterRun); returns how long to wait before the next one. */
  private async afterRun(judged: Judged): Promise<number> {
    const { row } = judged;
    const live = this.live.current;
    let looping = false;
    if (row.verdict !== 'ok') {
      if (this.incidents.failed(row, judged.result.input)) this.tellIncident('opened');
      this.lastFailedResult = judged;
      looping = this.recovery.failed(Date.now());
    }
    const action = decideAfterRun({
      verdict: row.verdict,
      signal: row.signal,
      ofLive: row.genomeId === live.id,
      liveVerified: live.verification === 'passed',
      quarantined: this.recovery.quarantine?.genomeId === row.genomeId,
      autoHeal: this.o.autoHeal,
      held: this.desk.holding(row.genomeId) !== null,
      resuming: this.resumeHealOf === row.genomeId,
      looping,
      transientAttempts: this.recovery.transientAttempts,
      transientRetries: this.o.transientRetries,
    });
    switch (action.kind) {
      case 'verify':
      case 'judge-new':
        return 0;
      case 'recovered': {
        const timeToHealMs = this.incidents.passed(row);
        if (timeToHealMs !== null) {
          this.log('watcher', 'info', `healthy again ${timeToHealMs} ms after the failure was detected`);
          this.tellIncident('closed');
        }
        if (this.recovery.passed()) this.log('watcher', 'info', 'the quarantined genome passed a probe; out of quarantine');
        this.noteStateChange();
        return this.o.loopIntervalMs;
      }
      case 'probe': {
        const delay = this.recovery.nextProbe();
        this.log('watcher', 'warn', `quarantined (${this.recovery.quarantine?.reason}); next probe in ${delay} ms`);
        return delay;
      }
      case 'condemn':
      case 'hold':
        await this.judge.condemn(judged);
        return this.o.loopIntervalMs;
      case 'retry': {
        this.resumeHealOf = null;
        const retry = this.recovery.retryTransient(`${row.verdict} may be transient; retrying before healing`);
        this.log('watcher', 'warn', `${row.verdict} may be transient; retry ${retry.attempt} of ${this.o.transientRetries} in ${retry.delayMs} ms`);
        this.noteStateChange();
        return retry.delayMs;
      }
      case 'heal': {
        this.resumeHealOf = null;
        if (action.resuming) this.log('healer', 'info', `resuming the heal of generation ${live.generation} that the last stop interrupted`);
        if (action.looping) this.log('watcher', 'warn', `crash loop: ${this.o.crashLoopFailures} failures within ${this.o.crashLoopWindowMs} ms; healing now`);
        this.recovery.escalate();
        if (!(await this.judge.condemn(judged))) return this.o.loopIntervalMs;
        const healed = await this.healer.heal(judged);
        if (healed || this.live.id !== row.genomeId) return 0;
        if (this.desk.holding(row.genomeId)) return this.o.loopIntervalMs;
        return this.recovery.nextProbe();
      }
    }
  }

  // ---- changes from outside the loop ---------------------------------------------------------------------

  /**
   * Climbs the ladder now for the failing live genome: for AUTO_HEAL=false, or to retry a quarantined one.
   * Throws HealRefused when there is nothing to heal or a heal is already running.
   */
  async healNow(): Promise<{ healed: boolean; genome: GenomeRow; reason: string | null }> {
    if (this.healer.inProgress) throw new HealRefused('a heal is already in progress');
    const failed = this.lastFailedResult;
    const live = this.live.current;
    const lastRun = this.runs.lastRun;
    if (!failed || failed.row.genomeId !== live.id || lastRun?.genomeId !== live.id || lastRun.verdict === 'ok') {
      throw new HealRefused(`generation ${live.generation} is not failing: its latest run passed or it has not run yet`);
    }
    this.recovery.release();
    const healed = await this.healer.heal(failed);
    const proposal = healed ? null : this.desk.holding(live.id);
    const reason = proposal?.status === 'pending' ? `the repair waits for approval as proposal #${proposal.id}` : (this.recovery.quarantine?.reason ?? null);
    return { healed, genome: this.live.current, reason: healed ? null : reason };
  }

  /**
   * PROPOSAL_RUNS=pause: while a repair of the live genome waits for a decision (or was rejected), the failing genome is
   * not run again. It runs until it has failed in this process, so that after a restart the state is sick, not verifying.
   */
  private holdingRuns(): boolean {
    if (this.o.proposalRuns !== 'pause') return false;
    const live = this.live.current;
    const verdict = this.runs.verdictOf(live.id);
    return verdict !== null && verdict !== 'ok' && this.desk.holding(live.id) !== null;
  }

  /** Applies chaos to the live genome; throws PausedError while paused, ChaosNotApplicable when it cannot apply. */
  injectChaos(type: string, seed: number = randomSeed()): Promise<ChaosInjection> {
    return this.promotions.injectChaos(type, seed);
  }

  /**
   * Promotes a candidate found outside the heal loop (evolution). Compare-and-swap on the live genome and
   * serialised with every other promotion, so it never lands on top of chaos or a heal it did not see.
   */
  promoteCandidate(expectedLiveId: string, g: Omit<NewGenome, 'organism'>): Promise<GenomeRow> {
    return this.promotions.promote(expectedLiveId, { ...g, organism: this.name });
  }

  rollback(target: GenomeRow): Promise<GenomeRow> {
    return this.promotions.rollback(target);
  }

  setPaused(paused: boolean): void {
    if (this.paused === paused) return;
    this.paused = paused;
    this.o.store.setPaused(this.name, paused);
    this.log('watcher', 'warn', paused ? 'paused: no runs and no chaos until resumed' : 'resumed');
    this.noteStateChange();
    this.sleeper.wake();
  }

  // ---- logs ----------------------------------------------------------------------------------------------

  private noteStateChange(): void {
    const now = this.state;
    if (now === this.lastState) return;
    this.log('watcher', now === 'healthy' ? 'info' : 'warn', `state: ${this.lastState} -> ${now}`);
    this.events.emit('state', { organism: this.name, from: this.lastState, to: now });
    this.lastState = now;
  }

  private tellIncident(phase: 'opened' | 'closed'): void {
    const incident = this.incidents.latest;
    if (incident) this.events.emit('incident', { organism: this.name, phase, incident });
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

export class HealRefused extends Error {
  override name = 'HealRefused';
}
