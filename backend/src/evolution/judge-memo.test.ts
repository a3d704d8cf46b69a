import { describe, expect, it } from 'vitest';
import type { Judgement } from '../organism/manifest.js';
import { memoJudge } from './judge-memo.js';

function countingJudge() {
  const calls = { n: 0 };
  const judge = (input: unknown, answer: unknown): Judgement => {
    calls.n++;
    const want = (input as { n: number }).n * 2;
    return answer === want ? { ok: true } : { ok: false, reason: `expected ${want}, got ${JSON.stringify(answer)}` };
  };
  return { calls, judge };
}

describe('memoJudge', () => {
  it('judges each distinct answer to its input once, and gives the same verdicts as the judge', () => {
    const { calls, judge } = countingJudge();
    const input = { n: 21 };
    const memo = memoJudge(judge, input);
    expect(memo(input, 42)).toEqual({ ok: true });
    expect(memo(input, 42)).toEqual({ ok: true });
    expect(memo(input, 41)).toEqual({ ok: false, reason: 'expected 42, got 41' });
    expect(memo(input, 41)).toEqual(judge(input, 41));
    expect(calls.n).toBe(3); // 42 once, 41 once, and the direct call above
  });

  it('passes any other input straight to the judge', () => {
    const { calls, judge } = countingJudge();
    const memo = memoJudge(judge, { n: 1 });
    const other = { n: 1 }; // equal, but not the benchmark's own input
    memo(other, 2);
    memo(other, 2);
    expect(calls.n).toBe(2);
  });

  it('keeps only its last few answers', () => {
    const { calls, judge } = countingJudge();
    const input = { n: 0 };
    const memo = memoJudge(judge, input, 2);
    memo(input, 1);
    memo(input, 2);
    memo(input, 3); // forgets 1
    memo(input, 3);
    memo(input, 2);
    expect(calls.n).toBe(3);
    memo(input, 1);
    expect(calls.n).toBe(4);
  });
});
