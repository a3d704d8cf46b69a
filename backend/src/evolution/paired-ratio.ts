/**
 * How much faster a candidate is than the incumbent, from interleaved pairs of runs, with a confidence bound that
 * a noisy machine cannot talk up.
 *
 * On a loaded machine a run's time is its work plus interference (waiting for a core, a busy sibling hyperthread,
 * caches another process evicted): on two busy cores the same program measured 93 ms in one run and 316 ms in the
 * next, in CPU time. Medians of a few runs, or 7 wins of 8 pairs, are fooled by that now and then. So each pair
 * gives the log of its ratio, candidate over incumbent, and the Hodges-Lehmann estimator (the median of the
 * pairwise averages of those logs) estimates the ratio; inverting Wilcoxon's signed-rank test gives a one-sided
 * upper confidence bound for it. The more the runs scatter, the wider the bound: a candidate is only ever confirmed
 * as faster than the noise allows it to be.
 */

export interface RatioEstimate {
  /** Pairs used (both runs answered, both times positive). */
  n: number;
  /** The estimated ratio candidate / incumbent (below 1: faster). */
  estimate: number;
  /** With probability at least 1 - alpha the true ratio is below this; Infinity when n is too small to say. */
  upper: number;
  alpha: number;
}

/** The estimated ratio of the candidate's time to the incumbent's, and its one-sided upper confidence bound. */
export function pairedRatio(pairs: readonly { candidateMs: number; incumbentMs: number }[], alpha: number): RatioEstimate {
  const logs = pairs.filter((p) => p.candidateMs > 0 && p.incumbentMs > 0).map((p) => Math.log(p.candidateMs / p.incumbentMs));
  const n = logs.length;
  if (n === 0) return { n, estimate: NaN, upper: Infinity, alpha };
  const walsh: number[] = [];
  for (let i = 0; i < n; i++) for (let j = i; j < n; j++) walsh.push((logs[i]! + logs[j]!) / 2);
  walsh.sort((a, b) => a - b);
  const m = walsh.length;
  const mid = m >> 1;
  const hl = m % 2 === 1 ? walsh[mid]! : (walsh[mid - 1]! + walsh[mid]!) / 2;
  // Reject "the log ratio is at least t" when fewer than c + 1 Walsh averages exceed t, where P(T+ <= c) <= alpha
  // under the null: every t at or above the (c + 1)-th largest average is rejected.
  const c = criticalValue(n, alpha);
  const upper = c === null ? Infinity : Math.exp(walsh[m - 1 - c]!);
  return { n, estimate: Math.exp(hl), upper, alpha };
}

/** The largest c with P(T+ <= c) <= alpha for Wilcoxon's signed-rank statistic on n pairs, or null when none is. */
export function criticalValue(n: number, alpha: number): number | null {
  // counts[t]: subsets of the ranks 1..n whose sum is t (each equally likely under the null, 2^n of them).
  const max = (n * (n + 1)) / 2;
  const counts = new Array<number>(max + 1).fill(0);
  counts[0] = 1;
  for (let r = 1; r <= n; r++) for (let t = max; t >= r; t--) counts[t]! += counts[t - r]!;
  const total = 2 ** n;
  let cumulative = 0;
  let c: number | null = null;
  for (let t = 0; t <= max; t++) {
    cumulative += counts[t]!;
    if (cumulative / total > alpha) break;
    c = t;
  }
  return c;
}
