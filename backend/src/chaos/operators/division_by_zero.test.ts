import { describe, expect, it } from 'vitest';
import { createRng } from '../../lib/rng.js';
import { parses } from '../ast.js';
import { BROKEN, EMPTY, INSERTION_SORT, ONLY_COMMENTS, readGenome } from '../../../test/helpers/chaos/programs.js';
import { ChaosNotApplicable } from '../types.js';
import { divisionByZero } from './division_by_zero.js';

const genome = readGenome();
const SEEDS = Array.from({ length: 200 }, (_, i) => i + 1);
const CODE = 'void (BigInt(1) / 0n); // chaos: division by zero';

describe('division_by_zero', () => {
  it('is deterministic per seed', () => {
    for (const seed of [1, 2, 99]) expect(divisionByZero.apply(genome, createRng(seed))).toEqual(divisionByZero.apply(genome, createRng(seed)));
  });

  it('inserts one line, indented like the line it precedes, and reports it', () => {
    const original = genome.split('\n');
    for (const seed of SEEDS.slice(0, 30)) {
      const r = divisionByZero.apply(genome, createRng(seed));
      const next = original[r.line - 1] ?? '';
      const indent = /^\s*/.exec(next)?.[0] ?? '';
      expect(r.before).toBe('');
      expect(r.after).toBe(`${indent}${CODE}`);
      const expected = original.slice();
      expected.splice(r.line - 1, 0, r.after);
      expect(r.source).toBe(expected.join('\n'));
      expect(parses(r.source)).toBe(true);
      expect(r.expect).toEqual(['crashed']);
      expect(r.description).toBe(`Inserted a BigInt division by zero at line ${r.line}, before \`${next.trim()}\`.`);
    }
  });

  it('throws RangeError: Division by zero when the inserted line runs', () => {
    expect(() => new Function(CODE)()).toThrow(new RangeError('Division by zero'));
  });

  it('lands only before statements that run on every run, in function or loop bodies', () => {
    const chosen = new Set(SEEDS.map((seed) => divisionByZero.apply(genome, createRng(seed)).line));
    // The statements of readInput, swap, bubbleSort (outside the if), the loops, and the stdin callback.
    expect([...chosen].sort((a, b) => a - b)).toEqual([7, 8, 9, 13, 14, 15, 19, 20, 21, 22, 23, 24, 29, 30, 32, 36, 37, 38, 39, 40]);
  });

  it('skips branches, try blocks, code after an early return and functions nobody calls', () => {
    const source = [
      'function unused() {',
      '  work();',
      '}',
      'function main(xs) {',
      '  const out = [];',
      '  if (xs.length > 2) {',
      '    out.push(1);',
      '  } else {',
      '    out.push(2);',
      '  }',
      '  try {',
      '    out.push(3);',
      '  } catch (e) {',
      '    out.push(4);',
      '  }',
      '  for (const x of xs) {',
      '    switch (x) {',
      '      case 1: out.push(x); break;',
      '    }',
      '    out.push(x);',
      '  }',
      '  process.on("error", () => {',
      '    out.length = 0;',
      '  });',
      '  if (out.length === 0) return out;',
      '  out.reverse();',
      '  return out;',
      '}',
      'console.log(main([1, 2, 3]));',
    ].join('\n');
    const chosen = new Set(SEEDS.map((seed) => divisionByZero.apply(source, createRng(seed)).line));
    expect([...chosen].sort((a, b) => a - b)).toEqual([5, 6, 11, 16, 17, 20, 22, 25]);
  });

  it('works on other programs', () => {
    const r = divisionByZero.apply(INSERTION_SORT, createRng(2));
    expect(r.source).toContain(CODE);
  });

  it('is not applicable when no statement runs, or the source does not parse', () => {
    for (const source of [EMPTY, ONLY_COMMENTS, BROKEN]) {
      expect(() => divisionByZero.apply(source, createRng(1))).toThrow(ChaosNotApplicable);
    }
  });
});
