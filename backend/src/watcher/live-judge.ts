import type { GenomeRow, RunRow } from '../genome/store.js';
import type { ScratchDir } from '../files/scratch.js';
import { createRng, randomSeed } from '../lib/rng.js';
import { demotes, type Demotion, type ImmuneMemory } from '../verification/immune-memory.js';
import { describeFailure } from '../verification/seed.js';
import { caseFor, type SuiteCase } from '../verification/suite.js';
import { failureDetail, type FailureDetail, type Verification, type Verifier } from '../verification/verifier.js';
import type { IncidentTracker } from './incidents.js';
import type { OrganismContext } from './context.js';
import { judgeRun, runGenomeOn, type GenomeRunResult, type RunLimits } from './run-genome.js';
import type { WarmHost } from '../runner/batch/warm-host.js';

/**
 * How long a new live genome's verification holds its batch host back while the first input runs as a process: longer
 * than that run takes on a standby under load (40-70 ms at 40 organisms on a 2-vCPU VM), short beside a time limit (a
 * hang gets its second run this much later). A genome that passes the first input sooner starts the host then: its
 * suite takes that one process run longer.
 */
const LIVE_HOST_AFTER_MS = 100;

export interface Judged {
  row: RunRow;
  result: GenomeRunResult;
}

export interface LiveJudgeDeps {
  /** Where routine runs execute their private copy of the source. */
  scratch: Pick<ScratchDir, 'withFile'>;
  limits: RunLimits;
  verifier: Verifier;
  immune: ImmuneMemory;
  incidents: IncidentTracker;
  /** Aborted when the supervisor stops. */
  stopping: AbortSignal;
  /** When this process started watching: chaos promoted before that is not reported on. */
  startedAt: number;
  /** ROUTINE_RUNS=contexts: the organism's warm host, where routine runs go first; null: each is a process. */
  warm?: WarmHost | null;
  /** Stores a run of a genome (a routine run, or the verification case it failed on). */
  recordRun: (genome: GenomeRow, result: GenomeRunResult, suiteCase: string | null, verification: boolean) => RunRow;
}

/**
 * Judges the live genome: its verification suite, its routine runs (replaying the case it failed on), and the
 * demotion of a verified genome that answers wrongly.
 */
export class LiveJudge {
  /** The case the live genome failed on, replayed by its next runs (a random input could pass by luck). */
  private failingCase: { genomeId: string; case: SuiteCase } | null = null;

  constructor(
    private readonly c: OrganismContext,
    private readonly d: LiveJudgeDeps,
  ) {}

  /** One routine run of the live genome, stored. */
  async runLive(): Promise<Judged> {
    const { organism, live } = this.c;
    const { limits } = this.d;
    const genome = live.current;
    // A genome known to fail an input is judged on that input again: a random one could pass by luck.
    const replay = genome.verification === 'failed' ? this.replayCase(genome) : null;
    const seed = replay ? replay.seed : randomSeed();
    const input = replay ? replay.input : organism.harness.generateInput(createRng(seed), organism.manifest.input);
    const result =
      (await this.inWarmHost(genome.source, input, seed)) ??
      // A private scratch copy, deleted after the run: no fsync (18-27 ms a run under I/O load). live.js keeps the atomic write.
      (await this.d.scratch.withFile(genome.source, (file) => runGenomeOn(organism, file, input, limits, seed)));
    const row = this.d.recordRun(genome, result, replay?.name ?? null, false);
    // The failure does not reproduce (or its input is unknown): judge the genome afresh rather than trust either verdict.
    if (row.verdict === 'ok' && genome.verification === 'failed') this.notReproduced(genome, row);
    return { row, result };
  }

  /**
   * The run in a fresh vm context of the organism's warm host (ROUTINE_RUNS=contexts), when it has an answer that
   * counts: a pass, or a hang that ran the whole time limit on the host's thread (as a process, the same code would
   * run at least as long, after its start). Null for anything else, which a real process run then decides, as it
   * does every run while the host is starting: a crash, a wrong answer, a slow one, an exit code, or an input that
   * reached past what a context offers.
   */
  private async inWarmHost(source: string, input: unknown, seed: number): Promise<GenomeRunResult | null> {
    const { warm, limits } = this.d;
    if (!warm) return null;
    const startedAt = new Date().toISOString();
    const outcome = await warm.run(source, JSON.stringify(input));
    if (!outcome) return null;
    const result = judgeRun(this.c.organism, input, outcome, limits, { seed, startedAt });
    if (result.verdict === 'hung') {
      // Nothing was killed: the host interrupted the context, and lives on for the next run.
      return { ...result, error: `no result within the ${this.c.organism.manifest.timeLimitMs} ms time limit; interrupted in its context of the warm host` };
    }
    return result.verdict === 'ok' ? result : null;
  }

  /**
   * Runs the live genome's whole suite. Null when it passed, or when the genome was replaced meanwhile; else the
   * failing case, recorded as a run of the genome, for the failure path.
   */
  async verifyLive(): Promise<Judged | null> {
    const { verifier } = this.d;
    const { say } = this.c;
    const genome = this.c.live.current;
    const signal = AbortSignal.any([this.c.live.changed, this.d.stopping]);
    // Nothing vouches for a new live genome (a chaos's, an edit's): its first input alone decides most damage, so the
    // suite's host waits for it a moment rather than start on the same cores (LIVE_HOST_AFTER_MS).
    let v = await verifier.verify(genome.source, { signal, hostAfterMs: LIVE_HOST_AFTER_MS });
    let result = v.failure?.result ?? null;
    if (v.failure && v.reused && !signal.aborted) {
      // A remembered failure: run its case now, for a real verdict and the evidence a heal needs.
      result = await verifier.check(genome.source, v.failure.case, signal);
      if (!signal.aborted && (result.verdict === 'ok' || result.verdict === 'slow')) {
        v = await verifier.verify(genome.source, { signal, fresh: true });
        result = v.failure?.result ?? null;
      }
    }
    if (v.cancelled || signal.aborted || this.c.live.id !== genome.id) return null;
    this.recordVerdict(genome, v);
    if (v.passed) {
      say('watcher', 'info', `generation ${genome.generation} verified: ${v.size} inputs passed${v.reused ? ' (remembered for this source)' : ` in ${v.timeMs} ms`}`);
      if (genome.cause === 'chaos' && Date.parse(genome.createdAt) >= this.d.startedAt) {
        // Not a miss: the corruption changed nothing any input of the suite could see.
        say('chaos', 'info', `generation ${genome.generation} passed its verification suite despite the chaos: an equivalent mutant, or one no input of the suite exposes`);
      }
      this.c.noteStateChange();
      return null;
    }
    const failure = v.failure!;
    this.failingCase = { genomeId: genome.id, case: failure.case };
    say('watcher', 'error', `generation ${genome.generation} fails its verification suite on ${describeFailure(v)}`);
    const row = this.d.recordRun(genome, result ?? failure.result, failure.case.name, true);
    return { row, result: result ?? failure.result };
  }

  /** Stores a suite's outcome on the genome it judged. */
  recordVerdict(genome: GenomeRow, v: Verification): void {
    const { verifier } = this.d;
    const detail = verifier.detail(verifier.suite, v, v.reused);
    this.c.store.setVerification(genome.id, v.passed ? 'passed' : 'failed', detail);
    this.c.live.update(genome.id, { verification: v.passed ? 'passed' : 'failed', healthy: v.passed, verificationDetail: detail });
  }

  /** A failed genome passed the input it failed on (or its input is unknown): its suite judges it afresh. */
  private notReproduced(genome: GenomeRow, row: RunRow): void {
    this.c.store.setVerification(genome.id, 'pending', { ...genome.verificationDetail, notReproduced: row.id });
    this.c.live.update(genome.id, { verification: 'pending' });
    this.failingCase = null;
  }

  /**
   * What a failed run means for the live genome's trust. A genome never verified is failed with the run as evidence.
   * A verified one that answered wrongly is demoted: its input, confirmed and shrunk, joins the immune memory. False
   * when the failure does not reproduce (nothing to heal).
   */
  async condemn({ row, result }: Judged): Promise<boolean> {
    const { store, say } = this.c;
    const g = this.c.live.current;
    if (row.genomeId !== g.id) return true;
    if (g.verification === 'pending') {
      const c = caseFor('failing', `routine run #${row.number} (seed ${row.seed})`, result.input, row.seed);
      const detail = { failure: failureDetail(c, row), runId: row.id, verifiedAt: new Date().toISOString() };
      store.setVerification(g.id, 'failed', detail);
      this.c.live.update(g.id, { verification: 'failed', verificationDetail: detail });
      this.failingCase = { genomeId: g.id, case: c };
      return true;
    }
    if (g.verification !== 'passed' || !demotes(row.verdict, row.signal)) return true;
    let demotion: Demotion | null;
    try {
      demotion = await this.d.immune.learn(g, { runId: row.id, input: result.input, verdict: row.verdict, error: row.error }, this.d.stopping);
    } catch (err) {
      if (this.d.stopping.aborted) return false;
      throw err;
    }
    if (!demotion) {
      say('watcher', 'warn', `generation ${g.generation} failed run #${row.number} but passed the same input again: not demoted`);
      return false;
    }
    const ce = demotion.counterexample;
    const refreshed = store.getGenome(g.id);
    if (refreshed) this.c.live.update(g.id, refreshed);
    this.failingCase = { genomeId: g.id, case: caseFor('regression', `counterexample #${ce.id}`, ce.input) };
    this.d.incidents.narrowedTo({ case: `counterexample #${ce.id}`, size: ce.shrunkSize, input: ce.input });
    const others = demotion.demoted.filter((id) => id !== g.id).length;
    say(
      'watcher',
      'warn',
      `generation ${g.generation} was verified but answered ${row.verdict} on run #${row.number}: demoted. Counterexample #${ce.id} ` +
        `(${ce.originalSize} -> ${ce.shrunkSize} characters in ${ce.shrinkRuns} shrinking runs) joins every verification; ` +
        `${demotion.kept.length} other baseline(s) pass it${others ? `, ${others} other genome(s) demoted with it` : ''}`,
    );
    this.c.noteStateChange();
    return true;
  }

  /** The input a failed genome is judged on again: the case it failed on, made again from its record if need be. */
  replayCase(genome: GenomeRow): SuiteCase | null {
    if (this.failingCase?.genomeId === genome.id) return this.failingCase.case;
    const f = genome.verificationDetail.failure as FailureDetail | undefined;
    if (!f) return null;
    const { organism } = this.c;
    const known = this.d.verifier.caseByHash(f.hash);
    const c = known ?? (f.seed > 0 ? caseFor('failing', f.case, organism.harness.generateInput(createRng(f.seed), organism.manifest.input), f.seed) : null);
    if (c) this.failingCase = { genomeId: genome.id, case: c };
    return c;
  }
}
