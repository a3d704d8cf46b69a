import { describe, expect, it } from 'vitest';
import type { GenomeRow } from '../genome/store.js';
import { climbLadder, PROPOSALS_PER_RUNG } from './ladder.js';
import type { HealContext, HealStrategy, VerifyOutcome } from './types.js';

// Programs are strings; the suite is a list of words a program must contain. The failing input is "a".
const SUITE = ['a', 'b', 'c'];

function ctx(verified: string[] = []): HealContext & { learned: string[] } {
  const learned: string[] = [];
  const verify = async (source: string): Promise<VerifyOutcome> => {
    verified.push(source);
    const missing = SUITE.find((w) => !source.includes(w));
    if (missing && missing !== 'a' && !learned.includes(missing)) learned.push(missing);
    return {
      passed: missing === undefined,
      suite: 'f',
      size: SUITE.length,
      runs: 1,
      timeMs: 1,
      reused: false,
      failure: missing ? { case: missing === 'a' ? 'failing input (run #1)' : `edge: ${missing}`, kind: missing === 'a' ? 'failing' : 'edge', verdict: 'wrong', error: `no ${missing}` } : null,
    };
  };
  return {
    organism: 'o',
    contract: '',
    live: { id: 'g', source: 'x', generation: 3 } as GenomeRow,
    failure: { runId: 1, seed: 7, verdict: 'wrong', error: 'no a', stderrTail: '', input: {} },
    lastHealthy: null,
    healthyAncestors: [],
    // The cheap trial knows the failing input and whatever the suite taught this heal.
    trial: async (source) => {
      const missing = ['a', ...learned].find((w) => !source.includes(w));
      return { verdict: missing ? 'wrong' : 'ok', error: missing ? `no ${missing}` : null, durationMs: 1, seed: 7 };
    },
    verify,
    signal: new AbortController().signal,
    learned,
  };
}

/** A rung that proposes the shortest program its trial accepts: what ddmin does with a cheap predicate. */
const searching: HealStrategy = {
  name: 'search',
  async propose(c) {
    for (const candidate of ['a', 'ab', 'ac', 'abc']) if ((await c.trial(candidate)).verdict === 'ok') return { source: candidate, summary: candidate, detail: {} };
    return { none: 'nothing passes' };
  },
};

/** A rung that claims its candidate is fine without any trial: the ladder must not take its word. */
const boastful: HealStrategy = { name: 'boast', propose: async () => ({ source: 'a', summary: 'trust me', detail: {} }) };

describe('the repair ladder', () => {
  it('verifies every proposal and promotes nothing that fails the suite, asking the rung again with what it learnt', async () => {
    const verified: string[] = [];
    const c = ctx(verified);
    const result = await climbLadder([searching], c);
    expect(result.healed).toBe(true);
    if (!result.healed) return;
    expect(result.candidate.source).toBe('abc');
    expect(verified).toEqual(['a', 'ab', 'abc']);
    expect(result.attempts.map((a) => a.outcome)).toEqual(['verification-failed', 'verification-failed', 'passed']);
    expect(result.attempts[0]!.reason).toMatch(/candidate failed verification on edge: b: wrong \(no b\)/);
    expect(result.verification).toMatchObject({ passed: true, size: 3 });
  });

  it('never lets a rung bypass verification, and moves on when it repeats the same failing candidate', async () => {
    const c = ctx();
    const result = await climbLadder([boastful], c);
    expect(result.healed).toBe(false);
    expect(result.attempts).toHaveLength(2);
    expect(result.attempts.every((a) => a.outcome === 'verification-failed')).toBe(true);
    if (!result.healed) expect(result.reason).toMatch(/boast: candidate failed verification on edge: b/);
  });

  it('counts a failure on the failing input as a failed trial, and bounds the proposals of a rung', async () => {
    const stubborn: HealStrategy = { name: 'stubborn', propose: async () => ({ source: 'zzz', summary: 'z', detail: {} }) };
    const result = await climbLadder([stubborn, searching], ctx());
    expect(result.attempts[0]).toMatchObject({ strategy: 'stubborn', outcome: 'trial-failed' });
    expect(result.attempts.filter((a) => a.strategy === 'stubborn').length).toBeLessThanOrEqual(PROPOSALS_PER_RUNG);
    expect(result.healed && result.strategy).toBe('search');
  });
});
