/**
 * Fitness: how good a genome is, beyond "it passed a run".
 *
 * 1. Correctness is a gate: the organism's oracle must accept the answer on every input of a fixed, seeded
 *    benchmark (edge cases and large inputs). A genome that fails the gate has no fitness.
 * 2. Then speed: for each timed (large) input, the median CPU time (user + system) of the whole organism process
 *    over repeated runs; the fitness time is their sum. Lower is better. CPU time, not wall time: what else loads the
 *    machine barely changes it (see watcher/cpu-report.ts).
 * 3. Code size, in syntax tokens (comments, whitespace and names' lengths do not count), breaks ties.
 *
 * Two fitnesses compare with a margin: a candidate is better only when it is faster by the margin, or when it is
 * as fast (within the margin, and not measured slower) and strictly smaller. Symmetrically it is worse when it is
 * slower by the margin, or as fast (not measured faster) and larger. Everything else is a tie.
 */
import { tokenizer } from 'acorn';
import type { Verdict } from '../domain.js';
import type { FitnessRow } from '../genome/store.js';
import { ACORN_OPTIONS } from '../chaos/ast.js';

export interface InputTiming {
  name: string;
  /** The median of `samplesMs`. */
  medianMs: number;
  /** CPU times of the runs (ms). */
  samplesMs: number[];
  /** The median wall time of the same runs (absent in measurements made before it was kept). */
  wallMedianMs?: number;
}

export interface PassedFitness {
  gate: 'passed';
  /** Sum over the timed inputs of the median CPU time of a run (ms). */
  timeMs: number;
  /**
   * The same sum of wall times: not the measure (load sways it), but a guard, since a genome that sleeps or waits
   * costs no CPU and still keeps its users waiting (absent in measurements made before it was kept).
   */
  wallMs?: number;
  /** Syntax tokens of the source. */
  codeSize: number;
  repeats: number;
  inputs: InputTiming[];
  /** Inputs the oracle accepted (all of the benchmark). */
  gateInputs: number;
  /** Fingerprint of the benchmark inputs: fitnesses compare only on the same benchmark. */
  benchmark: string;
  measuredAt: string;
  /** The genome whose measurement this copies (the same source, measured before). */
  reusedFrom?: string | null;
}

export interface FailedFitness {
  gate: 'failed';
  /** Why: the input and what went wrong on it. */
  reason: string;
  input: string | null;
  verdict: Verdict | null;
  codeSize: number;
  benchmark: string;
  measuredAt: string;
  reusedFrom?: string | null;
}

export type Fitness = PassedFitness | FailedFitness;

export type Comparison = {
  verdict: 'better' | 'tied' | 'worse';
  /** What decided: the gate, speed, or code size breaking a tie on speed. */
  basis: 'gate' | 'speed' | 'size' | 'none';
  reason: string;
};

/** Syntax tokens of a source (its size for the tie-break); the byte length when it does not parse. */
export function codeSize(source: string): number {
  let n = 0;
  try {
    for (const token of tokenizer(source, ACORN_OPTIONS)) {
      if (token.type.label !== 'eof') n++;
    }
    return n;
  } catch {
    return Buffer.byteLength(source, 'utf8');
  }
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

const round = (ms: number) => Math.round(ms * 100) / 100;
const pct = (ratio: number) => `${Math.round(Math.abs(1 - ratio) * 1000) / 10}%`;

/**
 * Compares a candidate's fitness with an incumbent's. `margin` (0.1 = 10 %) is how much faster the candidate must
 * be; within the margin the speeds tie, and the smaller code wins the tie if it was not measured slower.
 */
export function compareFitness(candidate: Fitness, incumbent: Fitness, margin: number): Comparison {
  if (candidate.gate === 'failed') return { verdict: 'worse', basis: 'gate', reason: `fails the gate: ${candidate.reason}` };
  if (incumbent.gate === 'failed') return { verdict: 'better', basis: 'gate', reason: `passes the gate the other fails (${incumbent.reason})` };
  if (candidate.benchmark !== incumbent.benchmark) {
    return { verdict: 'tied', basis: 'none', reason: 'measured on different benchmarks: not comparable' };
  }
  const c = candidate.timeMs;
  const i = incumbent.timeMs;
  const ratio = i > 0 ? c / i : 1;
  const times = `${round(c)} ms vs ${round(i)} ms`;
  if (ratio <= 1 - margin) return { verdict: 'better', basis: 'speed', reason: `faster by ${pct(ratio)} (${times}), beyond the ${pct(1 - margin)} margin` };
  if (ratio >= 1 + margin) return { verdict: 'worse', basis: 'speed', reason: `slower by ${pct(ratio)} (${times})` };
  const within = `${times}: within the ${pct(1 - margin)} margin, a tie on speed`;
  if (candidate.codeSize < incumbent.codeSize && ratio <= 1) {
    return { verdict: 'better', basis: 'size', reason: `${within}, won by smaller code (${candidate.codeSize} vs ${incumbent.codeSize} tokens)` };
  }
  if (candidate.codeSize > incumbent.codeSize && ratio >= 1) {
    return { verdict: 'worse', basis: 'size', reason: `${within}, lost on code size (${candidate.codeSize} vs ${incumbent.codeSize} tokens)` };
  }
  if (candidate.codeSize > incumbent.codeSize) {
    return { verdict: 'tied', basis: 'size', reason: `${within}; larger code (${candidate.codeSize} vs ${incumbent.codeSize} tokens) but measured faster` };
  }
  if (candidate.codeSize < incumbent.codeSize) {
    return { verdict: 'tied', basis: 'size', reason: `${within}; smaller code (${candidate.codeSize} vs ${incumbent.codeSize} tokens) but measured slower` };
  }
  return { verdict: 'tied', basis: 'none', reason: `${within}, same code size (${candidate.codeSize} tokens)` };
}

/** A total order for ranking a population: passing first, then faster, then smaller. Negative: a ranks first. */
export function rankFitness(a: Fitness, b: Fitness): number {
  if (a.gate !== b.gate) return a.gate === 'passed' ? -1 : 1;
  if (a.gate === 'passed' && b.gate === 'passed') return a.timeMs - b.timeMs || a.codeSize - b.codeSize;
  return a.codeSize - b.codeSize;
}

/** The API's view of a stored fitness row. */
export function fitnessFromRow(row: FitnessRow | null | undefined): Fitness | null {
  if (!row) return null;
  return row.data as unknown as Fitness;
}

/** One line for logs and summaries. */
export function describeFitness(f: Fitness | null): string {
  if (f === null) return 'not measured';
  if (f.gate === 'failed') return `fails the gate (${f.reason})`;
  return `${round(f.timeMs)} ms, ${f.codeSize} tokens`;
}
