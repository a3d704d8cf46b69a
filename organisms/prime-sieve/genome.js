'use strict';
// Prime sieve organism, genome 0.
// Reads {"low": number, "high": number} as JSON on stdin and prints every prime p with low <= p <= high,
// ascending, as a JSON array on its last stdout line. A segmented sieve of Eratosthenes: first the small
// primes up to sqrt(high), then their multiples crossed out of the window [low, high].

function readInput(callback) {
  const chunks = [];
  process.stdin.on('data', (chunk) => chunks.push(chunk));
  process.stdin.on('end', () => callback(JSON.parse(Buffer.concat(chunks).toString('utf8'))));
}

function smallPrimes(limit) {
  const composite = new Uint8Array(limit + 1);
  const primes = [];
  for (let n = 2; n <= limit; n++) {
    if (composite[n] === 1) continue;
    primes.push(n);
    for (let m = n * n; m <= limit; m += n) {
      composite[m] = 1;
    }
  }
  return primes;
}

function segmentedSieve(low, high) {
  const from = Math.max(low, 2);
  const base = smallPrimes(Math.floor(Math.sqrt(high)));
  const crossed = new Uint8Array(high - from + 1);
  let marks = 0;
  for (const p of base) {
    const first = Math.max(p * p, Math.ceil(from / p) * p);
    for (let m = first; m <= high; m += p) {
      crossed[m - from] = 1;
      marks++;
    }
  }
  const primes = [];
  for (let i = 0; i < crossed.length; i++) {
    if (crossed[i] === 0) primes.push(from + i);
  }
  return { primes, base: base.length, marks };
}

readInput((input) => {
  const started = process.hrtime.bigint();
  const result = segmentedSieve(input.low, input.high);
  const micros = (process.hrtime.bigint() - started) / 1000n;
  console.log(`sieved [${input.low}, ${input.high}] with ${result.base} base primes, ${result.marks} marks (${micros} us)`);
  console.log(JSON.stringify(result.primes));
});
