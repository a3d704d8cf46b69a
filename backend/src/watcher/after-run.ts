import type { Verdict } from '../domain.js';

/** What the supervisor knows when a run of the organism has been judged. */
export interface RunFacts {
  verdict: Verdict;
  /** The signal that ended the run, if any. */
  signal: string | null;
  /** The run was of the genome that is live now (false: chaos or an edit replaced it while it ran). */
  ofLive: boolean;
  /** The live genome passed its verification suite. */
  liveVerified: boolean;
  /** The genome that ran is the quarantined one. */
  quarantined: boolean;
  autoHeal: boolean;
  /** A repair of this genome waits for approval, or was rejected (HEAL_MODE=propose): the ladder must not propose it again. */
  held: boolean;
  /** The last stop interrupted a heal of this genome. */
  resuming: boolean;
  /** This failure makes a crash loop. */
  looping: boolean;
  /** Retries of a possibly transient failure already made, and allowed. */
  transientAttempts: number;
  transientRetries: number;
}

/**
 * What follows a run, at most one step at a time:
 * - `verify`: a pass of a genome not verified (a failure that did not reproduce): its suite judges it, at once;
 * - `recovered`: a pass of a verified genome: out of every kind of trouble, next run after the usual interval;
 * - `judge-new`: a failure of a genome no longer live: the new one is judged at once;
 * - `probe`: a failure of the quarantined genome: the next probe after a growing delay;
 * - `condemn`: AUTO_HEAL is off: the failure is recorded against the genome, and nothing more;
 * - `hold`: a proposed repair of this genome waits for a person (or was rejected): the same, without climbing again;
 * - `retry`: a failure that may come from the machine: run again after a growing delay before healing;
 * - `heal`: the repair ladder, at once (after a crash loop, or when resuming an interrupted heal, too).
 */
export type AfterRun =
  | { kind: 'verify' }
  | { kind: 'recovered' }
  | { kind: 'judge-new' }
  | { kind: 'probe' }
  | { kind: 'condemn' }
  | { kind: 'hold' }
  | { kind: 'retry' }
  | { kind: 'heal'; looping: boolean; resuming: boolean };

export function decideAfterRun(f: RunFacts): AfterRun {
  if (f.verdict === 'ok') return f.ofLive && !f.liveVerified ? { kind: 'verify' } : { kind: 'recovered' };
  if (!f.ofLive) return { kind: 'judge-new' };
  if (f.quarantined) return { kind: 'probe' };
  if (f.held) return { kind: 'hold' };
  if (!f.autoHeal) return { kind: 'condemn' };
  if (mayBeTransient(f) && !f.looping && !f.resuming && f.transientAttempts < f.transientRetries) return { kind: 'retry' };
  return { kind: 'heal', looping: f.looping, resuming: f.resuming };
}

/**
 * A hang, a death by signal or a late answer may come from the machine rather than the code (on two busy cores
 * the seed's first run took 1,080 ms of a 1,000 ms budget): worth one more try.
 */
export function mayBeTransient(run: { verdict: Verdict; signal: string | null }): boolean {
  return run.verdict === 'hung' || run.verdict === 'slow' || (run.verdict === 'crashed' && run.signal !== null);
}
