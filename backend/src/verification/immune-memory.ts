/**
 * Demotion and immune memory. When a verified genome fails a routine run, the input that exposed it is a bug its suite
 * missed: confirmed by a second run, shrunk, stored as a counterexample (joining every later verification), and the
 * genome loses its healthy mark with every genome of the same source. The other baselines a heal would use stay
 * verified only if they pass the new counterexample.
 */
import type { Verdict } from '../domain.js';
import type { CounterexampleRow, GenomeRow, GenomeStore } from '../genome/store.js';
import { inputHash, inputSize } from './input-hash.js';
import { passes } from './runner.js';
import type { GenomeRunResult } from '../watcher/run-genome.js';
import { caseFor, type SuiteCase } from './suite.js';
import { failureDetail, type Verifier } from './verifier.js';

export interface Exposure {
  /** The run that exposed it. */
  runId: number;
  input: unknown;
  verdict: Verdict;
  error: string | null;
}

export interface Demotion {
  counterexample: CounterexampleRow;
  /** Ids of every genome demoted: the failing one's source and any baseline that fails the counterexample. */
  demoted: string[];
  /** Baselines that passed the counterexample and stay verified. */
  kept: string[];
}

/** Only answers that are deterministically wrong demote: a hang, a signal or a slow run may be the machine's doing. */
export function demotes(verdict: Verdict, signal: string | null): boolean {
  return verdict === 'wrong' || verdict === 'oom' || (verdict === 'crashed' && signal === null);
}

export class ImmuneMemory {
  constructor(
    private readonly store: GenomeStore,
    private readonly verifier: Verifier,
    /** How many baselines are checked against a new counterexample: those a heal would use. */
    private readonly maxBaselines: number,
  ) {}

  private get organism(): string {
    return this.verifier.organism.name;
  }

  /**
   * Learns from a verified genome's failure: null when a second run on the same input passes (not reproducible, so
   * nothing is learnt), else the stored counterexample and who was demoted.
   */
  async learn(genome: GenomeRow, exposure: Exposure, signal?: AbortSignal): Promise<Demotion | null> {
    const again = await this.verifier.check(genome.source, caseFor('failing', `run #${exposure.runId}`, exposure.input), signal);
    if (passes(again.verdict)) return null;
    const shrunk = await this.verifier.shrink(genome.source, exposure.input, signal);
    const { row } = this.store.addCounterexample({
      organism: this.organism,
      inputHash: inputHash(shrunk.input),
      input: shrunk.input,
      original: exposure.input,
      originalSize: inputSize(exposure.input),
      shrunkSize: inputSize(shrunk.input),
      shrinkRuns: shrunk.runs,
      genomeId: genome.id,
      verdict: exposure.verdict,
      error: exposure.error,
    });
    const before = this.verifier.suite.fingerprint;
    const c = caseFor('regression', `counterexample #${row.id}`, row.input);
    const demotedBy = { counterexample: row.id, runId: exposure.runId, verdict: exposure.verdict, error: exposure.error, at: new Date().toISOString() };
    // `failure` names the case the genome is judged on again from now on, after a restart too.
    const demoted = this.store.demoteSource(this.organism, genome.sourceHash, { demotedBy, failure: failureDetail(c, again) });
    this.verifier.refresh();
    const kept: string[] = [];
    this.recordFailed(genome.sourceHash, c, again);
    const seen = new Set([genome.sourceHash]);
    for (const baseline of this.store.healthyGenomes(this.organism, genome.id, this.maxBaselines)) {
      if (seen.has(baseline.sourceHash)) continue;
      seen.add(baseline.sourceHash);
      const r = await this.verifier.check(baseline.source, c, signal);
      if (passes(r.verdict)) {
        kept.push(baseline.id);
        this.carryOver(baseline, before, row.id);
      } else {
        this.recordFailed(baseline.sourceHash, c, r);
        demoted.push(...this.store.demoteSource(this.organism, baseline.sourceHash, { demotedBy: { ...demotedBy, verdict: r.verdict, error: r.error, recheck: true }, failure: failureDetail(c, r) }));
      }
    }
    return { counterexample: row, demoted, kept };
  }

  /** Restoring a demoted source later must not run the suite again to learn that it fails. */
  private recordFailed(hash: string, c: SuiteCase, r: Pick<GenomeRunResult, 'verdict' | 'error'>): void {
    const suite = this.verifier.suite;
    this.store.recordVerification({
      organism: this.organism,
      sourceHash: hash,
      suite: suite.fingerprint,
      outcome: 'failed',
      detail: this.verifier.detail(suite, { runs: 1, timeMs: 0, failure: { case: c, result: r as GenomeRunResult } }, false),
    });
  }

  /** A baseline that passed the old suite and the new counterexample passes the new suite: no need to run it again. */
  private carryOver(g: GenomeRow, oldSuite: string, counterexample: number): void {
    const old = this.store.findVerification(this.organism, g.sourceHash, oldSuite);
    if (old?.outcome !== 'passed') return;
    this.store.recordVerification({
      organism: this.organism,
      sourceHash: g.sourceHash,
      suite: this.verifier.suite.fingerprint,
      outcome: 'passed',
      detail: { ...old.detail, suite: this.verifier.suite.fingerprint, suiteSize: this.verifier.suite.cases.length, carriedFrom: oldSuite, plus: counterexample },
    });
  }
}
