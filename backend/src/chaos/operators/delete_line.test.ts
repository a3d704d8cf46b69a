import { describe, expect, it } from 'vitest';
import { createRng } from '../../lib/rng.js';
import { parses } from '../ast.js';
import { BROKEN, EMPTY, INSERTION_SORT, ONE_LINER, ONLY_COMMENTS, readGenome, withCrlf } from '../../../test/helpers/chaos/programs.js';
import { ChaosNotApplicable } from '../types.js';
import { deleteLine } from './delete_line.js';

const genome = readGenome();
const genomeLines = genome.split('\n');
const lineOf = (text: string): number => genomeLines.findIndex((l) => l.trim() === text) + 1;
const SEEDS = Array.from({ length: 300 }, (_, i) => i + 1);

describe('delete_line', () => {
  it('is deterministic per seed', () => {
    for (const seed of [1, 2, 99]) expect(deleteLine.apply(genome, createRng(seed))).toEqual(deleteLine.apply(genome, createRng(seed)));
  });

  it('removes exactly the reported line and reports it', () => {
    for (const seed of SEEDS.slice(0, 40)) {
      const r = deleteLine.apply(genome, createRng(seed));
      expect(r.type).toBe('delete_line');
      expect(r.source).not.toBe(genome);
      expect(r.before).toBe(genomeLines[r.line - 1]);
      expect(r.after).toBe('');
      const expected = genomeLines.slice();
      expected.splice(r.line - 1, 1);
      expect(r.source).toBe(expected.join('\n'));
      expect(r.description).toBe(`Deleted line ${r.line}: \`${r.before.trim()}\`.`);
    }
  });

  it('never deletes blank lines, comments, the directive, logging or bookkeeping that may not show', () => {
    const chosen = new Set(SEEDS.map((seed) => deleteLine.apply(genome, createRng(seed)).line));
    const untouchable = genomeLines
      .map((text, i) => ({ text: text.trim(), line: i + 1 }))
      .filter(({ text }) => text === '' || text.startsWith('//') || text === "'use strict';" || text.startsWith('console.'))
      .map(({ line }) => line);
    untouchable.push(lineOf('passes++;'), lineOf('if (!swapped) break;'), lineOf('swapped = true;'));
    expect(untouchable.filter((line) => chosen.has(line))).toEqual([]);
    // It does reach the lines whose loss shows: declarations, calls, returns, member assignments, braces.
    for (const text of ['const held = values[i];', 'swap(values, i, i + 1);', 'return { values, passes };', 'values[j] = held;', '}']) {
      expect(chosen.has(lineOf(text))).toBe(true);
    }
  });

  it('expects a crash when the deletion breaks the syntax, and any failure otherwise', () => {
    for (const seed of SEEDS.slice(0, 60)) {
      const r = deleteLine.apply(genome, createRng(seed));
      if (parses(r.source)) expect(r.expect).toEqual(['crashed', 'wrong', 'hung']);
      else expect(r.expect).toEqual(['crashed']);
    }
  });

  it('keeps CRLF line endings and reports the line without its carriage return', () => {
    const crlf = withCrlf(genome);
    const r = deleteLine.apply(crlf, createRng(5));
    expect(r.before).not.toContain('\r');
    expect(r.source).toBe(withCrlf(deleteLine.apply(genome, createRng(5)).source));
  });

  it('deletes the last line of a file without a trailing newline', () => {
    const source = 'const a = [2, 1];\na.sort();\nconsole.log(JSON.stringify(a));\nprocess.exitCode = a.length';
    const lines = new Set<number>();
    for (const seed of SEEDS.slice(0, 50)) {
      const r = deleteLine.apply(source, createRng(seed));
      lines.add(r.line);
      expect(r.source.split('\n')).toHaveLength(3);
    }
    expect([...lines].sort()).toEqual([1, 2, 4]); // line 3 is only logging
  });

  it('falls back to plain line scanning when the source does not parse', () => {
    const r = deleteLine.apply(BROKEN, createRng(3));
    expect(r.source).not.toBe(BROKEN);
    expect(BROKEN.split('\n')[r.line - 1]).toBe(r.before);
  });

  it('works on other programs', () => {
    const r = deleteLine.apply(INSERTION_SORT, createRng(8));
    expect(r.source).not.toBe(INSERTION_SORT);
  });

  it('is not applicable when no line carries code whose loss shows', () => {
    for (const source of [EMPTY, ONLY_COMMENTS, ONE_LINER, "'use strict';\n// just a comment\n"]) {
      expect(() => deleteLine.apply(source, createRng(1))).toThrow(ChaosNotApplicable);
    }
  });
});
