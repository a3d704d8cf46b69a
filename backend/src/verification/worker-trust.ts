/**
 * The trust rule of a batch proof (src/runner/batch): a case that passed in a worker thread counts as passed; every
 * other case (failed in its worker, in any way, or never reported) gets a real sandboxed process run, and that run's
 * verdict is the one recorded. So a worker only ever saves a passing input's process start: no failure, error
 * message or verdict comes from a worker.
 */
import type { Verdict } from '../domain.js';
import { passes } from './runner.js';

export interface WorkerTrust {
  /** Indexes of the cases that passed in their worker. */
  passed: number[];
  /** Indexes of the cases that need a real run, in the order given. */
  confirm: number[];
}

export function trustWorkers(results: readonly ({ verdict: Verdict } | null)[]): WorkerTrust {
  const passed: number[] = [];
  const confirm: number[] = [];
  results.forEach((r, i) => (r && passes(r.verdict) ? passed : confirm).push(i));
  return { passed, confirm };
}
