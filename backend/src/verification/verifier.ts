/**
 * One organism's verifier: its current suite (rebuilt when the regression set grows), the record of which sources
 * passed or failed which suite, and the runs themselves (a verification, a heal's cheap trial, one input, a shrink),
 * each a sandboxed run of a scratch copy of the source.
 */
import os from 'node:os';
import type { GenomeStore, VerificationRecord } from '../genome/store.js';
import { sourceHash } from '../genome/store.js';
import { memoJudge } from '../evolution/judge-memo.js';
import type { Harness, Organism, VerificationSettings } from '../organism/manifest.js';
import type { Sandbox } from '../sandbox/types.js';
import { judgeRun, outputKillBytesOf, runGenomeOn, type GenomeRunResult } from '../watcher/run-genome.js';
import { BATCH_HOST_SOURCE } from '../runner/batch/host-source.js';
import { batchAvailable, runBatch, type BatchMode } from '../runner/batch/run-batch.js';
import { runCasesInBatch } from './batch-cases.js';
import { inputSize } from './input-hash.js';
import { runCases, passes, type CasesOutcome } from './runner.js';
import type { ScratchDir } from '../files/scratch.js';
import { shrink, type ShrinkResult } from './shrink.js';
import { buildSuite, edgeCases, propertyCases, regressionCases, withFirst, type Suite, type SuiteCase } from './suite.js';

export interface VerifierOptions {
  organism: Organism;
  store: GenomeStore;
  /** Where every run's private copy of the source lives (src/files: the organism's run directory, swept at start). */
  scratch: Pick<ScratchDir, 'withFile'>;
  outputCapBytes: number;
  killGraceMs: number;
  sandbox: Sandbox | null;
  /** VERIFY_PROPERTY_INPUTS: property inputs for every organism, over the manifest's. */
  propertyInputs?: number | null;
  /** Runs at once (default: the core count). */
  parallelism?: number;
  /**
   * HEAL_BATCH_PROOF: where a suite's passing inputs may be proven, in one sandboxed batch host (default 'contexts':
   * each in a vm context first), or false for a process per input. A failing input always gets its real run.
   */
  batch?: BatchMode | false;
}

/** Inputs over this size are not copied into records: their case's name and seed say how to make them again. */
const RECORDED_INPUT_MAX = 2000;

export interface VerificationFailure {
  case: SuiteCase;
  result: GenomeRunResult;
}

export interface Verification {
  passed: boolean;
  /** The suite's fingerprint and size (without a heal's failing input). */
  suite: string;
  size: number;
  runs: number;
  /** Of these, passing inputs proven in a batch proof's worker threads (runAll's `batch`). */
  inWorkers?: number;
  timeMs: number;
  /** The outcome was remembered for this source and suite: no suite run was needed. */
  reused: boolean;
  failure: VerificationFailure | null;
  /** Aborted before a verdict. */
  cancelled: boolean;
}

/** What a genome's verification record holds (GET /genomes/:id shows it). */
export interface VerificationDetail extends Record<string, unknown> {
  suite: string;
  suiteSize: number;
  runs: number;
  timeMs: number;
  reused: boolean;
  verifiedAt: string;
  failure: FailureDetail | null;
}

export interface FailureDetail extends Record<string, unknown> {
  case: string;
  kind: string;
  hash: string;
  seed: number;
  verdict: string;
  error: string | null;
  /** Null when too large to keep (the case's name and seed make it again). */
  input: unknown;
  size: number;
}

export function failureDetail(c: SuiteCase, r: Pick<GenomeRunResult, 'verdict' | 'error'>): FailureDetail {
  const size = inputSize(c.input);
  return { case: c.name, kind: c.kind, hash: c.hash, seed: c.seed, verdict: r.verdict, error: r.error, input: size <= RECORDED_INPUT_MAX ? c.input : null, size };
}

export class Verifier {
  private current: Suite;
  private readonly edge: { name: string; input: unknown }[];
  private readonly property: SuiteCase[];
  private readonly judges = new Map<string, Harness['judge']>();
  readonly settings: VerificationSettings;
  readonly parallelism: number;

  constructor(private readonly o: VerifierOptions) {
    this.settings = { ...o.organism.manifest.verification, ...(o.propertyInputs != null ? { propertyInputs: o.propertyInputs } : {}) };
    this.parallelism = Math.max(1, o.parallelism ?? os.availableParallelism());
    this.edge = edgeCases(o.organism);
    this.property = propertyCases(o.organism, this.settings, this.settings.propertyInputs);
    this.current = this.build();
  }

  get organism(): Organism {
    return this.o.organism;
  }

  /** The suite every new genome must pass now. */
  get suite(): Suite {
    return this.current;
  }

  /** Rebuilds the suite after the regression set changed; answers whether its fingerprint changed. */
  refresh(): boolean {
    const before = this.current.fingerprint;
    this.current = this.build();
    const kept = new Set(this.current.cases.map((c) => c.hash));
    for (const hash of this.judges.keys()) if (!kept.has(hash)) this.judges.delete(hash);
    return this.current.fingerprint !== before;
  }

  private build(): Suite {
    const regression = regressionCases(this.o.store.listCounterexamples(this.o.organism.name));
    return buildSuite({ regression, edge: this.edge, property: this.property });
  }

  /** What is known of a source against the current suite, without running anything. */
  known(source: string): VerificationRecord | null {
    return this.o.store.findVerification(this.o.organism.name, sourceHash(source), this.current.fingerprint);
  }

  /** What bounds every run of this verifier: for runs of another kind on the same organism (a heal's coverage runs). */
  get runLimits(): { outputCapBytes: number; killGraceMs: number; sandbox: Sandbox | null } {
    return { outputCapBytes: this.o.outputCapBytes, killGraceMs: this.o.killGraceMs, sandbox: this.o.sandbox };
  }

  /** A private scratch copy of a source for the length of `fn`. */
  withScratch<T>(source: string, fn: (file: string) => Promise<T>): Promise<T> {
    return this.o.scratch.withFile(source, fn);
  }

  /** A case of the current suite, by its input's hash. */
  caseByHash(hash: string): SuiteCase | null {
    return this.current.cases.find((c) => c.hash === hash) ?? null;
  }

  /**
   * The whole suite on a source, `first` ahead of it (a heal's failing input), up to `parallelism` runs at once,
   * stopping at the first failure; in a batch host unless HEAL_BATCH_PROOF=0. A source already judged against this suite runs only `first`. The suite's outcome
   * is remembered for the source.
   */
  async verify(source: string, o: { first?: SuiteCase | null; signal?: AbortSignal | undefined; fresh?: boolean; hostAfterMs?: number } = {}): Promise<Verification> {
    const suite = this.current;
    const base = { suite: suite.fingerprint, size: suite.cases.length };
    // `fresh`: a remembered failure did not reproduce, so the record is not trusted this time.
    const record = o.fresh ? null : this.o.store.findVerification(this.o.organism.name, sourceHash(source), suite.fingerprint);
    const first = o.first ?? null;
    // The same fingerprint holds the same cases, so the case a remembered failure names is in this suite.
    if (record?.outcome === 'failed') return { ...base, passed: false, runs: 0, timeMs: 0, reused: true, failure: this.replay(record), cancelled: false };
    const cases = record ? (first && !suite.cases.some((c) => c.hash === first.hash) ? [first] : []) : withFirst(suite.cases, first);
    const outcome = await this.runAll(source, cases, this.parallelism, o.signal, { batch: true, firstAlone: true, ...(o.hostAfterMs ? { hostAfterMs: o.hostAfterMs } : {}) });
    if (!outcome.cancelled && (o.fresh || !record) && (outcome.passed || (outcome.failure && outcome.failure.case.kind !== 'failing'))) {
      this.o.store.recordVerification({
        organism: this.o.organism.name,
        sourceHash: sourceHash(source),
        suite: suite.fingerprint,
        outcome: outcome.passed ? 'passed' : 'failed',
        detail: this.detail(suite, outcome, false),
      });
    }
    return { ...base, passed: outcome.passed, runs: outcome.runs, ...(outcome.inWorkers ? { inWorkers: outcome.inWorkers } : {}), timeMs: outcome.timeMs, reused: record !== null, failure: outcome.failure, cancelled: outcome.cancelled };
  }

  /** The record of a verification, for the genome it judged. */
  detail(suite: Pick<Suite, 'fingerprint' | 'cases'>, v: Pick<CasesOutcome, 'runs' | 'timeMs' | 'failure'>, reused: boolean): VerificationDetail {
    return {
      suite: suite.fingerprint,
      suiteSize: suite.cases.length,
      runs: v.runs,
      timeMs: v.timeMs,
      reused,
      verifiedAt: new Date().toISOString(),
      failure: v.failure ? failureDetail(v.failure.case, v.failure.result) : null,
    };
  }

  /** A heal's cheap check: the given cases one after the other, stopping at the first failure. */
  trial(source: string, cases: readonly SuiteCase[], signal?: AbortSignal): Promise<CasesOutcome> {
    return this.runAll(source, cases, 1, signal);
  }

  /** One run of a source on one input. */
  check(source: string, c: SuiteCase, signal?: AbortSignal): Promise<GenomeRunResult> {
    return this.o.scratch.withFile(source, (file) => this.runOne(file, c, signal));
  }

  /**
   * Shrinks an input on which `source` fails to a smaller one on which it still fails (any verdict but ok and slow),
   * within the manifest's budget of runs. Candidates the harness's validInput refuses are never run.
   */
  shrink(source: string, input: unknown, signal?: AbortSignal): Promise<ShrinkResult> {
    const h = this.o.organism.harness;
    return this.o.scratch.withFile(source, (file) =>
      shrink(input, {
        fails: async (candidate) => {
          const r = await this.runOne(file, { kind: 'failing', name: 'shrink candidate', input: candidate, seed: 0, hash: '' }, signal);
          return !passes(r.verdict) && !oracleFailed(r);
        },
        ...(h.validInput ? { valid: (c: unknown) => h.validInput!(c) } : {}),
        ...(h.shrink ? { candidates: (c: unknown) => h.shrink!(c) } : {}),
        maxRuns: this.settings.shrinkRuns,
        parallelism: this.parallelism,
        ...(signal ? { signal } : {}),
      }),
    );
  }

  /**
   * Any list of cases on a source, `parallelism` at once, to the first failure; nothing is remembered. With `batch`
   * (a proof's many inputs) the cases run first in one sandboxed batch host (batch-cases.ts) as HEAL_BATCH_PROOF says
   * (the verifier's `batch`), and only those that do not pass there as processes.
   */
  runAll(source: string, cases: readonly SuiteCase[], parallelism = this.parallelism, signal?: AbortSignal, o: { batch?: boolean; firstAlone?: boolean; hostAfterMs?: number } = {}): Promise<CasesOutcome> {
    if (cases.length === 0) return Promise.resolve({ passed: true, runs: 0, timeMs: 0, failure: null, cancelled: false });
    return this.o.scratch.withFile(source, (file) => {
      const one = (c: SuiteCase, s: AbortSignal) => this.runOne(file, c, s);
      // One case gains nothing from a host: it would be one process start either way.
      const mode = o.batch ? (this.o.batch ?? 'contexts') : false;
      if (!mode || cases.length < 2 || !batchAvailable()) return runCases(cases, one, { parallelism, signal });
      return runCasesInBatch(cases, (cs, s) => this.inHost(file, cs, parallelism, mode, s), one, { parallelism, signal, firstAlone: o.firstAlone === true, ...(o.hostAfterMs ? { hostAfterMs: o.hostAfterMs } : {}) });
    });
  }

  /** Each case in one batch host beside `file` (a vm context or a worker thread), judged as a run's outcome is (null: not reported). */
  private inHost(file: string, cases: readonly SuiteCase[], parallelism: number, mode: BatchMode, signal: AbortSignal | undefined): Promise<(GenomeRunResult | null)[]> {
    const { organism } = this.o;
    const limits = { outputCapBytes: this.o.outputCapBytes, sandbox: this.o.sandbox };
    return this.o.scratch.withFile(BATCH_HOST_SOURCE, async (host) => {
      const startedAt = new Date().toISOString();
      const outcomes = await runBatch({
        host,
        genome: file,
        stdins: cases.map((c) => JSON.stringify(c.input)),
        timeLimitMs: organism.manifest.timeLimitMs,
        maxOldSpaceMb: organism.manifest.maxOldSpaceMb,
        outputCapBytes: this.o.outputCapBytes,
        outputKillBytes: outputKillBytesOf(limits),
        killGraceMs: this.o.killGraceMs,
        sandbox: this.o.sandbox,
        parallelism,
        contexts: mode === 'contexts',
        organism: organism.name,
        ...(signal ? { signal } : {}),
      });
      return outcomes.map((out, i) => {
        const c = cases[i] as SuiteCase;
        return out ? judgeRun(organism, c.input, out, limits, { seed: c.seed, startedAt, judge: this.judgeOf(c) }) : null;
      });
    });
  }

  private runOne(file: string, c: SuiteCase, signal: AbortSignal | undefined): Promise<GenomeRunResult> {
    return runGenomeOn(
      this.o.organism,
      file,
      c.input,
      { outputCapBytes: this.o.outputCapBytes, killGraceMs: this.o.killGraceMs, sandbox: this.o.sandbox, standby: true, ...(signal ? { signal } : {}) },
      c.seed,
      this.judgeOf(c),
    );
  }

  /**
   * A suite case's oracle remembers its verdicts: every genome that answers a case rightly gives the same answer, and
   * an oracle may be slow (prime-sieve's trial division), on the server's event loop, once per run of every suite.
   */
  private judgeOf(c: SuiteCase): Harness['judge'] {
    if (c.kind === 'failing') return this.o.organism.harness.judge;
    let judge = this.judges.get(c.hash);
    if (!judge) this.judges.set(c.hash, (judge = memoJudge(this.o.organism.harness.judge, c.input)));
    return judge;
  }

  /** The failure a remembered outcome names, as a case of the current suite (null when it is no longer in it). */
  private replay(record: VerificationRecord): VerificationFailure | null {
    const f = record.detail.failure as FailureDetail | null | undefined;
    const c = f ? this.caseByHash(f.hash) : null;
    if (!f || !c) return null;
    return { case: c, result: { seed: c.seed, startedAt: record.verifiedAt, durationMs: 0, exitCode: null, signal: null, verdict: f.verdict as GenomeRunResult['verdict'], error: f.error, progress: [], stderr: '', input: c.input } };
  }
}

/** The oracle itself threw on the answer: the input is outside what the harness can judge, not a failure of the genome. */
function oracleFailed(r: GenomeRunResult): boolean {
  return r.verdict === 'wrong' && (r.error ?? '').startsWith('wrong answer: the oracle could not judge');
}
