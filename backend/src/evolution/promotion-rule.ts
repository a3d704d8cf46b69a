/**
 * The rule that decides whether a candidate may replace the live genome, apart from the engine that runs
 * evolution and the benchmark that measures how often the rule is fooled (bench/promotion.ts).
 *
 * Two measurements, both interleaved with the live genome's runs (the order alternating), both in CPU time (no
 * waiting for a core or for I/O in it; see watcher/cpu-report.ts):
 *  1. screening: the candidate passes the gate and is better by the margin (compareFitness), a cheap filter;
 *  2. confirmation: a second, longer measurement, judged pair by pair: the ratio of the candidate's time to the
 *     incumbent's must be below 1 - margin with 99 % confidence (paired-ratio.ts), however much the machine's
 *     load scatters the runs; and the candidate must not be slower by the margin in wall time either, since a
 *     genome that waits (sleeps, timers) costs no CPU, yet keeps its users waiting.
 */
import type { PairResult, ScreenResult } from './bench.js';
import { compareFitness, type Comparison, type PassedFitness } from './fitness.js';
import { pairedRatio, type RatioEstimate } from './paired-ratio.js';

/** Pairs of the confirming measurement (at least; more when the benchmark repeats more). */
export const CONFIRM_PAIRS = 12;
/** One minus the confidence with which a confirmed candidate is faster by the margin. */
export const CONFIRM_ALPHA = 0.01;

export type Screening =
  | { passed: true; candidate: PassedFitness; comparison: Comparison; reason: string }
  | { passed: false; stage: 'screening' | 'gate'; reason: string };

/** The first measurement's verdict. */
export function screen(m: ScreenResult, margin: number): Screening {
  if (m.gaveUp !== null) return { passed: false, stage: 'screening', reason: `slower: ${m.gaveUp}` };
  if (m.candidate.gate === 'failed') return { passed: false, stage: 'gate', reason: `fails the gate: ${m.candidate.reason}` };
  if (m.incumbent?.gate !== 'passed') {
    return { passed: false, stage: 'screening', reason: `inconclusive: the live genome failed alongside it (${m.incumbent?.reason ?? 'it did not run'})` };
  }
  const comparison = compareFitness(m.candidate, m.incumbent, margin);
  if (comparison.verdict !== 'better') return { passed: false, stage: 'screening', reason: `not better than the live genome: ${comparison.reason}` };
  return { passed: true, candidate: m.candidate, comparison, reason: `better in the first measurement (${comparison.reason}); awaiting confirmation` };
}

export type Confirmation =
  | { confirmed: true; candidate: PassedFitness; incumbent: PassedFitness; comparison: Comparison; ratio: RatioEstimate; wins: number; n: number; reason: string }
  | { confirmed: false; reason: string; ratio?: RatioEstimate };

/** The second measurement's verdict. */
export function confirm(pair: PairResult, margin: number): Confirmation {
  if (pair.incumbent.gate === 'failed') {
    return { confirmed: false, reason: `not confirmed: the live genome itself failed during the confirmation (${pair.incumbent.reason}), so the measurement proves nothing` };
  }
  const second = compareFitness(pair.candidate, pair.incumbent, margin);
  if (second.verdict !== 'better' || pair.candidate.gate !== 'passed') return { confirmed: false, reason: `not confirmed by the second measurement: ${second.reason}` };
  // The medians can be swayed by a few runs the machine slowed down: the pairs must prove the margin.
  const n = pair.pairs.length;
  const wins = pair.pairs.filter((x) => x.candidateMs < x.incumbentMs).length;
  const ratio = pairedRatio(pair.pairs, CONFIRM_ALPHA);
  if (second.basis === 'speed' && !(ratio.upper <= 1 - margin)) {
    const bound = Number.isFinite(ratio.upper) ? `at most ${pct(ratio.upper)} of its time` : `nothing (${ratio.n} pairs are too few)`;
    return {
      confirmed: false,
      ratio,
      reason: `not confirmed: ${second.reason}, but pair by pair it takes ${pct(ratio.estimate)} of the live genome's time, and with ${pct(1 - CONFIRM_ALPHA, 0)} confidence ${bound}, not the ${pct(1 - margin, 0)} the margin asks (${n} interleaved pairs, faster in ${wins})`,
    };
  }
  if (second.basis === 'size' && wins * 2 < n) {
    return { confirmed: false, reason: `not confirmed: ${second.reason}, but slower in ${n - wins} of ${n} interleaved pairs` };
  }
  const wall = { c: pair.candidate.wallMs, i: pair.incumbent.wallMs };
  if (wall.c !== undefined && wall.i !== undefined && wall.c > wall.i * (1 + margin) + 50) {
    return {
      confirmed: false,
      reason: `not confirmed: ${second.reason} in CPU time, but slower in wall time (${Math.round(wall.c)} ms vs ${Math.round(wall.i)} ms): it waits for something`,
    };
  }
  const proof = second.basis === 'speed' ? `; pair by pair ${pct(ratio.estimate)} of its time, at most ${pct(ratio.upper)} with ${pct(1 - CONFIRM_ALPHA, 0)} confidence` : '';
  return {
    confirmed: true,
    candidate: pair.candidate,
    incumbent: pair.incumbent,
    comparison: second,
    ratio,
    wins,
    n,
    reason: `confirmed (${second.reason}; faster in ${wins} of ${n} interleaved pairs${proof})`,
  };
}

const pct = (x: number, digits = 1) => `${(x * 100).toFixed(digits)}%`;
