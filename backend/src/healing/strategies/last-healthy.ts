import type { HealStrategy } from '../types.js';

/**
 * Restores the newest healthy genome that passes on the failing input: always safe, but throws away every
 * change made since. A genome that passed its own runs can still fail on this input (a logic mutant only
 * some inputs expose); then an older one is tried.
 */
export const restoreLastHealthy: HealStrategy = {
  name: 'rollback',
  async propose(ctx) {
    const candidates = ctx.healthyAncestors.filter((g) => g.sourceHash !== ctx.live.sourceHash);
    if (candidates.length === 0) {
      return {
        none:
          ctx.healthyAncestors.length === 0
            ? 'no genome of this organism has ever passed a run'
            : 'the healthy genomes have the same source as the broken one, so the failure is not in the code',
      };
    }
    const skipped: { generation: number; verdict: string }[] = [];
    for (const [i, target] of candidates.entries()) {
      // The ladder trials whatever this rung proposes; a trial here only decides whether to look further back.
      if (i < candidates.length - 1) {
        const trial = await ctx.trial(target.source);
        if (trial.verdict !== 'ok') {
          skipped.push({ generation: target.generation, verdict: trial.verdict });
          continue;
        }
      }
      return {
        source: target.source,
        summary:
          skipped.length === 0
            ? `restored generation ${target.generation} (${target.id}), the last healthy genome`
            : `restored generation ${target.generation} (${target.id}); ${skipped.length} newer healthy genome(s) fail on this input`,
        detail: { restoredFrom: target.id, restoredGeneration: target.generation, skipped },
      };
    }
    return { none: 'unreachable: the last candidate is always proposed' };
  },
};
