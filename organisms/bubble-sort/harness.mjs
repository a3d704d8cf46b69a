// Input generator and oracle for the bubble-sort organism. Trusted code: chaos never touches it.

/**
 * @param {{ int(min: number, max: number): number }} rng seeded generator supplied by the watcher
 * @param {{ length: number, min: number, max: number }} params the manifest's "input" block
 */
export function generateInput(rng, params) {
  const values = [];
  for (let i = 0; i < params.length; i++) values.push(rng.int(params.min, params.max));
  return { values };
}

/**
 * The answer must be the input's values, sorted ascending: sorted, and a permutation of the input.
 * @returns {{ ok: true } | { ok: false, reason: string }}
 */
export function judge(input, answer) {
  if (!Array.isArray(answer)) return { ok: false, reason: `expected a JSON array, got ${typeof answer}` };
  if (answer.length !== input.values.length) {
    return { ok: false, reason: `expected ${input.values.length} values, got ${answer.length}` };
  }
  for (let i = 1; i < answer.length; i++) {
    if (!(answer[i - 1] <= answer[i])) {
      return { ok: false, reason: `not sorted at index ${i}: ${answer[i - 1]} > ${answer[i]}` };
    }
  }
  const counts = new Map();
  for (const v of input.values) counts.set(v, (counts.get(v) ?? 0) + 1);
  for (const v of answer) {
    const left = counts.get(v);
    if (!left) return { ok: false, reason: `value ${JSON.stringify(v)} is not in the input (or appears too often)` };
    counts.set(v, left - 1);
  }
  return { ok: true };
}
