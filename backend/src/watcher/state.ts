import type { OrganismState, VerificationState, Verdict } from '../domain.js';

export interface StateInputs {
  paused: boolean;
  healing: boolean;
  /** Quarantined: the ladder gave up; the loop probes with a growing delay. */
  quarantined: boolean;
  /** Waiting before retrying a failure that may be transient. */
  backingOff: boolean;
  /**
   * The verdict of the newest run of the live genome in this process (a routine run, or the verification case it
   * failed on), or null when it has not been judged here yet.
   */
  lastVerdict: Verdict | null;
  /** The live genome's standing with its verification suite. */
  verification: VerificationState;
}

/**
 * Where the organism stands, derived from facts rather than stored, so it cannot drift from them. Healthy needs both a
 * passed verification and a passing verdict in this process; a genome not judged yet is verifying, never sick, and
 * sick always sits beside a failing verdict of the same genome.
 */
export function deriveState(s: StateInputs): OrganismState {
  if (s.paused) return 'paused';
  if (s.healing) return 'healing';
  if (s.quarantined) return 'quarantined';
  if (s.backingOff) return 'backoff';
  if (s.lastVerdict === null) return 'verifying';
  if (s.lastVerdict !== 'ok') return 'sick';
  return s.verification === 'passed' ? 'healthy' : 'verifying';
}
