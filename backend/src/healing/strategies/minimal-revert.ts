import { findRepairSet } from '../ddmin.js';
import { computeHunks, describeHunk, revertHunks } from '../hunks.js';
import type { HealStrategy } from '../types.js';

export interface MinimalRevertOptions {
  /** Trials run at once (the core count: each trial is one Node process). */
  parallelism: number;
  /** Upper bound on trial runs per incident. */
  maxTrials: number;
}

/**
 * Reverts only what broke the organism: the line hunks between the last healthy genome and the broken one,
 * minimised with ddmin to a smallest set whose revert passes. Harmless changes made since survive.
 */
export function minimalRevert(opts: MinimalRevertOptions): HealStrategy {
  return {
    name: 'minimal-revert',
    async propose(ctx) {
      const healthy = ctx.lastHealthy;
      if (!healthy) return { none: 'no genome of this organism has ever passed a run, so there is nothing to diff against' };
      const hunks = computeHunks(healthy.source, ctx.live.source);
      if (hunks.length === 0) return { none: 'the broken genome has the same source as the last healthy one' };
      const passes = async (revert: ReadonlySet<number>) =>
        (await ctx.trial(revertHunks(ctx.live.source, hunks, revert))).verdict === 'ok';
      const found = await findRepairSet(hunks.length, passes, {
        parallelism: opts.parallelism,
        maxTests: opts.maxTrials,
        signal: ctx.signal,
      });
      if (!found) {
        return { none: `reverting all ${hunks.length} hunk(s) against generation ${healthy.generation} does not pass either` };
      }
      const reverted = found.reverted.map((i) => hunks[i]!);
      const kept = hunks.length - reverted.length;
      return {
        source: revertHunks(ctx.live.source, hunks, new Set(found.reverted)),
        summary: `reverted ${reverted.length} of ${hunks.length} hunk(s) against generation ${healthy.generation}${kept > 0 ? `, kept ${kept}` : ''}: ${reverted.map(describeHunk).join('; ')}`,
        detail: {
          baseline: { id: healthy.id, generation: healthy.generation },
          reverted: reverted.map((h) => ({ header: h.header, description: describeHunk(h) })),
          kept: hunks.filter((_, i) => !found.reverted.includes(i)).map((h) => ({ header: h.header, description: describeHunk(h) })),
          trials: found.tests,
          exhausted: found.exhausted,
        },
      };
    },
  };
}
