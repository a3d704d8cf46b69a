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

/**
 * The fitness benchmark: a fixed list of inputs made from the manifest's fitness seed. The edge cases (empty, one
 * element, duplicates, already sorted, reversed...) gate correctness only; the large inputs (`timed`), far larger
 * than a normal run's, are also timed.
 * @param {{ int(min: number, max: number): number }} rng seeded generator (the manifest's fitness.seed)
 * @param {{ sizes?: number[], sorted?: number, min?: number, max?: number }} params the manifest's "fitness.benchmark" block
 * @returns {{ name: string, input: { values: number[] }, timed?: boolean }[]}
 */
export function benchmarkInputs(rng, params) {
  const min = params.min ?? -1000;
  const max = params.max ?? 1000;
  const random = (n) => Array.from({ length: n }, () => rng.int(min, max));
  const ascending = (n) => random(n).sort((a, b) => a - b);
  const inputs = [
    { name: 'empty', input: { values: [] } },
    { name: 'one element', input: { values: [rng.int(min, max)] } },
    { name: 'two elements, reversed', input: { values: [5, -5] } },
    { name: 'duplicates', input: { values: [3, -1, 3, 0, 3, -1, 7, 0, 3] } },
    { name: 'all equal', input: { values: Array.from({ length: 50 }, () => 42) } },
    { name: 'already sorted', input: { values: ascending(200) } },
    { name: 'reversed', input: { values: ascending(200).reverse() } },
    { name: 'extremes', input: { values: [max, min, 0, max, min, -1, 1] } },
  ];
  for (const n of params.sizes ?? [1000]) inputs.push({ name: `random ${n}`, input: { values: random(n) }, timed: true });
  if (params.sorted) inputs.push({ name: `sorted ${params.sorted}`, input: { values: ascending(params.sorted) }, timed: true });
  return inputs;
}

/**
 * The inputs the contract covers: an object whose `values` are integers. A counterexample shrunk for the regression
 * set must stay one of them.
 */
export function validInput(input) {
  return input !== null && typeof input === 'object' && Array.isArray(input.values) && input.values.every(Number.isSafeInteger);
}
