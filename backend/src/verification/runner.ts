/**
 * Runs a genome on many cases in the order given, the first alone and then up to `parallelism` at once, and stops at
 * the first failure: the runs still in flight are killed and no new one starts.
 */
import type { Verdict } from '../domain.js';
import type { GenomeRunResult } from '../watcher/run-genome.js';
import type { SuiteCase } from './suite.js';

/** Correct answers. `slow` is correct too: a suite's runs share the machine, so their times say little. */
const PASSING: readonly Verdict[] = ['ok', 'slow'];

export interface CaseFailure {
  case: SuiteCase;
  result: GenomeRunResult;
}

export interface CasesOutcome {
  passed: boolean;
  /** Runs that finished (a transient failure's retry counts), a batch proof's passing worker runs included. */
  runs: number;
  /** Of these, cases that passed in a batch proof's worker thread instead of a process (batch-cases.ts). */
  inWorkers?: number;
  /** Wall time of the whole batch. */
  timeMs: number;
  /** The failure that stopped it; with several in flight, the first case in the order given. */
  failure: CaseFailure | null;
  /** Aborted from outside before a verdict (the live genome changed, the server stops). */
  cancelled: boolean;
}

export type RunCase = (c: SuiteCase, signal: AbortSignal) => Promise<GenomeRunResult>;

export function passes(verdict: Verdict): boolean {
  return PASSING.includes(verdict);
}

/** A hang or a death by signal may come from the machine: such a case gets a second run before it counts. */
export function mayBeTransient(r: Pick<GenomeRunResult, 'verdict' | 'signal'>): boolean {
  return r.verdict === 'hung' || (r.verdict === 'crashed' && r.signal !== null);
}

export async function runCases(
  cases: readonly SuiteCase[],
  run: RunCase,
  o: { parallelism: number; signal?: AbortSignal | undefined },
): Promise<CasesOutcome> {
  const started = performance.now();
  const stop = new AbortController();
  const onOuterAbort = () => stop.abort();
  o.signal?.addEventListener('abort', onOuterAbort, { once: true });
  const failures: { index: number; failure: CaseFailure }[] = [];
  let next = 0;
  let runs = 0;
  const step = async (index: number): Promise<void> => {
    const c = cases[index] as SuiteCase;
    let result = await run(c, stop.signal);
    runs++;
    if (!stop.signal.aborted && mayBeTransient(result)) {
      result = await run(c, stop.signal);
      runs++;
    }
    if (stop.signal.aborted || passes(result.verdict)) return;
    failures.push({ index, failure: { case: c, result } });
    stop.abort();
  };
  const worker = async () => {
    while (!stop.signal.aborted && next < cases.length) await step(next++);
  };
  try {
    // The first case alone: a genome that fails everything (most damage does) costs one run, as a routine run did.
    if (cases.length > 0) await step(next++);
    await Promise.all(Array.from({ length: Math.max(1, Math.min(o.parallelism, cases.length - 1)) }, worker));
  } finally {
    o.signal?.removeEventListener('abort', onOuterAbort);
  }
  failures.sort((a, b) => a.index - b.index);
  const failure = failures[0]?.failure ?? null;
  return {
    passed: failure === null && !o.signal?.aborted,
    runs,
    timeMs: Math.round(performance.now() - started),
    failure,
    cancelled: failure === null && o.signal?.aborted === true,
  };
}
