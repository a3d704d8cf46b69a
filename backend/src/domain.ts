/** The words of the domain, shared by the watcher, the store, the healer and the API. */

export const VERDICTS = ['ok', 'crashed', 'hung', 'wrong', 'slow', 'oom'] as const;
export type Verdict = (typeof VERDICTS)[number];

/** What one run of a genome came to: the run as judged (GenomeRunResult) and as stored (RunRow) both extend it. */
export interface RunOutcome {
  seed: number;
  startedAt: string;
  durationMs: number;
  exitCode: number | null;
  signal: string | null;
  verdict: Verdict;
  error: string | null;
}

export const CAUSES = ['seed', 'chaos', 'heal', 'rollback', 'external', 'evolve', 'manual'] as const;
export type Cause = (typeof CAUSES)[number];

/** `verifying`: the live genome has not been judged in this process yet, or its verification suite is still running. */
export const STATES = ['healthy', 'verifying', 'sick', 'healing', 'backoff', 'quarantined', 'paused'] as const;
export type OrganismState = (typeof STATES)[number];

export const LOG_SOURCES = ['organism', 'watcher', 'chaos', 'healer'] as const;
export type LogSource = (typeof LOG_SOURCES)[number];

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * Where a genome stands with its organism's verification suite. Only `passed` is healthy: a baseline for healing and a
 * rollback target. `failed` covers a suite failure, a failed run before the suite and a demotion.
 */
export const VERIFICATION_STATES = ['pending', 'passed', 'failed'] as const;
export type VerificationState = (typeof VERIFICATION_STATES)[number];

/** An organism's name: its folder under organisms/, and a URL segment. */
export const ORGANISM_NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;
