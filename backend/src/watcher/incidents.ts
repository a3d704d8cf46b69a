import type { Verdict } from '../domain.js';
import type { RunRow } from '../genome/store.js';
import { inputSize } from '../verification/input-hash.js';

/** From the first failing run to the next passing one. */
export interface Incident {
  generation: number;
  verdict: Verdict;
  detectedAt: string;
  healedAt: string | null;
  timeToHealMs: number | null;
  /** The smallest input known to fail: the shrunk counterexample of a demotion, else the failing case (null if large). */
  failingInput: { case: string; size: number; input: unknown } | null;
}

/** A failing input larger than this (in JSON characters) is named in the incident, not copied into it. */
const INCIDENT_INPUT_MAX = 2000;

/** The organism's newest incident: opened by the first failing run, closed by the next passing one. */
export class IncidentTracker {
  private incident: Incident | null = null;

  get latest(): Incident | null {
    return this.incident;
  }

  private get open(): boolean {
    return this.incident !== null && this.incident.healedAt === null;
  }

  /** A failing run: opens an incident unless one is open already; true when it opened one. */
  failed(row: RunRow, input: unknown): boolean {
    if (this.open) return false;
    const size = inputSize(input);
    this.incident = {
      generation: row.generation,
      verdict: row.verdict,
      detectedAt: new Date(Date.parse(row.startedAt) + row.durationMs).toISOString(),
      healedAt: null,
      timeToHealMs: null,
      failingInput: { case: row.suiteCase ?? `routine run #${row.number} (seed ${row.seed})`, size, input: size <= INCIDENT_INPUT_MAX ? input : null },
    };
    return true;
  }

  /** A passing run: closes the open incident and returns how long it lasted, or null when none was open. */
  passed(row: RunRow): number | null {
    if (!this.incident || !this.open) return null;
    const healedAt = Date.parse(row.startedAt) + row.durationMs;
    const timeToHealMs = Math.round(healedAt - Date.parse(this.incident.detectedAt));
    this.incident = { ...this.incident, healedAt: new Date(healedAt).toISOString(), timeToHealMs };
    return timeToHealMs;
  }

  /** A smaller failing input was found (a shrunk counterexample): the open incident names it instead. */
  narrowedTo(failingInput: { case: string; size: number; input: unknown }): void {
    if (this.incident && this.open) this.incident = { ...this.incident, failingInput };
  }
}
