/**
 * What the dashboard does with each event of the live stream, as pure decisions: which queries to refresh, and the
 * state changes to keep for the badge. Tested without a browser or a backend.
 */
import type { OrganismState } from '@ouroboros/contract';

/** A stream event as the dashboard reads it (the backend's contract: README, "Live events"). */
export interface StreamEvent {
  type: string;
  id?: number;
  organism?: string;
  from?: OrganismState;
  to?: OrganismState;
  at?: string;
}

export type Refresh = 'status' | 'runs' | 'logs' | 'genomes' | 'evolution' | 'counterexamples' | 'proposals';

/** The queries an event makes stale. A resync (events were lost) makes everything stale. */
export function refreshesFor(type: string): readonly Refresh[] {
  switch (type) {
    case 'run':
      return ['status', 'runs'];
    case 'log':
      // The event carries the entry: it is appended to the log feed as it is (useEventStream), no request.
      return [];
    case 'state':
    case 'detected':
    case 'heal':
    case 'incident':
      return ['status'];
    case 'promoted':
    case 'chaos':
      return ['status', 'genomes'];
    case 'evolution':
      return ['evolution'];
    case 'proposal':
      return ['status', 'proposals'];
    case 'resync':
      return ['status', 'runs', 'logs', 'genomes', 'evolution', 'counterexamples', 'proposals'];
    default:
      return [];
  }
}

export interface Transition {
  from: OrganismState;
  to: OrganismState;
  /** Date.parse of the event's time, or the time it arrived. */
  at: number;
  id: number;
}

export const MAX_TRANSITIONS = 8;

/** The kept state changes after one more (by cursor id: a replayed one is not kept twice). */
export function addTransition(kept: readonly Transition[], t: Transition, max = MAX_TRANSITIONS): Transition[] {
  if (kept.some((k) => k.id === t.id)) return [...kept];
  const next = [...kept, t].sort((a, b) => a.id - b.id);
  return next.length > max ? next.slice(next.length - max) : next;
}

/**
 * The least time between two refreshes of a query the stream triggers. A busy organism runs many times a second:
 * its status and runs are refreshed at most once a second (fewer requests than polling all three every second), and
 * an idle organism costs no request at all.
 */
export const MIN_REFRESH_GAP_MS: Record<Refresh, number> = {
  status: 1000,
  runs: 1000,
  logs: 1000,
  genomes: 1000,
  evolution: 1000,
  counterexamples: 2000,
  proposals: 1000,
};

/** How long to wait before opening the stream again after its `failures`-th failure in a row. */
export function reconnectDelayMs(failures: number): number {
  return Math.min(30_000, 1000 * 2 ** Math.max(0, failures - 1));
}
