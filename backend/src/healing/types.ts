import type { Verdict } from '../domain.js';
import type { GenomeRow } from '../genome/store.js';
import type { SearchRuns } from './search/runs.js';

/** What the failed run looked like: the evidence a strategy repairs against. */
export interface Failure {
  runId: number;
  seed: number;
  verdict: Verdict;
  error: string | null;
  stderrTail: string;
  /** The input the failing run was given (made from `seed`). */
  input: unknown;
}

export interface TrialOutcome {
  verdict: Verdict;
  error: string | null;
  durationMs: number;
  seed: number;
  /** The case that failed (the failing input, a counterexample...); absent when it passed. */
  case?: string;
}

/** A candidate's verification: its organism's whole suite, the failing input first. The only gate to promotion. */
export interface VerifyOutcome {
  passed: boolean;
  /** Fingerprint and size of the suite. */
  suite: string;
  size: number;
  runs: number;
  timeMs: number;
  /** The source was judged against this suite before: only the failing input ran. */
  reused: boolean;
  /** The case it failed on: `failing` is the heal's own failing input (what a trial used to be). */
  failure: { case: string; kind: 'failing' | 'regression' | 'edge' | 'property'; verdict: Verdict; error: string | null } | null;
}

export interface HealContext {
  organism: string;
  /** What the organism must do, from its manifest: for prompts and people. */
  contract: string;
  /** The broken live genome. */
  live: GenomeRow;
  failure: Failure;
  /** The newest verified genome, if any. */
  lastHealthy: GenomeRow | null;
  /**
   * Verified genomes, newest first, one per source (lastHealthy first): the only baselines. A verified genome can
   * still be wrong on an input its suite lacks, so a rung that finds the newest failing on this input walks back.
   */
  healthyAncestors: GenomeRow[];
  /**
   * The cheap check for a rung's own search (ddmin's tests): the failing input, then the regression set and any case a
   * verification of this heal failed on, in a scratch file; never touches the live genome. Passing it promotes nothing.
   */
  trial(source: string): Promise<TrialOutcome>;
  /** The whole suite, the failing input first: the ladder runs it on every proposal; rungs need not. */
  verify(source: string): Promise<VerifyOutcome>;
  /** The organism's runs for the search rung (suite, held-out set, coverage); without them the rung has nothing to offer. */
  search?: SearchRuns;
  signal: AbortSignal;
}

export interface Candidate {
  source: string;
  /** One sentence for the history and the logs. */
  summary: string;
  /** Strategy-specific facts stored with the heal record (hunks reverted, prompt and answer...). */
  detail: Record<string, unknown>;
}

/** Why a rung has nothing to offer, with what it tried (stored with the failed heal). */
export interface NoCandidate {
  none: string;
  detail?: Record<string, unknown>;
}

/** One rung of the repair ladder: proposes at most one candidate, or says why it has none. */
export interface HealStrategy {
  readonly name: string;
  propose(ctx: HealContext): Promise<Candidate | NoCandidate>;
}
