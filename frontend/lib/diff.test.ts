import { describe, expect, it } from 'vitest';
import { parseUnifiedDiff } from './diff';
import { SAMPLE_DIFF } from '@/test/fixtures';

describe('parseUnifiedDiff', () => {
  it('classifies and numbers lines', () => {
    const d = parseUnifiedDiff(SAMPLE_DIFF);
    expect(d.added).toBe(1);
    expect(d.removed).toBe(1);
    expect(d.hunks).toBe(1);
    expect(d.lines.map((l) => l.kind)).toEqual(['file', 'file', 'hunk', 'context', 'del', 'add', 'context', 'context']);
    const del = d.lines[4]!;
    const add = d.lines[5]!;
    expect([del.oldNo, del.newNo]).toEqual([4, null]);
    expect([add.oldNo, add.newNo]).toEqual([null, 4]);
    expect(d.lines[7]).toMatchObject({ oldNo: 6, newNo: 6 });
  });

  it('treats a removed line that looks like a file header as a removal inside a hunk', () => {
    const d = parseUnifiedDiff('@@ -1,2 +1,1 @@\n--- x\n keep\n');
    expect(d.lines.map((l) => l.kind)).toEqual(['hunk', 'del', 'context']);
  });

  it('returns nothing for an empty diff', () => {
    expect(parseUnifiedDiff('')).toEqual({ lines: [], added: 0, removed: 0, hunks: 0 });
  });
});
