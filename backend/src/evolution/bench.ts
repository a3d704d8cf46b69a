/**
 * Measures fitness by running a genome as a real organism process (runGenome, so the sandbox applies) on each
 * input of the organism's fixed benchmark, and judging each answer with the organism's oracle.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import type { Verdict } from '../domain.js';
import { ScratchDir } from '../files/scratch.js';
import { checkSourceSize, DEFAULT_MAX_SOURCE_BYTES, SourceTooLarge } from '../files/source-size.js';
import { createRng } from '../lib/rng.js';
import type { Mutex } from '../lib/mutex.js';
import type { BenchmarkInput, FitnessSettings, Harness, Organism } from '../organism/manifest.js';
import type { Sandbox } from '../sandbox/types.js';
import { runGenome, type GenomeRunResult, type RunLimits } from '../watcher/run-genome.js';
import { codeSize, median, type FailedFitness, type Fitness, type InputTiming, type PassedFitness } from './fitness.js';
import { memoJudge } from './judge-memo.js';

export interface BenchOptions {
  /** Where candidate files are written: DATA_DIR/organisms/<name>/evolve. */
  dir: string;
  /** The server's OUTPUT_CAP_BYTES; benchmark runs keep at least the manifest's fitness.outputCapBytes. */
  outputCapBytes: number;
  killGraceMs?: number;
  sandbox?: Sandbox | null;
  /** Serialises measurements server-wide, so two measurements never time each other's load. */
  lock: Mutex;
  /** DATA_DIR, trusted: the directories from it down to `dir` are checked to be the server's own. */
  dataDir?: string;
  /** MAX_SOURCE_BYTES: a larger candidate fails the gate unrun. */
  maxSourceBytes?: number;
}

export interface MeasureOptions {
  signal?: AbortSignal | undefined;
  /** Tighter time limits for the timed inputs, by name: a run over one gives the measurement up. */
  timeLimitsMs?: ReadonlyMap<string, number> | undefined;
}

export interface ScreenOptions extends MeasureOptions {
  /** Give up after the first round when the candidate took more than this many times the incumbent's time. */
  giveUpRatio?: number | undefined;
}

export type MeasureResult = { fitness: Fitness; gaveUp: null } | { fitness: null; gaveUp: string; input: string; limitMs: number };

export class BenchCancelled extends Error {
  override name = 'BenchCancelled';
}

/** Correct answers: `slow` (over the organism's own budget, on an edge case) is still correct; a timed run cannot be `slow`. */
const PASSING: readonly Verdict[] = ['ok', 'slow'];
/**
 * What a timed run's time is: CPU time (user + system) of the organism's process, which the machine's load barely
 * moves, where wall time let two busy processes make a candidate look 18 % faster than itself. Part of the
 * benchmark's fingerprint, so that measurements made with another clock are never compared with these.
 */
const CLOCK = 'cpu';

/** One timed run: its CPU time (the measurement) and its wall time (which counts what it waits for too). */
interface Sample {
  cpuMs: number;
  wallMs: number;
}

/** A timed run's sample, or null when it failed or reported no CPU time. */
const sampleOf = (res: GenomeRunResult): Sample | null =>
  PASSING.includes(res.verdict) && typeof res.cpuMs === 'number' ? { cpuMs: res.cpuMs, wallMs: res.durationMs } : null;

/** One repeat of a paired measurement: the timed inputs' CPU times summed, candidate and incumbent, and their wall times. */
export interface Pair {
  candidateMs: number;
  incumbentMs: number;
  candidateWallMs?: number;
  incumbentWallMs?: number;
}

export interface PairResult {
  candidate: Fitness;
  incumbent: Fitness;
  /** The rounds in which both answered, in order. */
  pairs: Pair[];
}

interface TimedResult {
  candidate: Fitness;
  incumbent: Fitness | null;
  pairs: Pair[];
}

/** A first measurement: given up (clearly slower), or the candidate's fitness with the incumbent's, measured alongside (null when the candidate failed an edge case and the incumbent never ran). */
export type ScreenResult =
  | { gaveUp: null; candidate: Fitness; incumbent: Fitness | null; pairs: Pair[] }
  | { gaveUp: string; candidate: null; incumbent: null; pairs: Pair[] };

/** The fixed benchmark of one organism, and the means to measure a source on it. */
export class Bench {
  readonly settings: FitnessSettings;
  readonly inputs: readonly BenchmarkInput[];
  /** The edge cases first (they fail fast), then the timed inputs. */
  readonly gateOrder: readonly BenchmarkInput[];
  readonly timed: readonly BenchmarkInput[];
  readonly fingerprint: string;
  /** One remembering judge per benchmark input, for the life of the server (see memoJudge). */
  private readonly judges = new Map<BenchmarkInput, Harness['judge']>();
  private readonly scratch: ScratchDir;

  private constructor(
    readonly organism: Organism,
    private readonly o: BenchOptions,
  ) {
    const settings = organism.manifest.fitness;
    const make = organism.harness.benchmarkInputs;
    if (!settings || !make) throw new Error(`${organism.name} defines no fitness`);
    this.settings = settings;
    this.inputs = Object.freeze(make(createRng(settings.seed), settings.benchmark));
    if (this.inputs.length === 0) throw new Error(`${organism.name}: benchmarkInputs returned no input`);
    this.timed = this.inputs.filter((i) => i.timed);
    if (this.timed.length === 0) throw new Error(`${organism.name}: benchmarkInputs marks no input as timed`);
    this.gateOrder = [...this.inputs.filter((i) => !i.timed), ...this.timed];
    const root = o.dataDir ?? path.dirname(o.dir);
    this.scratch = new ScratchDir(root, path.relative(root, o.dir).split(path.sep), o.maxSourceBytes ?? DEFAULT_MAX_SOURCE_BYTES);
    this.fingerprint = createHash('sha256')
      .update(JSON.stringify(this.inputs.map((i) => [i.name, i.timed === true, i.input])))
      .update(`\0${settings.repeats}\0${CLOCK}`)
      .digest('hex')
      .slice(0, 16);
  }

  /** The organism's benchmark, or null when its manifest defines no fitness. */
  static for(organism: Organism, o: BenchOptions): Bench | null {
    if (!organism.manifest.fitness || !organism.harness.benchmarkInputs) return null;
    return new Bench(organism, o);
  }

  get repeats(): number {
    return this.settings.repeats;
  }

  /** The time limit of a timed input's run (the edge cases keep the organism's own). */
  get timedLimitMs(): number {
    return this.settings.timeLimitMs ?? this.organism.manifest.timeLimitMs * 5;
  }

  private judgeOf(input: BenchmarkInput): Harness['judge'] {
    let judge = this.judges.get(input);
    if (!judge) this.judges.set(input, (judge = memoJudge(this.organism.harness.judge, input.input)));
    return judge;
  }

  /** Removes candidate files a crash left behind. */
  async sweep(): Promise<void> {
    await this.scratch.sweep();
  }

  /** Gate, then speed, alone: every edge case once (stopping at the first failure), then the timed inputs `repeats` times. */
  measure(source: string, opts: MeasureOptions = {}): Promise<MeasureResult> {
    const tooLarge = this.oversized(source);
    if (tooLarge) return Promise.resolve({ fitness: tooLarge, gaveUp: null });
    return this.o.lock.runExclusive(() =>
      this.withFile(source, async (file) => {
        const edge = await this.edgeGate(source, file, opts.signal);
        if (edge) return { fitness: edge, gaveUp: null };
        const t = await this.timedPhase({ file, source, limits: opts.timeLimitsMs }, null, { repeats: this.repeats, signal: opts.signal });
        return 'gaveUp' in t ? { fitness: null, ...t.gaveUp } : { fitness: t.candidate, gaveUp: null };
      }),
    );
  }

  /**
   * A candidate's first measurement: the gate on the edge cases, then its timed runs interleaved with the
   * incumbent's (incumbent, candidate, then candidate, incumbent...), so that whatever else loads the machine
   * weighs on both alike. Given up once the candidate is clearly slower: a run over its time limit in
   * `timeLimitsMs`, or a first round over `giveUpRatio` times the incumbent's.
   */
  screen(candidate: string, incumbent: string, opts: ScreenOptions = {}): Promise<ScreenResult> {
    const tooLarge = this.oversized(candidate);
    if (tooLarge) return Promise.resolve({ gaveUp: null, candidate: tooLarge, incumbent: null, pairs: [] });
    return this.o.lock.runExclusive(() =>
      this.withFile(candidate, (cFile) =>
        this.withFile(incumbent, async (iFile): Promise<ScreenResult> => {
          const edge = await this.edgeGate(candidate, cFile, opts.signal);
          if (edge) return { gaveUp: null, candidate: edge, incumbent: null, pairs: [] };
          const t = await this.timedPhase({ file: cFile, source: candidate, limits: opts.timeLimitsMs }, { file: iFile, source: incumbent }, {
            repeats: this.repeats,
            signal: opts.signal,
            giveUpRatio: opts.giveUpRatio,
          });
          return 'gaveUp' in t ? { gaveUp: t.gaveUp.gaveUp, candidate: null, incumbent: null, pairs: [] } : { gaveUp: null, ...t };
        }),
      ),
    );
  }

  /**
   * The confirming second measurement: the timed runs of both, interleaved, `repeats` pairs (the benchmark's by
   * default). Both passed the edge cases already; the timed answers are judged again.
   */
  measurePair(candidate: string, incumbent: string, opts: { signal?: AbortSignal; repeats?: number } = {}): Promise<PairResult> {
    return this.o.lock.runExclusive(() =>
      this.withFile(candidate, (cFile) =>
        this.withFile(incumbent, async (iFile) => {
          const t = await this.timedPhase({ file: cFile, source: candidate }, { file: iFile, source: incumbent }, { repeats: opts.repeats ?? this.repeats, signal: opts.signal });
          if ('gaveUp' in t || t.incumbent === null) throw new Error('unreachable: no time limit was tightened, and an incumbent ran');
          return { candidate: t.candidate, incumbent: t.incumbent, pairs: t.pairs };
        }),
      ),
    );
  }

  /** A source over MAX_SOURCE_BYTES fails the gate without being written or run; null when it may be measured. */
  private oversized(source: string): FailedFitness | null {
    try {
      checkSourceSize(source, this.scratch.maxBytes, 'the candidate');
      return null;
    } catch (err) {
      if (!(err instanceof SourceTooLarge)) throw err;
      return { gate: 'failed', reason: err.message, input: null, verdict: 'wrong', codeSize: codeSize(source), benchmark: this.fingerprint, measuredAt: new Date().toISOString() };
    }
  }

  /** The edge cases, in order, under the organism's own limits: the first failure, or null when all pass. */
  private async edgeGate(source: string, file: string, signal: AbortSignal | undefined): Promise<FailedFitness | null> {
    for (const input of this.gateOrder) {
      if (input.timed) break;
      this.checkSignal(signal);
      const res = await this.runOnce(file, input, null);
      if (!PASSING.includes(res.verdict)) return this.failed(source, input, res);
    }
    return null;
  }

  /**
   * The timed inputs, `repeats` rounds, the candidate alone or interleaved with an incumbent. The candidate's first
   * round on each input completes the gate. A failure of the candidate ends it; one of the incumbent only stops the
   * pairing.
   */
  private async timedPhase(
    c: { file: string; source: string; limits?: ReadonlyMap<string, number> | undefined },
    i: { file: string; source: string } | null,
    o: { repeats: number; signal?: AbortSignal | undefined; giveUpRatio?: number | undefined },
  ): Promise<TimedResult | { gaveUp: { gaveUp: string; input: string; limitMs: number } }> {
    const samples = { c: this.timed.map(() => [] as Sample[]), i: this.timed.map(() => [] as Sample[]) };
    let incumbentFailed: FailedFitness | null = null;
    const pairs: Pair[] = [];
    for (let r = 0; r < o.repeats; r++) {
      const sums = { c: 0, i: 0, cWall: 0, iWall: 0 };
      for (const [k, input] of this.timed.entries()) {
        const order: ('c' | 'i')[] = i === null || incumbentFailed ? ['c'] : r % 2 === 0 ? ['i', 'c'] : ['c', 'i'];
        for (const who of order) {
          this.checkSignal(o.signal);
          if (who === 'i' && i) {
            const res = await this.runOnce(i.file, input);
            const sample = sampleOf(res);
            if (sample === null) incumbentFailed = this.failed(i.source, input, res);
            else {
              samples.i[k]?.push(sample);
              sums.i += sample.cpuMs;
              sums.iWall += sample.wallMs;
            }
            continue;
          }
          const limit = Math.round(Math.min(this.timedLimitMs, c.limits?.get(input.name) ?? Infinity));
          const res = await this.runOnce(c.file, input, limit);
          if (res.verdict === 'hung' && limit < this.timedLimitMs) {
            return { gaveUp: { gaveUp: `gave up on "${input.name}" after ${limit} ms`, input: input.name, limitMs: limit } };
          }
          // On a later round, a failure means a flaky or resource-bound program: not correct enough either.
          const sample = sampleOf(res);
          if (sample === null) {
            return { candidate: this.failed(c.source, input, res), incumbent: i && (incumbentFailed ?? this.passed(i.source, samples.i, r)), pairs };
          }
          samples.c[k]?.push(sample);
          sums.c += sample.cpuMs;
          sums.cWall += sample.wallMs;
        }
      }
      if (i && !incumbentFailed) {
        pairs.push({ candidateMs: round(sums.c), incumbentMs: round(sums.i), candidateWallMs: round(sums.cWall), incumbentWallMs: round(sums.iWall) });
        if (r === 0 && o.giveUpRatio !== undefined) {
          // Clearly slower by either clock: working more, or waiting more (a sleep costs no CPU, but users wait for it).
          const ratio = o.giveUpRatio;
          const slower = ([['CPU time', sums.c, sums.i], ['wall time', sums.cWall, sums.iWall]] as const).find(([, mine, theirs]) => mine > ratio * theirs + 50);
          if (slower) {
            const [clock, mine, theirs] = slower;
            return { gaveUp: { gaveUp: `gave up after one round: ${Math.round(mine)} ms of ${clock} against the live genome's ${Math.round(theirs)} ms`, input: '', limitMs: ratio * theirs } };
          }
        }
      }
    }
    return {
      candidate: this.passed(c.source, samples.c, o.repeats),
      incumbent: i && (incumbentFailed ?? this.passed(i.source, samples.i, o.repeats)),
      pairs,
    };
  }

  /** A measurement given up on a tightened time limit, as a failed gate (for the record: no answer within the limit). */
  gaveUpAsFailed(source: string, r: { gaveUp: string; input: string; limitMs: number }, why: string): FailedFitness {
    return {
      gate: 'failed',
      reason: `hung on "${r.input}": no answer within ${Math.round(r.limitMs)} ms (${why})`,
      input: r.input || null,
      verdict: 'hung',
      codeSize: codeSize(source),
      benchmark: this.fingerprint,
      measuredAt: new Date().toISOString(),
    };
  }

  private passed(source: string, samples: Sample[][], repeats = this.repeats): PassedFitness {
    const inputs: InputTiming[] = this.timed.map((input, k) => {
      const of = samples[k] ?? [];
      return {
        name: input.name,
        medianMs: round(median(of.map((x) => x.cpuMs))),
        samplesMs: of.map((x) => x.cpuMs),
        wallMedianMs: round(median(of.map((x) => x.wallMs))),
      };
    });
    return {
      gate: 'passed',
      timeMs: round(inputs.reduce((sum, i) => sum + i.medianMs, 0)),
      wallMs: round(inputs.reduce((sum, i) => sum + (i.wallMedianMs ?? 0), 0)),
      codeSize: codeSize(source),
      repeats,
      inputs,
      gateInputs: this.inputs.length,
      benchmark: this.fingerprint,
      measuredAt: new Date().toISOString(),
    };
  }

  private failed(source: string, input: BenchmarkInput, res: GenomeRunResult): FailedFitness {
    const error = res.error ? `: ${res.error.length > 300 ? `${res.error.slice(0, 300)}…` : res.error}` : '';
    const unmeasured = PASSING.includes(res.verdict) && res.cpuMs === null ? ' but reported no CPU time (it ended without Node\'s exit event)' : '';
    return {
      gate: 'failed',
      reason: `${res.verdict} on "${input.name}"${unmeasured}${error}`,
      input: input.name,
      verdict: res.verdict,
      codeSize: codeSize(source),
      benchmark: this.fingerprint,
      measuredAt: new Date().toISOString(),
    };
  }

  /**
   * One run on one input. An edge case runs under the organism's own limits (time limit and `slow` budget); a timed
   * input under the benchmark's time limit (or `timeLimitMs`), with no `slow` budget: its time is the measurement.
   */
  private runOnce(file: string, input: BenchmarkInput, timeLimitMs: number | null = this.timedLimitMs): Promise<GenomeRunResult> {
    const { organism } = this;
    const limit = timeLimitMs === null ? null : Math.max(50, Math.round(timeLimitMs));
    const derived: Organism = {
      ...organism,
      manifest: limit === null ? organism.manifest : { ...organism.manifest, timeLimitMs: limit, slowMs: limit },
      harness: { ...organism.harness, generateInput: () => input.input, judge: this.judgeOf(input) },
    };
    const limits: RunLimits = {
      outputCapBytes: Math.max(this.o.outputCapBytes, this.settings.outputCapBytes),
      killGraceMs: this.o.killGraceMs ?? 500,
      sandbox: this.o.sandbox ?? null,
      // A timed run's time is its CPU time: the machine's load cannot make it faster or slower.
      ...(input.timed ? { measureCpu: true } : {}),
    };
    return runGenome(derived, file, 0, limits);
  }

  private withFile<T>(source: string, fn: (file: string) => Promise<T>): Promise<T> {
    return this.scratch.withFile(source, fn);
  }

  private checkSignal(signal: AbortSignal | undefined): void {
    if (signal?.aborted) throw new BenchCancelled('the measurement was cancelled');
  }
}

const round = (ms: number) => Math.round(ms * 100) / 100;
