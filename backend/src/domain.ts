/**
 * The words of the domain, shared by the watcher, the store, the healer and the API. The dashboard reads the same
 * words: they live in the contract package, written once.
 */
import type { Verdict } from '@ouroboros/contract';

export {
  CAUSES,
  HEAL_MODES,
  LOG_LEVELS,
  PROPOSAL_KINDS,
  PROPOSAL_STATUSES,
  LOG_SOURCES,
  ORGANISM_NAME,
  STATES,
  VERDICTS,
  VERIFICATION_STATES,
  type Cause,
  type HealMode,
  type ProposalKind,
  type ProposalStatus,
  type LogLevel,
  type LogSource,
  type OrganismState,
  type Verdict,
  type VerificationState,
} from '@ouroboros/contract';

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
