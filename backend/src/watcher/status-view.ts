import type { Cause, HealMode, OrganismState, Verdict } from '../domain.js';
import type { GenomeRow, RunRow } from '../genome/store.js';
import type { Suite } from '../verification/suite.js';
import type { FailureDetail } from '../verification/verifier.js';
import type { Incident } from './incidents.js';
import type { Quarantine, Retry } from './recovery.js';
import type { StatsSnapshot } from './stats.js';

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
  backoff: Retry | null;
  quarantine: { reason: string; since: string; nextProbeMs: number } | null;
  crashLoop: boolean;
  healMode: HealMode;
  pendingProposals: number;
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

/** Everything the status response is made of, as the supervisor's parts hold it. */
export interface StatusFacts {
  organism: string;
  state: OrganismState;
  live: GenomeRow;
  lastRun: RunRow | null;
  lastFailure: RunRow | null;
  stats: StatsSnapshot;
  startedAt: number;
  healing: boolean;
  ladder: readonly string[];
  unavailable: readonly string[];
  backoff: Retry | null;
  quarantine: Quarantine | null;
  crashLoop: boolean;
  incident: Incident | null;
  suite: Suite;
  healMode: HealMode;
  pendingProposals: number;
}

/** The status response: the supervisor's facts in the shape the API promises. */
export function statusView(f: StatusFacts, now = Date.now()): StatusSnapshot {
  const failure = f.lastFailure;
  const live = f.live;
  return {
    organism: f.organism,
    state: f.state,
    generation: live.generation,
    genomeId: live.id,
    lastRun: f.lastRun,
    stats: f.stats,
    uptimeS: Math.round((now - f.startedAt) / 100) / 10,
    lastError:
      failure && failure.error !== null
        ? { verdict: failure.verdict, error: failure.error, at: failure.startedAt, generation: failure.generation }
        : null,
    lastMutation:
      live.cause === 'seed'
        ? null
        : { generation: live.generation, genomeId: live.id, cause: live.cause, at: live.createdAt, summary: live.summary },
    healing: {
      inProgress: f.healing,
      cannotHeal: f.quarantine?.reason ?? null,
      ladder: [...f.ladder],
      unavailable: [...f.unavailable],
    },
    backoff: f.backoff,
    quarantine: f.quarantine ? { reason: f.quarantine.reason, since: f.quarantine.since, nextProbeMs: f.quarantine.nextProbeMs } : null,
    crashLoop: f.crashLoop,
    healMode: f.healMode,
    pendingProposals: f.pendingProposals,
    lastIncident: f.incident,
    verification: liveVerification(live, f.suite),
  };
}

function liveVerification(live: GenomeRow, suite: Suite): LiveVerification {
  const d = live.verificationDetail;
  return {
    state: live.verification,
    suite: { fingerprint: suite.fingerprint, size: suite.cases.length, ...suite.counts },
    timeMs: typeof d.timeMs === 'number' ? d.timeMs : null,
    failure: (d.failure as FailureDetail | undefined) ?? null,
  };
}
