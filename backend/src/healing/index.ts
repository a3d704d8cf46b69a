import { restoreLastHealthy } from './strategies/last-healthy.js';
import type { HealStrategy } from './types.js';

/** The repair ladder, cheapest rung first. */
export function buildLadder(): HealStrategy[] {
  return [restoreLastHealthy];
}
