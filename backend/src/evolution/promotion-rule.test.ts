import { describe, expect, it } from 'vitest';
import type { Pair } from './bench.js';
import type { Fitness, PassedFitness } from './fitness.js';
import { confirm, screen } from './promotion-rule.js';

const passed = (timeMs: number, wallMs: number, codeSize = 100): PassedFitness => ({
  gate: 'passed',
  timeMs,
  wallMs,
  codeSize,
  repeats: 8,
  inputs: [{ name: 'random', medianMs: timeMs, samplesMs: [timeMs], wallMedianMs: wallMs }],
  gateInputs: 9,
  benchmark: 'b',
  measuredAt: new Date(0).toISOString(),
});
const failed: Fitness = { gate: 'failed', reason: 'wrong on "empty"', input: 'empty', verdict: 'wrong', codeSize: 100, benchmark: 'b', measuredAt: new Date(0).toISOString() };
const pairs = (c: number[], i: number): Pair[] => c.map((candidateMs) => ({ candidateMs, incumbentMs: i }));

describe('the promotion rule', () => {
  it('screens: refuses a failed gate, a failed incumbent and a tie, passes a candidate better by the margin', () => {
    expect(screen({ gaveUp: 'gave up after one round', candidate: null, incumbent: null, pairs: [] }, 0.1)).toMatchObject({ passed: false, stage: 'screening' });
    expect(screen({ gaveUp: null, candidate: failed, incumbent: null, pairs: [] }, 0.1)).toMatchObject({ passed: false, stage: 'gate' });
    expect(screen({ gaveUp: null, candidate: passed(50, 60), incumbent: failed, pairs: [] }, 0.1)).toMatchObject({ passed: false, reason: /^inconclusive/ });
    expect(screen({ gaveUp: null, candidate: passed(95, 100), incumbent: passed(100, 100), pairs: [] }, 0.1)).toMatchObject({ passed: false, reason: /within the 10% margin/ });
    expect(screen({ gaveUp: null, candidate: passed(70, 90), incumbent: passed(100, 120), pairs: [] }, 0.1)).toMatchObject({ passed: true });
  });

  it('confirms a candidate faster by the medians, and by the margin pair by pair, and not slower in wall time', () => {
    const c = confirm({ candidate: passed(70, 90), incumbent: passed(100, 120), pairs: pairs([70, 71, 69, 70, 72, 70, 68, 70, 71, 70, 69, 70], 100) }, 0.1);
    expect(c).toMatchObject({
      confirmed: true,
      wins: 12,
      n: 12,
      reason: /^confirmed \(faster by 30%.*; faster in 12 of 12 interleaved pairs; pair by pair 70\.0% of its time, at most 70\.\d% with 99% confidence\)$/,
    });
  });

  it('refuses what the pairs do not prove, and a candidate that only waits less in CPU terms', () => {
    expect(confirm({ candidate: passed(80, 90), incumbent: passed(100, 110), pairs: pairs([80, 80, 80, 300, 300, 300, 80, 300, 80, 80, 80, 80], 100) }, 0.1)).toMatchObject({
      confirmed: false,
      reason: /with 99% confidence at most [\d.]+% of its time, not the 90% the margin asks \(12 interleaved pairs, faster in 8\)$/,
    });
    // Five pairs are too few for 99 % confidence whatever they say.
    expect(confirm({ candidate: passed(50, 60), incumbent: passed(100, 110), pairs: pairs(Array(5).fill(50), 100) }, 0.1)).toMatchObject({
      confirmed: false,
      reason: /with 99% confidence nothing \(5 pairs are too few\)/,
    });
    // Less work, but a sleep: CPU time says faster, wall time says the users wait longer.
    expect(confirm({ candidate: passed(70, 1600), incumbent: passed(100, 120), pairs: pairs(Array(12).fill(70), 100) }, 0.1)).toMatchObject({
      confirmed: false,
      reason: /slower in wall time \(1600 ms vs 120 ms\): it waits/,
    });
    expect(confirm({ candidate: passed(70, 90), incumbent: failed, pairs: [] }, 0.1)).toMatchObject({ confirmed: false, reason: /the live genome itself failed/ });
  });
});
