/** The shape of every benchmark's results: what the report renders and what the test checks. */
import type { Summary } from './stats.js';

export const BENCH_IDS = ['detect', 'heal', 'verify', 'overhead', 'api', 'memory', 'growth', 'promotion', 'repair', 'events', 'capacity', 'queue'] as const;
export type BenchId = (typeof BENCH_IDS)[number];

export interface Target {
  /** The target in words, e.g. "p95 < 1000 ms". */
  text: string;
  met: boolean;
}

export interface Figure {
  /** Stable key: the report and the findings refer to it. */
  id: string;
  label: string;
  unit: string;
  /** A sample's summary (times), or one value (throughput, RSS). */
  value: Summary | number;
  baseline?: { label: string; value: Summary | number; unit?: string };
  /** value / baseline, per statistic compared. */
  ratio?: { median?: number; p95?: number; p99?: number; value?: number };
  target?: Target;
  note?: string;
}

export interface Section {
  id: BenchId;
  title: string;
  /** The knobs this run used (sizes, durations, repetitions). */
  params: Record<string, string | number | boolean>;
  /** How it was measured, in sentences. */
  method: string[];
  figures: Figure[];
  /** What the numbers mean, found while running (breakdowns, anomalies). */
  notes: string[];
  elapsedS: number;
}

export interface BenchOptions {
  /** A tiny size that only proves the benchmark still works (the test suite). */
  tiny?: boolean;
  log?: (line: string) => void;
}

export const isSummary = (v: Summary | number): v is Summary => typeof v === 'object';
