import { describe, expect, it } from 'vitest';
import { createRng } from '../../lib/rng.js';
import { parses } from '../ast.js';
import { BROKEN, EMPTY, INSERTION_SORT, ODDS_AND_ENDS, ONE_LINER, ONLY_COMMENTS, readGenome } from '../../../test/helpers/chaos/programs.js';
import { ChaosNotApplicable } from '../types.js';
import { syntaxError } from './syntax_error.js';

const genome = readGenome();
const SEEDS = Array.from({ length: 60 }, (_, i) => i + 1);

describe('syntax_error', () => {
  it('says "(empty line)" when the corruption leaves its line with no code, never an empty code span', () => {
    const emptied = SEEDS.concat(Array.from({ length: 340 }, (_, i) => i + 61))
      .map((seed) => syntaxError.apply(genome, createRng(seed)))
      .filter((r) => r.after.trim() === '');
    // The genome has lines holding only a `}`: dropping it empties the line.
    expect(emptied.length).toBeGreaterThan(0);
    for (const r of emptied) {
      expect(r.description).toMatch(/by dropping a `[^`]+`: \(empty line\)\.$/);
      expect(r.description).not.toContain('``');
    }
  });

  it('is deterministic per seed', () => {
    for (const seed of [1, 2, 99]) expect(syntaxError.apply(genome, createRng(seed))).toEqual(syntaxError.apply(genome, createRng(seed)));
  });

  it('always leaves a file acorn rejects, changing only the reported line', () => {
    for (const source of [genome, INSERTION_SORT, ODDS_AND_ENDS, ONE_LINER]) {
      const original = source.split('\n');
      for (const seed of SEEDS) {
        const r = syntaxError.apply(source, createRng(seed));
        expect(parses(r.source)).toBe(false);
        expect(r.expect).toEqual(['crashed']);
        const corrupted = r.source.split('\n');
        expect(corrupted).toHaveLength(original.length);
        expect(r.before).toBe(original[r.line - 1]);
        expect(r.after).toBe(corrupted[r.line - 1]);
        expect(r.after).not.toBe(r.before);
        corrupted.forEach((text, i) => {
          if (i !== r.line - 1) expect(text).toBe(original[i]);
        });
      }
    }
  });

  it('uses every kind of corruption', () => {
    const hows = new Set(SEEDS.map((seed) => /by (\w+)/.exec(syntaxError.apply(genome, createRng(seed)).description)?.[1]));
    expect([...hows].sort()).toEqual(['dropping', 'inserting', 'misspelling']);
  });

  it('never corrupts a comment or a blank line', () => {
    const lines = genome.split('\n');
    for (const seed of SEEDS) {
      const text = lines[syntaxError.apply(genome, createRng(seed)).line - 1]?.trim() ?? '';
      expect(text === '' || text.startsWith('//')).toBe(false);
    }
  });

  it('still corrupts a source that already fails to parse', () => {
    const r = syntaxError.apply(BROKEN, createRng(4));
    expect(r.source).not.toBe(BROKEN);
    expect(r.after).toBe(`${r.before}(`);
  });

  it('is not applicable when there is no code', () => {
    for (const source of [EMPTY, ONLY_COMMENTS, '\n\n']) {
      expect(() => syntaxError.apply(source, createRng(1))).toThrow(ChaosNotApplicable);
    }
  });
});
