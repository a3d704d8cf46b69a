/** Unit tests for the catalogue operators that insert one line: what they insert, where, and when they give up. */
import { describe, expect, it } from 'vitest';
import type { Verdict } from '../../domain.js';
import { createRng } from '../../lib/rng.js';
import { parses } from '../ast.js';
import { BROKEN, EMPTY, INSERTION_SORT, ODDS_AND_ENDS, ONLY_COMMENTS, readGenome } from '../../../test/helpers/chaos/programs.js';
import { ChaosNotApplicable, type ChaosOperator } from '../types.js';
import { exitCode } from './exit_code.js';
import { infiniteLoop } from './infinite_loop.js';
import { memoryLeak } from './memory_leak.js';
import { slowdown } from './slowdown.js';
import { throwError } from './throw.js';
import { unhandledRejection } from './unhandled_rejection.js';

const genome = readGenome();
const SEEDS = Array.from({ length: 300 }, (_, i) => i + 1);

const CASES: [ChaosOperator, string, Verdict][] = [
  [infiniteLoop, 'while (true) {}', 'hung'],
  [memoryLeak, 'hoard.push(', 'oom'],
  [slowdown, 'performance.now() < 1250', 'slow'],
  [exitCode, 'process.exit(3);', 'crashed'],
  [unhandledRejection, "Promise.reject(new Error('chaos: unhandled rejection'));", 'crashed'],
  [throwError, "throw new Error('chaos: thrown deep in the work');", 'crashed'],
];

const chosenLines = (op: ChaosOperator, source: string): number[] =>
  [...new Set(SEEDS.map((seed) => op.apply(source, createRng(seed)).line))].sort((a, b) => a - b);

describe.each(CASES)('%s', (op, marker, verdict) => {
  it('is deterministic per seed', () => {
    for (const seed of [1, 7]) expect(op.apply(genome, createRng(seed))).toEqual(op.apply(genome, createRng(seed)));
  });

  it('inserts one parseable line, indented like the next, and reports it', () => {
    for (const source of [genome, INSERTION_SORT, ODDS_AND_ENDS]) {
      const original = source.split('\n');
      for (const seed of SEEDS.slice(0, 10)) {
        const r = op.apply(source, createRng(seed));
        expect(r.type).toBe(op.type);
        expect(r.before).toBe('');
        expect(r.after).toContain(marker);
        expect(r.after.startsWith(/^\s*/.exec(original[r.line - 1] ?? '')?.[0] ?? '')).toBe(true);
        const expected = original.slice();
        expected.splice(r.line - 1, 0, r.after);
        expect(r.source).toBe(expected.join('\n'));
        expect(parses(r.source)).toBe(true);
        expect(r.expect).toEqual([verdict]);
        expect(r.description).toMatch(new RegExp(`^Inserted .+ at line ${r.line}, before \`.+\`\\.$`));
      }
    }
  });

  it('is not applicable when no statement runs, or the source does not parse', () => {
    for (const source of [EMPTY, ONLY_COMMENTS, BROKEN]) {
      expect(() => op.apply(source, createRng(1))).toThrow(ChaosNotApplicable);
    }
  });
});

describe('placement', () => {
  it('throw goes in the innermost loop body that runs', () => {
    expect(chosenLines(throwError, genome)).toEqual([24]); // before `if (values[i] > values[i + 1]) {`
    expect(chosenLines(throwError, INSERTION_SORT)).toEqual([19, 20]); // the inner while loop
  });

  it('slowdown prefers the first statement of a function body, and waits once per run', () => {
    expect(chosenLines(slowdown, genome)).toEqual([7, 13, 19, 36]);
    const r = slowdown.apply(genome, createRng(1));
    expect(r.after).toContain('globalThis.chaosSlowdown');
  });

  it('exit_code lands before the last output', () => {
    const source = [
      'function main() {',
      '  const xs = [3, 1, 2].sort();',
      '  console.log(JSON.stringify(xs));',
      '  cleanUp();',
      '}',
      'function cleanUp() {',
      '  process.exitCode = 0;',
      '}',
      'main();',
    ].join('\n');
    expect(chosenLines(exitCode, source)).toEqual([2, 3]);
  });

  it('the other insertions land anywhere that runs', () => {
    for (const op of [infiniteLoop, memoryLeak, unhandledRejection]) {
      expect(chosenLines(op, genome)).toEqual([7, 8, 9, 13, 14, 15, 19, 20, 21, 22, 23, 24, 29, 30, 32, 36, 37, 38, 39, 40]);
    }
  });
});
