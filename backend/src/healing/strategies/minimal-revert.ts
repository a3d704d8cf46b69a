import { findRepairSet } from '../ddmin.js';
import { computeHunks, describeHunk, revertHunks } from '../hunks.js';
import type { HealStrategy } from '../types.js';

export interface MinimalRevertOptions {
  /** Trials run at once (the core count: each trial is one Node process). */
  parallelism: number;
  /** Upper bound on trial runs per incident, over every baseline tried. */
  maxTrials: number;
  /** Healthy baselines tried, newest first, before giving up. */
  maxBaselines?: number;
}

/**
 * Reverts only what broke the organism: the line hunks between a healthy genome and the broken one,
 * minimised with ddmin to a smallest set whose revert passes. Harmless changes made since survive. The
 * newest healthy genome is the baseline; if even reverting everything against it fails on this input (it
 * passed its own runs but is wrong here), older healthy genomes are tried.
 */
export function minimalRevert(opts: MinimalRevertOptions): HealStrategy {
  return {
    name: 'minimal-revert',
    async propose(ctx) {
      const baselines = ctx.healthyAncestors.slice(0, opts.maxBaselines ?? 3);
      if (baselines.length === 0) {
        return { none: 'no genome of this organism has ever passed a run, so there is nothing to diff against' };
      }
      let trialsLeft = opts.maxTrials;
      const tried: string[] = [];
      for (const healthy of baselines) {
        const hunks = computeHunks(healthy.source, ctx.live.source);
        if (hunks.length === 0) {
          tried.push(`generation ${healthy.generation} has the same source`);
          continue;
        }
        if (trialsLeft < 1) break;
        const passes = async (revert: ReadonlySet<number>) =>
          (await ctx.trial(revertHunks(ctx.live.source, hunks, revert))).verdict === 'ok';
        const found = await findRepairSet(hunks.length, passes, {
          parallelism: opts.parallelism,
          maxTests: trialsLeft,
          signal: ctx.signal,
        });
        if (!found) {
          trialsLeft -= 1;
          tried.push(`reverting all ${hunks.length} hunk(s) against generation ${healthy.generation} does not pass either`);
          continue;
        }
        trialsLeft -= found.tests;
        const reverted = found.reverted.map((i) => hunks[i]!);
        const kept = hunks.filter((_, i) => !found.reverted.includes(i));
        return {
          source: revertHunks(ctx.live.source, hunks, new Set(found.reverted)),
          summary: `reverted ${reverted.length} of ${hunks.length} hunk(s) against generation ${healthy.generation}${kept.length > 0 ? `, kept ${kept.length}` : ''}: ${reverted.map(describeHunk).join('; ')}`,
          detail: {
            baseline: { id: healthy.id, generation: healthy.generation },
            reverted: reverted.map((h) => ({ header: h.header, description: describeHunk(h) })),
            kept: kept.map((h) => ({ header: h.header, description: describeHunk(h) })),
            trials: opts.maxTrials - trialsLeft,
            exhausted: found.exhausted,
            baselinesTried: tried,
          },
        };
      }
      return { none: tried.join('; ') || 'no trial budget left' };
    },
  };
}
