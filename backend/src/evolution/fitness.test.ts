import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { codeSize, compareFitness, median, rankFitness, type FailedFitness, type PassedFitness } from './fitness.js';

const BUBBLE = readFileSync(new URL('../../../organisms/bubble-sort/genome.js', import.meta.url), 'utf8');

const passed = (timeMs: number, size = 100): PassedFitness => ({
  gate: 'passed',
  timeMs,
  codeSize: size,
  repeats: 5,
  inputs: [],
  gateInputs: 10,
  benchmark: 'b',
  measuredAt: '',
});
const failed: FailedFitness = { gate: 'failed', reason: 'wrong on "empty"', input: 'empty', verdict: 'wrong', codeSize: 1, benchmark: 'b', measuredAt: '' };

describe('codeSize', () => {
  it('counts syntax tokens: comments, blank lines and the length of names do not count', () => {
    expect(codeSize('const a = 1;')).toBe(5);
    expect(codeSize('// a comment\n\nconst someLongName = 1; /* more */\n')).toBe(5);
    expect(codeSize(BUBBLE)).toBe(codeSize(BUBBLE.replace(/\bheld\b/g, 'aMuchLongerNameForTheSameThing')));
    expect(codeSize(BUBBLE.replace('    passes++;\n', ''))).toBe(codeSize(BUBBLE) - 3);
  });

  it('falls back to bytes for a source that does not parse', () => {
    expect(codeSize("const s = 'abc")).toBe(14);
  });
});

describe('compareFitness', () => {
  it('puts the gate first, then speed by the margin, then code size', () => {
    expect(compareFitness(failed, passed(1), 0.1).verdict).toBe('worse');
    expect(compareFitness(passed(1000), failed, 0.1).verdict).toBe('better');
    expect(compareFitness(passed(89), passed(100), 0.1)).toEqual({ verdict: 'better', basis: 'speed', reason: 'faster by 11% (89 ms vs 100 ms), beyond the 10% margin' });
    expect(compareFitness(passed(91), passed(100), 0.1)).toMatchObject({ verdict: 'tied', reason: expect.stringMatching(/within the 10% margin, a tie on speed, same code size/) });
    expect(compareFitness(passed(111), passed(100), 0.1).verdict).toBe('worse');
    // The tie on speed goes to the smaller code, if it was not measured slower.
    expect(compareFitness(passed(99, 90), passed(100, 100), 0.1)).toMatchObject({ verdict: 'better', reason: expect.stringMatching(/won by smaller code \(90 vs 100 tokens\)/) });
    expect(compareFitness(passed(101, 90), passed(100, 100), 0.1).verdict).toBe('tied');
    expect(compareFitness(passed(101, 110), passed(100, 100), 0.1).verdict).toBe('worse');
    expect(compareFitness(passed(95, 110), passed(100, 100), 0.1)).toMatchObject({ verdict: 'tied', reason: expect.stringMatching(/larger code \(110 vs 100 tokens\) but measured faster/) });
    expect(compareFitness({ ...passed(10), benchmark: 'other' }, passed(100), 0.1).verdict).toBe('tied');
  });

  it('property: "better" never means slower beyond the margin, nor a failed gate; and it is never both ways', () => {
    const fit = fc.oneof(
      fc.constant<FailedFitness | PassedFitness>(failed),
      fc.record({ t: fc.double({ min: 1, max: 1000, noNaN: true }), s: fc.integer({ min: 1, max: 500 }) }).map(({ t, s }) => passed(t, s)),
    );
    fc.assert(
      fc.property(fit, fit, fc.double({ min: 0.01, max: 0.9, noNaN: true }), (a, b, margin) => {
        const ab = compareFitness(a, b, margin).verdict;
        const ba = compareFitness(b, a, margin).verdict;
        if (ab === 'better') {
          expect(a.gate).toBe('passed');
          expect(ba).not.toBe('better');
          if (b.gate === 'passed' && a.gate === 'passed') expect(a.timeMs).toBeLessThanOrEqual(b.timeMs);
        }
      }),
    );
  });
});

describe('median and rank', () => {
  it('takes the middle value, or the mean of the two middle ones', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
  });

  it('ranks passing before failing, then faster, then smaller', () => {
    const list = [failed, passed(20, 5), passed(10, 9), passed(10, 3)];
    expect([...list].sort(rankFitness)).toEqual([passed(10, 3), passed(10, 9), passed(20, 5), failed]);
  });
});

