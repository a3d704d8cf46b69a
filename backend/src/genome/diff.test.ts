import { describe, expect, it } from 'vitest';
import { genomeDiff } from './diff.js';

describe('genomeDiff', () => {
  it('is a git-style unified diff labelled with generations', () => {
    const d = genomeDiff({ generation: 0, source: 'a\nb\nc\n' }, { generation: 1, source: 'a\nB\nc\n' });
    expect(d.split('\n').slice(0, 5)).toEqual([
      '--- a/genome.js (generation 0)',
      '+++ b/genome.js (generation 1)',
      '@@ -1,3 +1,3 @@',
      ' a',
      '-b',
    ]);
  });

  it('is empty for genome 0 and has no hunks for identical sources', () => {
    expect(genomeDiff(null, { generation: 0, source: 'x\n' })).toBe('');
    expect(genomeDiff({ generation: 0, source: 'x\n' }, { generation: 2, source: 'x\n' })).not.toContain('@@');
  });
});
