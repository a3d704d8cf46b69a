import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { shrink, structuralCandidates } from './shrink.js';

// A predicate stands in for "the genome still fails on this input": shrinking is pure search over it.
const hasDescent = (v: unknown) => {
  const a = (v as { values: number[] }).values;
  return a.some((x, i) => i > 0 && a[i - 1]! > x);
};

describe('shrinking a failing input', () => {
  it('shrinks an array to a smallest failing one (ddmin over elements, integers toward 0)', async () => {
    const input = { values: [5, 8, -3, 12, 40, 7, 7, 1, 30, 2] };
    const r = await shrink(input, { fails: async (c) => hasDescent(c), maxRuns: 500, parallelism: 2 });
    expect(r.input).toEqual({ values: [1, 0] });
    expect(r.steps).toBeGreaterThan(0);
    expect(r.runs).toBeLessThanOrEqual(500);
  });

  it('never keeps a candidate that passes, nor runs one the harness calls invalid', async () => {
    const seen: unknown[] = [];
    const valid = (c: unknown) => (c as { low: number; high: number }).high > (c as { low: number; high: number }).low;
    // Fails when a square of a prime is the window's top.
    const fails = async (c: unknown) => {
      seen.push(c);
      return [4, 9, 25, 49, 121].includes((c as { high: number }).high);
    };
    const r = await shrink({ low: 100, high: 121 }, { fails, valid, maxRuns: 100, parallelism: 1 });
    expect(r.input).toEqual({ low: 0, high: 121 });
    expect(seen.every(valid)).toBe(true);
  });

  it('stops at its budget of runs, with the best input found so far', async () => {
    const input = { values: Array.from({ length: 200 }, (_, i) => 200 - i) };
    const r = await shrink(input, { fails: async (c) => hasDescent(c), maxRuns: 6, parallelism: 3 });
    expect(r.runs).toBeLessThanOrEqual(6);
    expect((r.input as { values: number[] }).values.length).toBeLessThan(200);
    expect(hasDescent(r.input)).toBe(true);
  });

  it('gives the same result whatever order the runs finish in', async () => {
    const input = { values: [9, 3, 7, 1, 8, 2] };
    const slowly = async (c: unknown) => {
      await new Promise((r) => setTimeout(r, Math.random() * 5));
      return hasDescent(c);
    };
    const a = await shrink(input, { fails: slowly, maxRuns: 400, parallelism: 4 });
    const b = await shrink(input, { fails: async (c) => hasDescent(c), maxRuns: 400, parallelism: 4 });
    expect(a.input).toEqual(b.input);
  });

  it('only ever offers smaller values of the same shape (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 3 }), (value) => {
        let n = 0;
        for (const c of structuralCandidates(value)) {
          if (++n > 200) break;
          expect(typeof c).toBe(typeof value);
          expect(Array.isArray(c)).toBe(Array.isArray(value));
        }
      }),
      { numRuns: 200 },
    );
  });
});
