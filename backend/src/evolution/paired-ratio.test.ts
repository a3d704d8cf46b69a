import { describe, expect, it } from 'vitest';
import { createRng } from '../lib/rng.js';
import { criticalValue, pairedRatio } from './paired-ratio.js';

describe('pairedRatio', () => {
  it("uses Wilcoxon's signed-rank critical values", () => {
    // The one-sided tables: n = 8 and 12 at 1 %, n = 10 at 5 %; none exists for 6 pairs at 1 %.
    expect(criticalValue(8, 0.01)).toBe(1);
    expect(criticalValue(12, 0.01)).toBe(9);
    expect(criticalValue(10, 0.05)).toBe(10);
    expect(criticalValue(6, 0.01)).toBeNull();
  });

  it('estimates a constant ratio exactly, and cannot bound anything from too few pairs', () => {
    const r = pairedRatio(Array.from({ length: 12 }, () => ({ candidateMs: 50, incumbentMs: 100 })), 0.01);
    expect(r.estimate).toBeCloseTo(0.5, 10);
    expect(r.upper).toBeCloseTo(0.5, 10);
    expect(pairedRatio([{ candidateMs: 50, incumbentMs: 100 }], 0.01).upper).toBe(Infinity);
    expect(pairedRatio([], 0.01)).toMatchObject({ n: 0, upper: Infinity });
  });

  it('bounds a true speed-up through heavy, one-sided interference', () => {
    // A candidate twice as fast; a third of all runs take up to three times longer (a busy core).
    const rng = createRng(7);
    const hit = () => (rng.next() < 1 / 3 ? 1 + 2 * rng.next() : 1 + 0.05 * rng.next());
    const pairs = Array.from({ length: 12 }, () => ({ candidateMs: 50 * hit(), incumbentMs: 100 * hit() }));
    const r = pairedRatio(pairs, 0.01);
    expect(r.upper).toBeLessThan(0.9);
    expect(r.estimate).toBeLessThan(r.upper);
  });

  it('claims a speed-up of a program against itself no more often than alpha, however noisy the runs', () => {
    const rng = createRng(2024);
    let claimed = 0;
    const trials = 4000;
    for (let t = 0; t < trials; t++) {
      const run = () => 100 * (rng.next() < 0.4 ? 1 + 2 * rng.next() : 1 + 0.05 * rng.next());
      const r = pairedRatio(Array.from({ length: 12 }, () => ({ candidateMs: run(), incumbentMs: run() })), 0.01);
      if (r.upper < 1) claimed++;
    }
    expect(claimed / trials).toBeLessThanOrEqual(0.01 * 1.5);
  });
});
