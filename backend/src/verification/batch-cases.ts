/**
 * A proof's cases in a batch (src/runner/batch): every case in a worker thread of one sandboxed process first, then
 * a real process run for each case the trust rule (worker-trust.ts) does not accept, to the first real failure, as
 * runCases does for a whole list.
 */
import type { GenomeRunResult } from '../watcher/run-genome.js';
import { runCases, type CasesOutcome, type RunCase } from './runner.js';
import type { SuiteCase } from './suite.js';
import { trustWorkers } from './worker-trust.js';

/** Each case's result in a worker, by index (null: not reported). Never a verdict on its own: see worker-trust.ts. */
export type RunInWorkers = (cases: readonly SuiteCase[], signal: AbortSignal | undefined) => Promise<(GenomeRunResult | null)[]>;

export async function runCasesInBatch(
  cases: readonly SuiteCase[],
  inWorkers: RunInWorkers,
  run: RunCase,
  o: { parallelism: number; signal?: AbortSignal | undefined; firstAlone?: boolean },
): Promise<CasesOutcome> {
  if (o.firstAlone && cases.length > 1) return firstThenBatch(cases, inWorkers, run, o);
  const started = performance.now();
  let results: (GenomeRunResult | null)[];
  try {
    results = await inWorkers(cases, o.signal);
  } catch {
    // The batch itself failed (its scratch files, its host): every case runs as a process.
    results = cases.map(() => null);
  }
  if (o.signal?.aborted) return { passed: false, runs: 0, timeMs: Math.round(performance.now() - started), failure: null, cancelled: true };
  const trust = trustWorkers(results);
  const real = await runCases(
    trust.confirm.map((i) => cases[i] as SuiteCase),
    run,
    o,
  );
  // As a run of the cases in order would say: what passed in the host after the first real failure was never needed.
  const failedAt = real.failure ? cases.indexOf(real.failure.case) : -1;
  const counted = failedAt < 0 ? trust.passed.length : trust.passed.filter((i) => i < failedAt).length;
  return {
    ...real,
    runs: real.runs + counted,
    inWorkers: counted,
    timeMs: Math.round(performance.now() - started),
  };
}

/**
 * The first case as a real process while the host takes the others, at once: most damage fails every input, and
 * its verdict then comes from one process start, as a routine run's did, instead of a host's start and then the
 * failing case's own process. When the first case fails the host is stopped; when it passes, the host's outcome
 * for the rest decides.
 */
async function firstThenBatch(
  cases: readonly SuiteCase[],
  inWorkers: RunInWorkers,
  run: RunCase,
  o: { parallelism: number; signal?: AbortSignal | undefined },
): Promise<CasesOutcome> {
  const started = performance.now();
  const rest = new AbortController();
  const stopRest = () => rest.abort();
  o.signal?.addEventListener('abort', stopRest, { once: true });
  try {
    const restOutcome = runCasesInBatch(cases.slice(1), inWorkers, run, { parallelism: o.parallelism, signal: rest.signal });
    const first = await runCases([cases[0] as SuiteCase], run, { parallelism: 1, signal: o.signal });
    if (!first.passed) {
      rest.abort();
      // The host's processes are gone before this returns: nothing of a failed verification runs on.
      await restOutcome;
      return { ...first, timeMs: Math.round(performance.now() - started) };
    }
    const r = await restOutcome;
    return {
      ...r,
      passed: r.passed && !o.signal?.aborted,
      runs: r.runs + first.runs,
      cancelled: r.cancelled,
      timeMs: Math.round(performance.now() - started),
    };
  } finally {
    o.signal?.removeEventListener('abort', stopRest);
  }
}
