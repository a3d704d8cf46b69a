/**
 * A proof's cases in a batch (src/runner/batch): every case in a worker thread of one sandboxed process first, then
 * a real process run for each case the trust rule (worker-trust.ts) does not accept, to the first real failure, as
 * runCases does for a whole list.
 */
import type { GenomeRunResult } from '../watcher/run-genome.js';
import { mayBeTransient, passes, runCases, type CasesOutcome, type RunCase } from './runner.js';
import type { SuiteCase } from './suite.js';
import { trustWorkers } from './worker-trust.js';

/** Each case's result in a worker, by index (null: not reported). Never a verdict on its own: see worker-trust.ts. */
export type RunInWorkers = (cases: readonly SuiteCase[], signal: AbortSignal | undefined) => Promise<(GenomeRunResult | null)[]>;

export async function runCasesInBatch(
  cases: readonly SuiteCase[],
  inWorkers: RunInWorkers,
  run: RunCase,
  o: { parallelism: number; signal?: AbortSignal | undefined; firstAlone?: boolean; hostAfterMs?: number },
): Promise<CasesOutcome> {
  if (o.firstAlone && cases.length > 1) return firstThenBatch(cases, inWorkers, run, o);
  const started = performance.now();
  const results = await fromHost(cases, inWorkers, o.signal);
  if (o.signal?.aborted) return cancelledSince(started);
  return confirm(cases, results, run, o, started);
}

/** Each case's result in the host, or null for every case when the batch itself failed (its scratch files, its host). */
async function fromHost(cases: readonly SuiteCase[], inWorkers: RunInWorkers, signal: AbortSignal | undefined): Promise<(GenomeRunResult | null)[]> {
  try {
    return await inWorkers(cases, signal);
  } catch {
    return cases.map(() => null);
  }
}

function cancelledSince(started: number): CasesOutcome {
  return { passed: false, runs: 0, timeMs: Math.round(performance.now() - started), failure: null, cancelled: true };
}

/** The host's passes stand; every other case runs as a process, to the first real failure (worker-trust.ts). */
async function confirm(
  cases: readonly SuiteCase[],
  results: readonly (GenomeRunResult | null)[],
  run: RunCase,
  o: { parallelism: number; signal?: AbortSignal | undefined },
  started: number,
): Promise<CasesOutcome> {
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
 * The first case as a real process while the host takes every case, at once: most damage fails every input, and its
 * verdict then comes from one process start, as a routine run's did, instead of a host's start and then the failing
 * case's own process. A crash stops the host at once. A hang is the one failure a suite runs twice (it may be the
 * machine's): the host's run of the same case, made at the same time, is that second run when it hung too, so a hang
 * is known at the time limit rather than at twice it. When the first case passes, the host's results for the others
 * decide as in any batch. A failure of the first case returns as soon as the host is told to stop, not once it has.
 *
 * `hostAfterMs` holds the host back that long while the first case runs (a genome nothing vouches for yet, such as a
 * chaos's): a crash is then known before the host has started, without a Node start on the same cores at that moment
 * nor its kill to wait for, and a hang still gets its second run within the time limit and that delay.
 */
async function firstThenBatch(
  cases: readonly SuiteCase[],
  inWorkers: RunInWorkers,
  run: RunCase,
  o: { parallelism: number; signal?: AbortSignal | undefined; hostAfterMs?: number },
): Promise<CasesOutcome> {
  const started = performance.now();
  const host = new AbortController();
  const stopHost = () => host.abort();
  o.signal?.addEventListener('abort', stopHost, { once: true });
  let hosted: Promise<(GenomeRunResult | null)[]> | null = null;
  const startHost = () => (hosted ??= fromHost(cases, inWorkers, host.signal));
  const held = o.hostAfterMs ? setTimeout(startHost, o.hostAfterMs) : (startHost(), null);
  try {
    const first = cases[0] as SuiteCase;
    let result = await run(first, o.signal ?? host.signal);
    if (held) clearTimeout(held);
    let runs = 1;
    if (!o.signal?.aborted && !passes(result.verdict) && mayBeTransient(result)) {
      const seen = (await startHost())[0];
      if (!(seen && mayBeTransient(seen))) result = await run(first, o.signal ?? host.signal);
      runs++;
    }
    if (o.signal?.aborted) {
      host.abort();
      await hosted;
      return cancelledSince(started);
    }
    if (!passes(result.verdict)) {
      // Killed now, and not waited for: the verdict is the process run's, and a host killed in its start took as long
      // as a run on a loaded machine to report its end (it finishes on its own; fromHost never rejects).
      host.abort();
      return { passed: false, runs, timeMs: Math.round(performance.now() - started), failure: { case: first, result }, cancelled: false };
    }
    const rest = await confirm(cases.slice(1), (await startHost()).slice(1), run, o, started);
    return { ...rest, passed: rest.passed && !o.signal?.aborted, runs: rest.runs + runs, cancelled: rest.cancelled || o.signal?.aborted === true };
  } finally {
    if (held) clearTimeout(held);
    o.signal?.removeEventListener('abort', stopHost);
  }
}
