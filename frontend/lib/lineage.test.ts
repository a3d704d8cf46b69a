import { describe, expect, it } from 'vitest';
import { collapseFailed, describeFailed } from './lineage';
import type { LineageEntry } from '@ouroboros/contract';

const entry = (generation: number, cause: LineageEntry['cause'], healthy: boolean, live = false): LineageEntry => ({
  id: `g${generation}`,
  generation,
  parentId: generation === 0 ? null : `g${generation - 1}`,
  cause,
  summary: `${cause} ${generation}`,
  createdAt: new Date(generation * 1000).toISOString(),
  live,
  healthy,
  fitness: null,
});

describe('collapseFailed', () => {
  it('keeps the ancestors that held and folds each stretch of failed generations into one row', () => {
    const rows = collapseFailed([
      entry(7, 'evolve', true, true),
      entry(6, 'heal', true),
      entry(5, 'chaos', false),
      entry(4, 'chaos', false),
      entry(3, 'heal', true),
      entry(2, 'chaos', false),
      entry(1, 'chaos', true),
      entry(0, 'seed', true),
    ]);
    expect(rows.map((r) => (r.kind === 'genome' ? `#${r.entry.generation}` : describeFailed(r.entries)))).toEqual([
      '#7',
      '#6',
      '2 failed generations (#4–#5: chaos)',
      '#3',
      '1 failed generation (#2: chaos)',
      '#1',
      '#0',
    ]);
  });

  it('never folds the live genome', () => {
    const rows = collapseFailed([entry(2, 'chaos', false, true), entry(1, 'chaos', true), entry(0, 'seed', true)]);
    expect(rows.map((r) => r.kind)).toEqual(['genome', 'genome', 'genome']);
  });
});
