import { EventEmitter } from 'node:events';
import type { Cause, OrganismState, Verdict } from '../domain.js';
import type { ProposalRow } from '../genome/proposals.js';
import type { RunRow } from '../genome/store.js';
import type { Incident } from './incidents.js';

/** What a supervisor tells the rest of the server (metrics, the event stream, tests) as it happens. */
export interface SupervisorEventMap {
  /** `run` is the row as stored. */
  run: [{ organism: string; verdict: Verdict; durationMs: number; generation: number; run: RunRow }];
  /** The first failing run of a new genome: how long the damage went unnoticed. */
  detected: [{ organism: string; cause: Cause; verdict: Verdict; detectMs: number }];
  healed: [{ organism: string; strategy: string; healMs: number }];
  'heal-failed': [{ organism: string; reason: string }];
  promoted: [{ organism: string; cause: Cause; generation: number; genomeId: string; summary: string }];
  chaos: [{ organism: string; type: string; line: number; description: string; genomeId: string; generation: number }];
  /** The organism's state changed (healthy, sick, healing...). */
  state: [{ organism: string; from: OrganismState; to: OrganismState }];
  /** An incident opened (the first failing run) or closed (the next passing run, with its time to heal). */
  incident: [{ organism: string; phase: 'opened' | 'closed'; incident: Incident }];
  /** HEAL_MODE=propose: a verified change waits for a decision (proposed), or got one (decided: approved, rejected, superseded). */
  proposal: [{ organism: string; phase: 'proposed' | 'decided'; proposal: ProposalRow }];
}

export class SupervisorEvents extends EventEmitter<SupervisorEventMap> {}
