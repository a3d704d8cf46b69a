import type { Verdict } from '../domain.js';
import { VERDICTS } from '../domain.js';
import { percentile } from '../lib/percentile.js';
import { RingBuffer } from '../lib/ring-buffer.js';
import type { RunAggregate } from '../genome/store.js';

export interface StatsSnapshot {
  totalRuns: number;
  successes: number;
  failures: number;
  byVerdict: Record<Verdict, number>;
  successRate: number | null;
  lastMs: number | null;
  avgMs: number | null;
  p95Ms: number | null;
}

const P95_WINDOW = 1000;

/**
 * Run statistics: counts and the average over all time (seeded from the database at start), the p95 over
 * the last thousand runs (a ring, so memory stays flat).
 */
export class RunStats {
  private readonly byVerdict: Record<Verdict, number>;
  private total: number;
  private sumMs: number;
  private readonly recent = new RingBuffer<number>(P95_WINDOW);
  /** The p95 sorts up to a thousand numbers; /status asks for it on every poll, a run changes it once. */
  private p95: number | null | undefined;

  constructor(initial?: RunAggregate, recentDurations: readonly number[] = []) {
    this.byVerdict = Object.fromEntries(VERDICTS.map((v) => [v, initial?.byVerdict[v] ?? 0])) as Record<Verdict, number>;
    this.total = initial?.total ?? 0;
    this.sumMs = initial?.sumMs ?? 0;
    for (const d of recentDurations) this.recent.push(d);
  }

  record(verdict: Verdict, durationMs: number): void {
    this.byVerdict[verdict]++;
    this.total++;
    this.sumMs += durationMs;
    this.recent.push(durationMs);
    this.p95 = undefined;
  }

  snapshot(): StatsSnapshot {
    const successes = this.byVerdict.ok;
    return {
      totalRuns: this.total,
      successes,
      failures: this.total - successes,
      byVerdict: { ...this.byVerdict },
      successRate: this.total === 0 ? null : successes / this.total,
      lastMs: this.recent.last() ?? null,
      avgMs: this.total === 0 ? null : round(this.sumMs / this.total),
      p95Ms: this.p95 === undefined ? (this.p95 = percentile(this.recent.toArray(), 95)) : this.p95,
    };
  }
}

const round = (n: number) => Math.round(n * 100) / 100;
