/** Statistics shared by every benchmark: medians, percentiles and ratios, never single times. */
import { percentile } from '../src/lib/percentile.js';

export interface Summary {
  n: number;
  min: number;
  median: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
}

/** Nearest-rank summary of a sample (the same percentile the server uses for its own p95). */
export function summarize(values: readonly number[]): Summary {
  if (values.length === 0) return { n: 0, min: NaN, median: NaN, p95: NaN, p99: NaN, max: NaN, mean: NaN };
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  for (const v of values) {
    if (v < min) min = v;
    if (v > max) max = v;
    sum += v;
  }
  return {
    n: values.length,
    min,
    median: percentile(values, 50) as number,
    p95: percentile(values, 95) as number,
    p99: percentile(values, 99) as number,
    max,
    mean: sum / values.length,
  };
}

export const median = (values: readonly number[]): number => percentile(values, 50) ?? NaN;
export const p95 = (values: readonly number[]): number => percentile(values, 95) ?? NaN;

/** a / b, NaN when either side is missing. */
export function ratio(a: number, b: number): number {
  if (!Number.isFinite(a) || !Number.isFinite(b) || b === 0) return NaN;
  return a / b;
}

/** A sample against its baseline, statistic by statistic: the median and p95 (and the p99 when asked). */
export function ratios(a: Summary, b: Summary, p99 = false): { median: number; p95: number; p99?: number } {
  return { median: ratio(a.median, b.median), p95: ratio(a.p95, b.p95), ...(p99 ? { p99: ratio(a.p99, b.p99) } : {}) };
}

/** Milliseconds since `t0` (a performance.now() reading). */
export const since = (t0: number): number => performance.now() - t0;

/** Times an async function: milliseconds. */
export async function timeAsync(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

/** Times a synchronous function: milliseconds, at hrtime resolution. */
export function timeSync(fn: () => unknown): number {
  const t0 = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

/**
 * Runs each variant `reps` times, interleaved (A B, B A, A B...) so drift of a noisy machine hits every
 * variant alike; returns each variant's samples.
 */
export async function interleaved<K extends string>(
  reps: number,
  variants: Record<K, () => Promise<number>>,
): Promise<Record<K, number[]>> {
  const keys = Object.keys(variants) as K[];
  const out = Object.fromEntries(keys.map((k) => [k, [] as number[]])) as Record<K, number[]>;
  for (let i = 0; i < reps; i++) {
    const order = i % 2 === 0 ? keys : [...keys].reverse();
    for (const k of order) out[k].push(await variants[k]());
  }
  return out;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** A number for people: 3 significant digits, no exponent. */
export function fmt(v: number, digits = 3): string {
  if (!Number.isFinite(v)) return '–';
  if (v === 0) return '0';
  const abs = Math.abs(v);
  if (abs >= 1000) return Math.round(v).toLocaleString('en-US');
  const decimals = Math.max(0, digits - 1 - Math.floor(Math.log10(abs)));
  return v.toFixed(Math.min(decimals, 4));
}
