import { describe, expect, it } from 'vitest';
import { trialAllowingLateness } from './late-trial.js';
import type { TrialOutcome } from './types.js';

const outcome = (verdict: TrialOutcome['verdict']): TrialOutcome => ({ verdict, error: null, durationMs: 1, seed: 1 });
const script = (...verdicts: TrialOutcome['verdict'][]) => {
  const calls: number[] = [];
  return { calls, run: async () => (calls.push(1), outcome(verdicts[calls.length - 1]!)) };
};

describe('trialAllowingLateness', () => {
  it('runs a late trial once more and takes the second answer', async () => {
    const late = script('slow', 'ok');
    expect((await trialAllowingLateness(late.run)).verdict).toBe('ok');
    expect(late.calls).toHaveLength(2);
    const slow = script('slow', 'slow');
    expect((await trialAllowingLateness(slow.run)).verdict).toBe('slow');
  });

  it('takes any other answer at once', async () => {
    for (const verdict of ['ok', 'crashed', 'wrong', 'hung', 'oom'] as const) {
      const s = script(verdict, 'ok');
      expect((await trialAllowingLateness(s.run)).verdict).toBe(verdict);
      expect(s.calls).toHaveLength(1);
    }
  });
});
