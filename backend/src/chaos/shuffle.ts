import type { Rng } from '../lib/rng.js';

/** A copy of `items` in an order drawn from `rng` (Fisher-Yates): the operators' deterministic "try the next one". */
export function shuffled<T>(items: readonly T[], rng: Rng): T[] {
  const out = items.slice();
  for (let i = out.length - 1; i > 0; i--) {
    const j = rng.int(0, i);
    const held = out[i] as T;
    out[i] = out[j] as T;
    out[j] = held;
  }
  return out;
}
