import { EventEmitter } from 'node:events';
import type { Cause, Verdict } from '../domain.js';

/** What a supervisor tells the rest of the server (metrics, tests) as it happens. */
export interface SupervisorEventMap {
  run: [{ organism: string; verdict: Verdict; durationMs: number; generation: number }];
  /** The first failing run of a new genome: how long the damage went unnoticed. */
  detected: [{ organism: string; cause: Cause; verdict: Verdict; detectMs: number }];
  healed: [{ organism: string; strategy: string; healMs: number }];
  'heal-failed': [{ organism: string; reason: string }];
  promoted: [{ organism: string; cause: Cause; generation: number }];
  chaos: [{ organism: string; type: string }];
}

export class SupervisorEvents extends EventEmitter<SupervisorEventMap> {}
