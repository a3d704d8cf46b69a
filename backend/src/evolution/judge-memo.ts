import type { Judgement } from '../organism/manifest.js';

type Judge = (input: unknown, answer: unknown) => Judgement;

/**
 * A judge that remembers its verdicts on one fixed input, by the answer's JSON. The fitness benchmark gives the same
 * wide inputs to every genome, five times each, and an oracle may be slow on purpose (prime-sieve's trial division
 * takes ~180 ms on [1000000, 1500000]), synchronously, on the server's event loop: every repeat stalled every
 * dashboard. The harness is trusted and its judge is a pure function of input and answer, so a repeat of an answer
 * already judged costs one JSON.stringify. At most `entries` answers are kept (correct genomes all give the same one).
 */
export function memoJudge(judge: Judge, input: unknown, entries = 4): Judge {
  const seen = new Map<string, Judgement>();
  return (given, answer) => {
    if (given !== input) return judge(given, answer);
    const key = JSON.stringify(answer) ?? 'undefined';
    const hit = seen.get(key);
    if (hit) return hit;
    const verdict = judge(given, answer);
    if (seen.size >= entries) seen.delete(seen.keys().next().value!);
    seen.set(key, verdict);
    return verdict;
  };
}
