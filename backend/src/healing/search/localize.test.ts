import { describe, expect, it } from 'vitest';
import { demoteUnrun, ochiaiRanking, stackLines, stackRanking } from './localize.js';

describe('stack frames', () => {
  it("reads the genome's lines from a crash, innermost first, without Node's own frames", () => {
    const stderr = [
      '/data/organisms/o/run/ab12.js:14',
      '    return values[i].key;',
      '           ^',
      "TypeError: Cannot read properties of undefined (reading 'key')",
      '    at keyOf (/data/organisms/o/run/ab12.js:14:22)',
      '    at /data/organisms/o/run/ab12.js:30:5',
      '    at Array.map (<anonymous>)',
      '    at Socket.<anonymous> (/data/organisms/o/run/ab12.js:41:3)',
      '    at Socket.emit (node:events:519:28)',
    ].join('\n');
    expect(stackLines(stderr)).toEqual([14, 30, 41]);
    expect(stackLines('Error: boom\n    at node:internal/x:1:1')).toEqual([]);
  });

  it('ranks each frame, then the lines around it, the line before above the line after', () => {
    const r = stackRanking([10, 20], 100);
    expect(r.method).toBe('stack');
    expect(r.lines.slice(0, 4)).toEqual([
      { line: 10, score: 1 },
      { line: 9, score: 0.5 },
      { line: 20, score: 0.5 },
      { line: 8, score: 0.25 },
    ]);
    expect(stackRanking([1], 2).lines.map((l) => l.line)).toEqual([1, 2]);
  });

  it('puts the lines the failing run never ran after those it ran', () => {
    const r = demoteUnrun(stackRanking([10], 100), new Set([10, 7, 11]));
    expect(r.method).toBe('stack');
    expect(r.lines.map((l) => l.line)).toEqual([10, 11, 7, 9, 8, 6]);
  });
});

describe('Ochiai', () => {
  it('puts the line only failing runs cover first, and leaves out lines no failing run covers', () => {
    const r = ochiaiRanking([
      { passed: false, lines: new Set([1, 2, 3]) },
      { passed: false, lines: new Set([1, 3]) },
      { passed: true, lines: new Set([1, 2, 4]) },
      { passed: true, lines: new Set([1, 4]) },
    ]);
    expect(r.method).toBe('ochiai');
    // line 3: ef=2, ep=0 -> 1; line 1: 2/sqrt(2*4) = 0.707; line 2: 1/sqrt(2*2) = 0.5.
    expect(r.lines).toEqual([
      { line: 3, score: 1 },
      { line: 1, score: 0.707 },
      { line: 2, score: 0.5 },
    ]);
  });
});
