import type { HealStrategy } from '../types.js';

/** Restores the newest genome that ever passed: always safe, but throws away every change made since. */
export const restoreLastHealthy: HealStrategy = {
  name: 'rollback',
  async propose(ctx) {
    const target = ctx.lastHealthy;
    if (!target) return { none: 'no genome of this organism has ever passed a run' };
    if (target.sourceHash === ctx.live.sourceHash) {
      return { none: 'the last healthy genome has the same source as the broken one, so the failure is not in the code' };
    }
    return {
      source: target.source,
      summary: `restored generation ${target.generation} (${target.id}), the last healthy genome`,
      detail: { restoredFrom: target.id, restoredGeneration: target.generation },
    };
  },
};
