// Input generator and oracle for the prime-sieve organism. Trusted code: chaos never touches it.

/** The first primes, written out: the reference below must agree with them before it is trusted. */
const KNOWN_PRIMES = [2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73, 79, 83, 89, 97];

/** Trial division by 2 and the odd numbers up to sqrt(n): slow, obvious, and independent of any sieve. */
function isPrime(n) {
  if (!Number.isInteger(n) || n < 2) return false;
  if (n % 2 === 0) return n === 2;
  for (let d = 3; d * d <= n; d += 2) if (n % d === 0) return false;
  return true;
}

for (let n = 0; n <= 100; n++) {
  if (isPrime(n) !== KNOWN_PRIMES.includes(n)) throw new Error(`prime-sieve harness: the reference is wrong about ${n}`);
}

/**
 * A window [low, high] of the integers: high up to maxHigh, a span between minSpan and maxSpan. Every seed
 * sometimes starts the window at the very bottom (low 0..2), where the edge cases live.
 * @param {{ int(min: number, max: number): number, next(): number }} rng seeded generator supplied by the watcher
 * @param {{ maxHigh: number, minSpan: number, maxSpan: number }} params the manifest's "input" block
 */
export function generateInput(rng, params) {
  const span = rng.int(params.minSpan, params.maxSpan);
  const low = rng.next() < 0.2 ? rng.int(0, 2) : rng.int(0, params.maxHigh - span);
  return { low, high: low + span };
}

/** The reference answer: every prime in [low, high], ascending. */
export function primesBetween(low, high) {
  const out = [];
  for (let n = Math.max(low, 2); n <= high; n++) if (isPrime(n)) out.push(n);
  return out;
}

/**
 * The answer must be exactly the primes p with low <= p <= high, ascending, no repeats.
 * @returns {{ ok: true } | { ok: false, reason: string }}
 */
export function judge(input, answer) {
  if (!Array.isArray(answer)) return { ok: false, reason: `expected a JSON array, got ${answer === null ? 'null' : typeof answer}` };
  const expected = primesBetween(input.low, input.high);
  const n = Math.min(answer.length, expected.length);
  for (let i = 0; i < n; i++) {
    if (answer[i] !== expected[i]) {
      const what = isPrime(answer[i]) ? 'out of order, repeated or out of the window' : 'not prime';
      return { ok: false, reason: `at index ${i}: expected ${expected[i]}, got ${JSON.stringify(answer[i])} (${what})` };
    }
  }
  if (answer.length < expected.length) {
    return { ok: false, reason: `expected ${expected.length} primes in [${input.low}, ${input.high}], got ${answer.length}: missing ${expected[n]} onwards` };
  }
  if (answer.length > expected.length) {
    return { ok: false, reason: `expected ${expected.length} primes in [${input.low}, ${input.high}], got ${answer.length}: extra ${JSON.stringify(answer[n])}` };
  }
  return { ok: true };
}

/**
 * The verification suite's edge cases: the bottom of the integers, windows of one or two numbers, windows without
 * primes, a prime at either end, and a prime's square at the top (the last number a sieve of the primes up to
 * sqrt(high) must cross out).
 * @returns {{ name: string, input: { low: number, high: number } }[]}
 */
export function edgeCases() {
  const window = (name, low, high) => ({ name, input: { low, high } });
  return [
    window('0..1, no primes', 0, 1),
    window('0..2', 0, 2),
    window('1..3', 1, 3),
    window('0..4, the square of 2 at the top', 0, 4),
    window('13..14, a prime at the low end', 13, 14),
    window('96..97, a prime at the high end', 96, 97),
    window('24..28, no primes', 24, 28),
    window('110..121, the square of 11 at the top', 110, 121),
    window('0..1000', 0, 1000),
    window('288..289, the square of 17 at the top', 288, 289),
    window('1000000..1000100', 1_000_000, 1_000_100),
  ];
}

/** The inputs the contract covers: whole numbers with 0 <= low < high. A shrunk counterexample must stay one. */
export function validInput(input) {
  return input !== null && typeof input === 'object' && Number.isSafeInteger(input.low) && Number.isSafeInteger(input.high) && input.low >= 0 && input.high > input.low;
}

/**
 * The fitness benchmark: a fixed list of windows. The edge cases (the bottom of the integers, windows of one or
 * two numbers, a window without primes) gate correctness only; the wide windows (`timed`), far wider than a normal
 * run's, are also timed. Each wide window costs the oracle a trial division per number, so keep them moderate.
 * @param {{ int(min: number, max: number): number }} rng seeded generator (the manifest's fitness.seed)
 * @param {{ windows?: [number, number][] }} params the manifest's "fitness.benchmark" block
 * @returns {{ name: string, input: { low: number, high: number }, timed?: boolean }[]}
 */
export function benchmarkInputs(rng, params) {
  const start = rng.int(10_000, 90_000);
  const inputs = [
    { name: '0..1, no primes', input: { low: 0, high: 1 } },
    { name: '0..2', input: { low: 0, high: 2 } },
    { name: '1..3', input: { low: 1, high: 3 } },
    { name: '13..14, a prime at the low end', input: { low: 13, high: 14 } },
    { name: '96..97, a prime at the high end', input: { low: 96, high: 97 } },
    { name: '24..28, no primes', input: { low: 24, high: 28 } },
    { name: '0..1000', input: { low: 0, high: 1000 } },
    { name: `a square: ${start * start - 50}..${start * start + 50}`, input: { low: start * start - 50, high: start * start + 50 } },
  ];
  for (const [low, high] of params.windows ?? [[0, 100_000]]) inputs.push({ name: `${low}..${high}`, input: { low, high }, timed: true });
  return inputs;
}
