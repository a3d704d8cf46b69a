import { readFileSync } from 'node:fs';
import { applyPatch, formatPatch, structuredPatch, type StructuredPatch } from 'diff';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyHunks, computeHunks, describeHunk, revertHunks, splitLinesKeepEol } from './hunks.js';

const genomeUrl = new URL('../../../organisms/bubble-sort/genome.js', import.meta.url);
const genome = readFileSync(genomeUrl, 'utf8');

function allIndices(n: number): Set<number> {
  return new Set(Array.from({ length: n }, (_, i) => i));
}

describe('splitLinesKeepEol', () => {
  it('keeps terminators and joins back to the text', () => {
    expect(splitLinesKeepEol('')).toEqual([]);
    expect(splitLinesKeepEol('a')).toEqual(['a']);
    expect(splitLinesKeepEol('a\n')).toEqual(['a\n']);
    expect(splitLinesKeepEol('a\r\nb\n\nc')).toEqual(['a\r\n', 'b\n', '\n', 'c']);
  });
});

describe('computeHunks', () => {
  it('finds no hunks between equal texts', () => {
    expect(computeHunks(genome, genome)).toEqual([]);
  });

  it('keeps two unrelated edits as two hunks with 1-based unified headers', () => {
    const healthy = 'a\nb\nc\nd\ne\n';
    const broken = 'a\nc\nd\nX\ne\n';
    const hunks = computeHunks(healthy, broken);
    expect(hunks).toHaveLength(2);
    expect(hunks[0]).toMatchObject({ index: 0, oldStart: 2, oldLines: ['b'], newStart: 2, newLines: [], header: '@@ -2,1 +1,0 @@' });
    expect(hunks[1]).toMatchObject({ index: 1, oldStart: 5, oldLines: [], newStart: 4, newLines: ['X'], header: '@@ -4,0 +4,1 @@' });
  });

  it('separates edits on lines that are only one common line apart', () => {
    const hunks = computeHunks('1\n2\n3\n', 'x\n2\ny\n');
    expect(hunks.map((h) => h.header)).toEqual(['@@ -1,1 +1,1 @@', '@@ -3,1 +3,1 @@']);
  });

  it('matches the hunk headers jsdiff writes with zero context', () => {
    const broken = genome.replace('        swapped = true;\n', '').replace('if (!swapped) break;', 'if (!swapped) throw new Error("x");');
    const ours = computeHunks(genome, broken).map((h) => h.header);
    const patch = formatPatch(structuredPatch('genome.js', 'genome.js', genome, broken, undefined, undefined, { context: 0 }));
    expect(patch.split('\n').filter((l) => l.startsWith('@@'))).toEqual(ours);
    expect(ours).toHaveLength(2);
  });

  it('treats a lost newline at the end of the file as a change', () => {
    const hunks = computeHunks('a\nb\n', 'a\nb');
    expect(hunks).toHaveLength(1);
    expect(hunks[0]).toMatchObject({ oldLines: ['b'], newLines: ['b'], oldText: 'b\n', newText: 'b' });
    expect(revertHunks('a\nb', hunks, new Set([0]))).toBe('a\nb\n');
    expect(describeHunk(hunks[0]!)).toBe('line 2: restored the line ending');
  });

  it('handles empty texts and CRLF lines', () => {
    expect(revertHunks('', computeHunks('x\r\ny\r\n', ''), new Set([0]))).toBe('x\r\ny\r\n');
    const hunks = computeHunks('', 'junk\n');
    expect(hunks[0]).toMatchObject({ oldStart: 1, newStart: 1, header: '@@ -0,0 +1,1 @@' });
    expect(revertHunks('junk\n', hunks, new Set([0]))).toBe('');
  });
});

describe('revertHunks', () => {
  const broken = genome
    .replace('        swapped = true;\n', '')
    .replace('  return { values, passes };', '  throw new Error("chaos");\n  return { values, passes };');
  const hunks = computeHunks(genome, broken);

  it('reverts all, none, or one hunk', () => {
    expect(hunks).toHaveLength(2);
    expect(revertHunks(broken, hunks, allIndices(2))).toBe(genome);
    expect(revertHunks(broken, hunks, new Set())).toBe(broken);
    const onlyFirst = revertHunks(broken, hunks, new Set([0]));
    expect(onlyFirst).toContain('swapped = true;');
    expect(onlyFirst).toContain('throw new Error("chaos");');
  });

  it('refuses hunks computed against another text', () => {
    expect(() => revertHunks(genome, hunks, new Set([0]))).toThrow(/does not match|does not fit/);
  });

  it('describes hunks in words a person can read', () => {
    expect(hunks.map(describeHunk)).toEqual([
      // Nothing above it changed, so it goes back at its healthy line number.
      `line ${genome.split('\n').indexOf('        swapped = true;') + 1}: restored \`swapped = true;\``,
      `line ${broken.split('\n').indexOf('  throw new Error("chaos");') + 1}: removed \`throw new Error("chaos");\``,
    ]);
    const replaced = computeHunks('if (a < b) {\n', 'if (a <= b) {\n');
    expect(describeHunk(replaced[0]!)).toBe('line 1: replaced `if (a <= b) {` with `if (a < b) {`');
    const many = computeHunks('a\nb\nc\n', '');
    expect(describeHunk(many[0]!)).toBe('lines 1-3: restored `a` (+2 more lines)');
    const junk = computeHunks('a\nb\n', 'a\nx\n\ny\nb\n');
    expect(describeHunk(junk[0]!)).toBe('lines 2-4: removed `x` (+2 more lines)');
  });
});

// ---- properties -------------------------------------------------------------------------------

/** Small texts made of few distinct lines, so diffs are ambiguous and hunks sit close together. */
const lineArb = fc.constantFrom('a', 'b', 'c', '', '  x = 1;', '}', 'a\r');
const textArb = fc
  .tuple(fc.array(lineArb, { maxLength: 12 }), fc.boolean())
  .map(([lines, trailing]) => (lines.length === 0 ? '' : lines.join('\n') + (trailing ? '\n' : '')));

type Edit = { at: number; kind: 'delete' | 'insert' | 'replace'; line: string };
const editArb: fc.Arbitrary<Edit> = fc.record({
  at: fc.nat(20),
  kind: fc.constantFrom('delete', 'insert', 'replace'),
  line: lineArb,
});

function edit(text: string, edits: readonly Edit[], trailing: boolean): string {
  const lines = text === '' ? [] : text.replace(/\n$/, '').split('\n');
  for (const e of edits) {
    const at = lines.length === 0 ? 0 : e.at % (lines.length + 1);
    if (e.kind === 'insert' || lines.length === 0) lines.splice(at, 0, e.line);
    else if (e.kind === 'delete') lines.splice(Math.min(at, lines.length - 1), 1);
    else lines[Math.min(at, lines.length - 1)] = e.line;
  }
  return lines.length === 0 ? '' : lines.join('\n') + (trailing ? '\n' : '');
}

const pairArb = fc
  .tuple(textArb, fc.array(editArb, { maxLength: 6 }), fc.boolean())
  .map(([healthy, edits, trailing]) => ({ healthy, broken: edit(healthy, edits, trailing) }));

function subsetOf(n: number, bits: readonly boolean[]): Set<number> {
  return new Set(Array.from({ length: n }, (_, i) => i).filter((i) => bits[i % Math.max(1, bits.length)] === true));
}

describe('hunk properties', () => {
  it('reverting every hunk gives the healthy text, reverting none gives the broken text', () => {
    fc.assert(
      fc.property(pairArb, ({ healthy, broken }) => {
        const hunks = computeHunks(healthy, broken);
        expect(revertHunks(broken, hunks, allIndices(hunks.length))).toBe(healthy);
        expect(revertHunks(broken, hunks, new Set())).toBe(broken);
        expect(hunks.length === 0).toBe(healthy === broken);
      }),
      { numRuns: 500 },
    );
  });

  it('reverting any subset equals applying only the other hunks to the healthy text', () => {
    fc.assert(
      fc.property(pairArb, fc.array(fc.boolean(), { minLength: 1, maxLength: 8 }), ({ healthy, broken }, bits) => {
        const hunks = computeHunks(healthy, broken);
        const revert = subsetOf(hunks.length, bits);
        const keep = new Set(hunks.map((h) => h.index).filter((i) => !revert.has(i)));
        const result = revertHunks(broken, hunks, revert);
        expect(result).toBe(applyHunks(healthy, hunks, keep));

        // Independent oracle: jsdiff's own zero-context patch, restricted to the kept hunks,
        // applied to the healthy text with jsdiff's applyPatch.
        const full = structuredPatch('g', 'g', healthy, broken, undefined, undefined, { context: 0 }) as StructuredPatch;
        expect(full.hunks).toHaveLength(hunks.length);
        const partial = { ...full, hunks: full.hunks.filter((_, i) => keep.has(i)) };
        expect(applyPatch(healthy, formatPatch(structuredClone(partial)), { autoConvertLineEndings: false })).toBe(result);
      }),
      { numRuns: 500 },
    );
  });

  it('gives every hunk a header that agrees with its lines', () => {
    fc.assert(
      fc.property(pairArb, ({ healthy, broken }) => {
        for (const [i, h] of computeHunks(healthy, broken).entries()) {
          expect(h.index).toBe(i);
          expect(h.oldLines.length + h.newLines.length).toBeGreaterThan(0);
          expect(h.header).toMatch(/^@@ -\d+,\d+ \+\d+,\d+ @@$/);
          expect(describeHunk(h)).toMatch(/^lines? \d+/);
        }
      }),
    );
  });
});
