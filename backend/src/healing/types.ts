import type { Verdict } from '../domain.js';
import type { GenomeRow } from '../genome/store.js';

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
}

export interface HealContext {
  organism: string;
  /** What the organism must do, from its manifest: for prompts and people. */
  contract: string;
  /** The broken live genome. */
  live: GenomeRow;
  failure: Failure;
  /** The newest genome that ever passed a run, if any. */
  lastHealthy: GenomeRow | null;
  /**
   * Genomes that passed a run, newest first, one per source (lastHealthy first). A genome that passed its
   * runs can still be wrong on inputs it never met (a logic mutant only some inputs expose), so a rung that
   * finds the newest baseline failing on this input walks back to older ones.
   */
  healthyAncestors: GenomeRow[];
  /** Runs a candidate source on the failing input in a scratch file; never touches the live genome. */
  trial(source: string): Promise<TrialOutcome>;
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
