import type { LogLevel } from '../domain.js';
import { checkSourceSize, SourceTooLarge } from '../files/source-size.js';
import { StaleLiveGenomeError } from '../genome/store.js';
import { climbLadder, type RungAttempt } from '../healing/ladder.js';
import { trialAllowingLateness } from '../healing/late-trial.js';
import { searchRunsFor } from '../healing/search/runs.js';
import type { HealStrategy, TrialOutcome, VerifyOutcome } from '../healing/types.js';
import { caseFor, type SuiteCase } from '../verification/suite.js';
import type { Verifier } from '../verification/verifier.js';
import type { OrganismContext } from './context.js';
import type { Judged } from './live-judge.js';
import type { Promotions } from './promotions.js';
import type { ProposalDesk } from './proposal-desk.js';
import type { Recovery } from './recovery.js';

/** Healthy ancestors a heal may try as baselines, newest first. */
export const MAX_BASELINES = 8;

export interface HealerDeps {
  verifier: Verifier;
  rungs: readonly HealStrategy[];
  /** Rungs configured but unavailable, with why (shown when the ladder gives up). */
  missingRungs: readonly string[];
  recovery: Recovery;
  /** Aborted when the supervisor stops: a heal cut short resumes at the next start. */
  stopping: AbortSignal;
  /** MAX_SOURCE_BYTES: a larger candidate is never run. */
  maxSourceBytes: number;
  /** Makes a repair live (compare-and-swap on the broken genome; throws StaleLiveGenomeError when it changed). */
  promotions: Pick<Promotions, 'promote'>;
  /** HEAL_MODE=propose: a verified repair waits there for a person instead of being promoted. */
  desk: Pick<ProposalDesk, 'proposing' | 'propose'>;
}

/**
 * Climbs the repair ladder for the failing live genome and acts on the outcome: promotes the verified repair, or
 * quarantines the genome with the ladder's reason. Candidates only ever run from scratch files.
 */
export class Healer {
  private healing = false;

  constructor(
    private readonly c: OrganismContext,
    private readonly d: HealerDeps,
  ) {}

  get inProgress(): boolean {
    return this.healing;
  }

  private get name(): string {
    return this.c.organism.name;
  }

  /** Climbs the ladder for a failed run; true when a repair was promoted. */
  async heal({ row: failed, result }: Judged): Promise<boolean> {
    const { verifier } = this.d;
    const { store, say } = this.c;
    const broken = this.c.live.current;
    // The failing input runs first in every trial and every verification of a candidate; cases a candidate's
    // verification failed on join the trials of the rungs that follow.
    const failing = caseFor('failing', `failing input (${failed.suiteCase ?? `run #${failed.number}, seed ${failed.seed}`})`, result.input, failed.seed);
    const learned: SuiteCase[] = [];
    // A repair of a genome that is no longer live could never land: stop as soon as chaos or an edit replaces it.
    const signal = AbortSignal.any([this.d.stopping, this.c.live.changed]);
    this.healing = true;
    this.c.noteStateChange();
    const started = performance.now();
    say('healer', 'warn', `generation ${broken.generation} is ${failed.verdict}; climbing the repair ladder`);
    try {
      let outcome = await climbLadder(
        this.d.rungs,
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
          contract: this.c.organism.manifest.contract,
          lastHealthy: store.lastHealthyGenome(this.name, broken.id),
          healthyAncestors: store.healthyGenomes(this.name, broken.id, MAX_BASELINES),
          trial: (source) => this.trial(source, [failing, ...verifier.suite.cases.filter((c) => c.kind === 'regression'), ...learned], signal),
          verify: (source) => this.verifyCandidate(source, failing, learned, signal),
          search: searchRunsFor(verifier),
          signal,
        },
        (a) => this.logAttempt(a),
      );
      const healMs = Math.round(performance.now() - started);
      const failure = { runId: failed.id, verdict: failed.verdict, error: failed.error, seed: failed.seed, case: failed.suiteCase };
      if (outcome.healed && verifier.known(outcome.candidate.source)?.outcome !== 'passed') {
        // The ladder verified it, yet the record disagrees: the suite changed under the heal. Never promote unverified.
        outcome = { healed: false, attempts: outcome.attempts, reason: `the candidate of ${outcome.strategy} is not verified against the current suite` };
      }
      if (!outcome.healed && this.d.stopping.aborted) {
        // Stopped mid-climb: nothing was learned about the genome, so no quarantine. The next start resumes.
        store.insertEvent(this.name, 'heal-interrupted', broken.id, { failure, attempts: outcome.attempts, healMs });
        say('healer', 'warn', `the stop interrupted the heal of generation ${broken.generation}; it resumes at the next start`);
        return false;
      }
      if (!outcome.healed && this.c.live.id !== broken.id) {
        say('healer', 'warn', 'the live genome changed while healing; this heal stops and the new genome is judged instead');
        return false;
      }
      if (!outcome.healed) {
        const missing = this.d.missingRungs;
        const unavailable = missing.length ? `; unavailable: ${missing.join('; ')}` : '';
        const quarantine = this.d.recovery.enterQuarantine(broken.id, `${outcome.reason}${unavailable}`);
        store.insertEvent(this.name, 'heal-failed', broken.id, { failure, attempts: outcome.attempts, healMs });
        this.c.events.emit('heal-failed', { organism: this.name, reason: outcome.reason });
        say('healer', 'error', `cannot heal generation ${broken.generation}: ${quarantine.reason}; quarantined`);
        return false;
      }
      const repair = {
        source: outcome.candidate.source,
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
      };
      if (this.d.desk.proposing) {
        if (this.c.live.id !== broken.id) return false;
        const p = this.d.desk.propose({ kind: 'heal', base: broken, strategy: outcome.strategy, ...repair });
        say('healer', 'warn', `found and verified a repair by ${outcome.strategy} in ${healMs} ms; HEAL_MODE=propose, so it waits for approval as proposal #${p.id}`);
        return false;
      }
      const promoted = await this.d.promotions
        .promote(broken.id, { organism: this.name, cause: 'heal', ...repair })
        .catch((err: unknown) => {
          if (err instanceof StaleLiveGenomeError) {
            say('healer', 'warn', 'the live genome changed while healing; this repair is discarded and the new genome is judged instead');
            return null;
          }
          throw err;
        });
      if (!promoted) return false;
      this.c.events.emit('healed', { organism: this.name, strategy: outcome.strategy, healMs });
      say('healer', 'info', `healed in ${healMs} ms by ${outcome.strategy}: generation ${promoted.generation} (${promoted.id}) is live`);
      return true;
    } finally {
      this.healing = false;
      this.c.noteStateChange();
    }
  }

  private logAttempt(a: RungAttempt): void {
    const level: LogLevel = a.outcome === 'passed' ? 'info' : 'warn';
    this.c.say('healer', level, `${a.strategy}: ${a.outcome} (${a.reason}) in ${a.durationMs} ms`);
  }

  /** A rung's cheap check: the cases one by one from a scratch file, to the first failure; the live genome is never touched. */
  private async trial(source: string, cases: readonly SuiteCase[], signal: AbortSignal): Promise<TrialOutcome> {
    const tooLarge = this.refusedUnrun(source, cases[0]?.seed ?? 0);
    if (tooLarge) return tooLarge;
    return trialAllowingLateness(async () => {
      const r = await this.d.verifier.trial(source, cases, signal);
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
    const v = await this.d.verifier.verify(source, { first, signal });
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
      checkSourceSize(source, this.d.maxSourceBytes, 'the candidate');
      return null;
    } catch (err) {
      if (err instanceof SourceTooLarge) return { verdict: 'wrong', error: `refused unrun: ${err.message}`, durationMs: 0, seed };
      throw err;
    }
  }
}
