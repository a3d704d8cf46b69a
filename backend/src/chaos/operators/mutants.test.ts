/** Unit tests for the AST logic mutants: one small edit, the rest of the file byte for byte the same. */
import { describe, expect, it } from 'vitest';
import { createRng } from '../../lib/rng.js';
import { parses } from '../ast.js';
import { BROKEN, EMPTY, INSERTION_SORT, ODDS_AND_ENDS, ONE_LINER, ONLY_COMMENTS, readGenome, withCrlf } from '../../../test/helpers/chaos/programs.js';
import { ChaosNotApplicable, type ChaosOperator } from '../types.js';
import { changeBoundary } from './change_boundary.js';
import { changeLiteral } from './change_literal.js';
import { emptyBlock } from './empty_block.js';
import { flipComparison } from './flip_comparison.js';
import { flipEquality } from './flip_equality.js';
import { negateCondition } from './negate_condition.js';
import { swapArithmetic } from './swap_arithmetic.js';

const genome = readGenome();
const SEEDS = Array.from({ length: 40 }, (_, i) => i + 1);

const ALL: ChaosOperator[] = [flipComparison, flipEquality, swapArithmetic, changeBoundary, negateCondition, emptyBlock, changeLiteral];
const SOURCES = { genome, insertionSort: INSERTION_SORT, oddsAndEnds: ODDS_AND_ENDS };

describe.each(ALL.map((op) => [op.type, op] as const))('%s', (_type, op) => {
  it('is deterministic, parses, changes the reported line and leaves the rest untouched', () => {
    let applied = 0;
    for (const source of Object.values(SOURCES)) {
      const original = source.split('\n');
      for (const seed of SEEDS) {
        let r;
        try {
          r = op.apply(source, createRng(seed));
        } catch (error) {
          expect(error).toBeInstanceOf(ChaosNotApplicable);
          continue;
        }
        applied++;
        expect(op.apply(source, createRng(seed))).toEqual(r);
        expect(r.type).toBe(op.type);
        expect(r.source).not.toBe(source);
        expect(parses(r.source)).toBe(true);
        expect(r.expect).toEqual(['wrong', 'crashed', 'hung']);
        expect(r.before).toBe(original[r.line - 1]);
        expect(r.after).toBe(r.source.split('\n')[r.line - 1]);
        expect(r.description).toMatch(new RegExp(`^[A-Z].* on line ${r.line}: \`.+\`\\.$`));
        // Everything before the reported line is untouched, and so is everything after the edit.
        expect(r.source.startsWith(original.slice(0, r.line - 1).join('\n'))).toBe(true);
        if (op !== emptyBlock) expect(r.source.split('\n').slice(r.line)).toEqual(original.slice(r.line));
      }
    }
    expect(applied).toBeGreaterThan(0);
  });

  it('is not applicable without a place to mutate', () => {
    for (const source of [EMPTY, ONLY_COMMENTS, BROKEN]) expect(() => op.apply(source, createRng(1))).toThrow(ChaosNotApplicable);
  });
});

/** Every way of turning one occurrence of `to` in `text` back into `from`. */
function swappedBack(text: string, to: string, from: string): string[] {
  const out: string[] = [];
  for (let at = text.indexOf(to); at !== -1; at = text.indexOf(to, at + 1)) out.push(text.slice(0, at) + from + text.slice(at + to.length));
  return out;
}

/** The distinct edits an operator makes over the seeds, as "from→to" read from its descriptions. */
const edits = (op: ChaosOperator, source: string): string[] =>
  [...new Set(SEEDS.map((seed) => {
    const r = op.apply(source, createRng(seed));
    const [, from, to] = /`([^`]+)` to `([^`]+)`/.exec(r.description) ?? [];
    // The edit really is that token: the line reads the same with it swapped back.
    expect(swappedBack(r.after, to ?? '', from ?? '')).toContain(r.before);
    return `${from}→${to}`;
  }))].sort();

describe('the edits themselves', () => {
  it('flip_comparison turns comparisons around', () => {
    expect(edits(flipComparison, genome)).toEqual(['<→>', '>→<']);
    expect(edits(flipComparison, INSERTION_SORT)).toEqual(['<→>', '>=→<=', '>→<']);
  });

  it('flip_equality negates equality tests, and finds none in the genome', () => {
    expect(edits(flipEquality, ODDS_AND_ENDS)).toEqual(['!=→==', '===→!==']);
    expect(() => flipEquality.apply(genome, createRng(1))).toThrow(ChaosNotApplicable);
  });

  it('swap_arithmetic swaps + with - and * with /', () => {
    expect(edits(swapArithmetic, genome)).toEqual(['+→-', '-→+', '/→*']);
    expect(edits(swapArithmetic, ODDS_AND_ENDS)).toEqual(['*→/', '/→*']);
  });

  it('change_boundary moves boundaries by one', () => {
    expect(edits(changeBoundary, genome)).toEqual(['<→<=', '>→>=']);
    expect(edits(changeBoundary, INSERTION_SORT)).toEqual(['<→<=', '>=→>', '>→>=']);
  });

  it('negate_condition wraps a test in !(...)', () => {
    for (const seed of SEEDS) {
      const r = negateCondition.apply(genome, createRng(seed));
      expect(r.after).toMatch(/!\(.+\)/);
      expect(r.after.replace('!(', '').replace(/\)(?=[;)]|\) \{| break)/, '')).toBe(r.before);
    }
  });

  it('empty_block empties one block', () => {
    for (const seed of SEEDS) {
      const r = emptyBlock.apply(genome, createRng(seed));
      expect(r.after).toMatch(/\{\}\)?;?$/);
      expect(r.source.length).toBeLessThan(genome.length);
    }
    expect(() => emptyBlock.apply(ONE_LINER, createRng(1))).toThrow(ChaosNotApplicable);
  });

  it('change_literal bumps numbers, swaps 0 and 1, flips booleans and handles BigInt', () => {
    expect(edits(changeLiteral, genome)).toEqual(['0→1', '1000n→1001n', '1→0', 'false→true', 'true→false']);
    expect(edits(changeLiteral, 'const n = 41;\nconst b = 1n;\nconsole.log(n, b, 0.5);\n')).toEqual(['0.5→1.5', '1n→0n', '41→42']);
  });

  it('keeps CRLF files CRLF', () => {
    const crlf = withCrlf(genome);
    for (const op of [flipComparison, emptyBlock, changeLiteral]) {
      const r = op.apply(crlf, createRng(3));
      expect(r.source.replace(/\r\n/g, '')).not.toContain('\n');
      expect(r.before).not.toContain('\r');
    }
  });
});
