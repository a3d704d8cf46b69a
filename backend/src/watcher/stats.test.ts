import { describe, expect, it } from 'vitest';
import { RunStats } from './stats.js';

describe('RunStats', () => {
  it('counts verdicts and follows the p95 of the recent runs as they come', () => {
    const stats = new RunStats();
    expect(stats.snapshot()).toMatchObject({ totalRuns: 0, successRate: null, p95Ms: null, avgMs: null });
    for (let ms = 1; ms <= 100; ms++) stats.record('ok', ms);
    expect(stats.snapshot()).toMatchObject({ totalRuns: 100, successes: 100, p95Ms: 95, lastMs: 100 });
    // Asked twice with no run between: the same figure.
    expect(stats.snapshot().p95Ms).toBe(95);
    for (let i = 0; i < 20; i++) stats.record('crashed', 1000);
    const s = stats.snapshot();
    expect(s).toMatchObject({ totalRuns: 120, failures: 20, lastMs: 1000 });
    expect(s.byVerdict.crashed).toBe(20);
    expect(s.p95Ms).toBe(1000);
  });

  it('starts from what the store holds', () => {
    const stats = new RunStats({ total: 10, sumMs: 100, byVerdict: { ok: 8, crashed: 2, hung: 0, wrong: 0, slow: 0, oom: 0 } }, [5, 10, 20]);
    expect(stats.snapshot()).toMatchObject({ totalRuns: 10, successes: 8, failures: 2, avgMs: 10, p95Ms: 20 });
  });
});
