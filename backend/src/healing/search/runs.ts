/**
 * What the search rung runs, from the organism's verifier: its suite, a held-out set of property inputs the search never
 * sees until a candidate has passed the suite, candidate runs (sandboxed as every run) and coverage runs.
 */
import type { Verdict } from '../../domain.js';
import type { CaseFailure, CasesOutcome } from '../../verification/runner.js';
import { propertyCases, type SuiteCase } from '../../verification/suite.js';
import type { Verifier } from '../../verification/verifier.js';
import { coverageRuns } from './coverage.js';

/** Held-out inputs are drawn from the verification seed with this salt, so they are never the suite's own. */
const HELD_OUT_SALT = 0x5eed_4e1d;
/** At least this many held-out inputs, however few property inputs the suite has. */
export const HELD_OUT_MIN = 12;

export interface CoverageSample {
  case: SuiteCase;
  verdict: Verdict;
  lines: ReadonlySet<number> | null;
}

export interface SearchRuns {
  /** The suite's cases now (a heal's failing input is not among them). */
  suite(): readonly SuiteCase[];
  /** Property inputs from another seed: checked only after a candidate passed the suite. */
  readonly heldOut: readonly SuiteCase[];
  /** The cases in order on a source, `parallelism` at once, to the first failure; `batch`: a proof's (Verifier.runAll). */
  run(source: string, cases: readonly SuiteCase[], parallelism: number, signal: AbortSignal, o?: { batch?: boolean }): Promise<CasesOutcome>;
  /**
   * The whole current suite on a source, every core at once, to the first failure; the outcome is remembered for the
   * source and the suite's fingerprint, so the ladder's own verification of the same source runs only the failing input.
   */
  verify(source: string, signal: AbortSignal): Promise<{ passed: boolean; runs: number; inWorkers?: number; failure: CaseFailure | null; cancelled: boolean }>;
  /** Each case on a source with the lines it ran (null: not measured), `parallelism` at once. */
  coverage(source: string, cases: readonly SuiteCase[], parallelism: number, signal: AbortSignal): Promise<CoverageSample[]>;
}

/** `count` property inputs from a seed the suite never uses, without any input the suite has. */
export function heldOutCases(v: Pick<Verifier, 'organism' | 'settings' | 'suite'>, count = Math.max(HELD_OUT_MIN, v.settings.propertyInputs)): SuiteCase[] {
  const inSuite = new Set(v.suite.cases.map((c) => c.hash));
  return propertyCases(v.organism, { seed: (v.settings.seed ^ HELD_OUT_SALT) >>> 0 }, count)
    .filter((c) => !inSuite.has(c.hash))
    .map((c) => ({ ...c, name: `held-out ${c.name}` }));
}

export function searchRunsFor(verifier: Verifier): SearchRuns {
  return {
    suite: () => verifier.suite.cases,
    heldOut: heldOutCases(verifier),
    run: (source, cases, parallelism, signal, o) => verifier.runAll(source, cases, parallelism, signal, o),
    verify: (source, signal) => verifier.verify(source, { signal }),
    coverage: async (source, cases, parallelism, signal) =>
      ((await coverageRuns(verifier, source, cases, parallelism, signal)) ?? cases.map((c) => ({ case: c, result: null, lines: null }))).map((r) => ({ case: r.case, verdict: r.result?.verdict ?? 'crashed', lines: r.lines })),
  };
}
