import { describe, expect, it } from 'vitest';
import type { Edit } from './edits.js';
import { orderCandidates, screenedBeforeLocalizing } from './order.js';

let at = 0;
const edit = (line: number, op: Edit['op'] = 'flip-comparison'): Edit => {
  at += 10;
  return { op, line, start: at, end: at + 1, replacement: 'x', summary: `${op} ${line}` };
};

describe('candidate order', () => {
  const a = edit(3, 'delete-statement');
  const b = edit(3, 'flip-comparison');
  const c = edit(7, 'change-literal');
  const d = edit(9, 'swap-arithmetic');
  const ranking = { method: 'ochiai' as const, lines: [{ line: 3, score: 0.9 }, { line: 7, score: 0.5 }] };

  it('tries the most suspicious lines first and, on a line, operator edits before statement edits', () => {
    const order = orderCandidates([d, c, a, b], ranking, { maxTrials: 4, pairLines: 2 });
    expect(order.map((e) => e.map((x) => x.summary))).toEqual([[b.summary], [a.summary], [c.summary], [d.summary]]);
  });

  it('then pairs edits among the best lines, the best pair first, within the trial budget', () => {
    const order = orderCandidates([d, c, a, b], ranking, { maxTrials: 6, pairLines: 2 });
    expect(order).toHaveLength(6);
    expect(order.slice(4).map((p) => p.map((x) => x.line))).toEqual([[3, 3], [3, 7]]);
    expect(orderCandidates([d, c, a, b], ranking, { maxTrials: 2, pairLines: 2 })).toHaveLength(2);
  });

  it('without a ranking, keeps the catalogue order and pairs the first lines', () => {
    const none = { method: 'none' as const, lines: [] };
    const order = orderCandidates([d, c, a, b], none, { maxTrials: 10, pairLines: 1 });
    expect(order.slice(0, 4).map((e) => e[0]!.op)).toEqual(['flip-comparison', 'swap-arithmetic', 'change-literal', 'delete-statement']);
    expect(order.slice(4).map((p) => p.map((x) => x.line))).toEqual([[3, 3]]);
  });
});

describe('candidates screened before localizing', () => {
  it('is one batch when a crash names its lines, and for anything else several, within a quarter of the trial budget', () => {
    expect(screenedBeforeLocalizing({ parallelism: 2, maxTrials: 64 }, true)).toBe(2);
    expect(screenedBeforeLocalizing({ parallelism: 2, maxTrials: 64 }, false)).toBe(8);
    expect(screenedBeforeLocalizing({ parallelism: 1, maxTrials: 64 }, false)).toBe(4);
    // A small budget keeps most of its trials for the ranked order, yet always screens one batch.
    expect(screenedBeforeLocalizing({ parallelism: 2, maxTrials: 12 }, false)).toBe(3);
    expect(screenedBeforeLocalizing({ parallelism: 2, maxTrials: 4 }, false)).toBe(2);
    expect(screenedBeforeLocalizing({ parallelism: 0, maxTrials: 1 }, false)).toBe(1);
  });
});
