import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseSource } from '../../chaos/ast.js';
import { stackRanking } from './localize.js';
import { originLines } from './origins.js';

const parsed = (source: string) => {
  const p = parseSource(source);
  if (!p) throw new Error('does not parse');
  return p;
};

describe('origins of a crashing line', () => {
  it("finds the declaration, the guard and the assignment of the value json-transform's grouping reads", () => {
    const seed = readFileSync(new URL('../../../../organisms/json-transform/genome.js', import.meta.url), 'utf8');
    const p = parsed(seed);
    const crashing = seed.split('\n').findIndex((l) => l.includes('group.orders += 1')) + 1;
    const text = (line: number) => p.lines.text(line).trim();
    const origins = originLines(p, crashing).map(text);
    expect(origins).toEqual(expect.arrayContaining(['let group = groups.get(order.region);', 'if (group === undefined) {', expect.stringMatching(/^group = \{/)]));
    // Not the lines after it, nor another function's.
    expect(originLines(p, crashing).every((l) => l < crashing)).toBe(true);
    expect(origins.some((t) => t.startsWith('function readInput'))).toBe(false);
  });

  it('stays within the function around the line, and ignores property names', () => {
    const p = parsed(`'use strict';
let total = 0;
function f(items) {
  let item = items[0];
  const other = { item: 1 };
  if (other.item > 0) total++;
  return item.value;
}
function g(item) {
  item = null;
}
`);
    // Line 7 reads item (item.value names a property, not a variable called value): its declaration on line 4.
    expect(originLines(p, 7)).toEqual([4]);
    // Line 6 reads other and total: other's declaration, and total's declaration outside any function is not in f.
    expect(originLines(p, 6)).toEqual([5]);
    // A top-level line looks at the whole script: total is declared on line 2.
    expect(originLines(p, 2)).toEqual([]);
  });

  it('ranks the origins right after the frame that threw, before its neighbours', () => {
    const r = stackRanking([20, 40], 100, [15, 16]);
    expect(r.lines.slice(0, 4)).toEqual([
      { line: 20, score: 1 },
      { line: 15, score: 0.75 },
      { line: 16, score: 0.75 },
      { line: 19, score: 0.5 },
    ]);
    // No frame, no ranking: origins alone say nothing.
    expect(stackRanking([], 100, [15]).lines).toEqual([]);
  });
});
