import { describe, expect, it } from 'vitest';
import { sourceHash, type GenomeRow } from '../../genome/store.js';
import type { HealContext } from '../types.js';
import { restoreLastHealthy } from './last-healthy.js';
import { minimalRevert } from './minimal-revert.js';

// A "program" passes its trial when it has the right line 2 and no damage: enough to exercise the rungs.
const GOOD = 'a\nb = 1\nc\nd\n';
const MUTANT = 'a\nb = 2\nc\nd\n'; // passed its own runs once, but is wrong on the failing input
const BROKEN = 'a\nb = 2\nc\nDAMAGE\nd\nnote\n';

const genome = (source: string, generation: number): GenomeRow =>
  ({ id: `g${generation}`, source, sourceHash: sourceHash(source), generation, healthy: true }) as GenomeRow;

function ctx(ancestors: GenomeRow[]): HealContext & { trials: string[] } {
  const trials: string[] = [];
  return {
    organism: 'o',
    contract: '',
    live: genome(BROKEN, 9),
    failure: { runId: 1, seed: 1, verdict: 'wrong', error: 'wrong answer', stderrTail: '', input: {} },
    lastHealthy: ancestors[0] ?? null,
    healthyAncestors: ancestors,
    trial: async (source) => {
      trials.push(source);
      const ok = source.includes('b = 1') && !source.includes('DAMAGE');
      return { verdict: ok ? 'ok' : 'wrong', error: ok ? null : 'wrong answer', durationMs: 1, seed: 1 };
    },
    verify: async () => {
      throw new Error('a rung never verifies: the ladder does');
    },
    signal: new AbortController().signal,
    trials,
  };
}

describe('when the newest healthy genome is wrong on the failing input', () => {
  it('rollback walks back to an older healthy genome that passes', async () => {
    const result = await restoreLastHealthy.propose(ctx([genome(MUTANT, 5), genome(GOOD, 2)]));
    expect(result).toMatchObject({ source: GOOD, detail: { restoredGeneration: 2, skipped: [{ generation: 5, verdict: 'wrong' }] } });
    expect('summary' in result && result.summary).toMatch(/1 newer healthy genome\(s\) fail on this input/);
  });

  it('rollback proposes the newest without an extra trial when it is the only one', async () => {
    const c = ctx([genome(GOOD, 2)]);
    expect(await restoreLastHealthy.propose(c)).toMatchObject({ source: GOOD });
    expect(c.trials).toEqual([]);
  });

  it('minimal revert tries the next baseline, and still keeps the harmless change', async () => {
    const c = ctx([genome(MUTANT, 5), genome(GOOD, 2)]);
    const result = await minimalRevert({ parallelism: 2, maxTrials: 64 }).propose(c);
    if ('none' in result) throw new Error(result.none);
    expect(result.source).toBe('a\nb = 1\nc\nd\nnote\n');
    expect(result.detail).toMatchObject({ baseline: { generation: 2 }, baselinesTried: [expect.stringMatching(/generation 5 does not pass/)] });
    expect(result.detail.kept).toHaveLength(1);
  });

  it('minimal revert gives up with every reason when no baseline helps', async () => {
    const result = await minimalRevert({ parallelism: 2, maxTrials: 64 }).propose(ctx([genome(MUTANT, 5)]));
    expect(result).toMatchObject({ none: expect.stringMatching(/against generation 5 does not pass either/) });
  });
});
