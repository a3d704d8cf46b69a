import type { OrganismState, Verdict } from '../domain.js';

export interface StateInputs {
  paused: boolean;
  healing: boolean;
  /** Quarantined: the ladder gave up; the loop probes with a growing delay. */
  quarantined: boolean;
  /** Waiting before retrying a failure that may be transient. */
  backingOff: boolean;
  /** The verdict of the newest run of the live genome, or null when it has not run yet. */
  lastVerdict: Verdict | null;
  /** Whether the live genome ever passed a run. */
  liveHealthy: boolean;
}

/** Where the organism stands, derived from facts rather than stored, so it cannot drift from them. */
export function deriveState(s: StateInputs): OrganismState {
  if (s.paused) return 'paused';
  if (s.healing) return 'healing';
  if (s.quarantined) return 'quarantined';
  if (s.backingOff) return 'backoff';
  if (s.lastVerdict === null) return s.liveHealthy ? 'healthy' : 'sick';
  return s.lastVerdict === 'ok' ? 'healthy' : 'sick';
}
