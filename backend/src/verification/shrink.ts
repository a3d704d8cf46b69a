/**
 * Shrinking a failing input to a small counterexample, in the spirit of fast-check and delta debugging: try smaller
 * variants, most aggressive first, keep the first one that still fails, and start again from it, until no variant
 * fails or the budget of runs is spent. Only candidates that still fail are kept; invalid ones are never run.
 */
import { inputSize } from './input-hash.js';

export interface ShrinkOptions {
  /** Runs the genome on a candidate: true when it still fails. */
  fails(candidate: unknown): Promise<boolean>;
  /** Whether a candidate is an input the contract covers (the harness's validInput); invalid ones are skipped. */
  valid?: (candidate: unknown) => boolean;
  /** Smaller variants of a value (the harness's shrink); default: structuralCandidates. */
  candidates?: (value: unknown) => Iterable<unknown>;
  /** Most candidates run, over the whole shrink. */
  maxRuns: number;
  /** Candidates run at once; the first in order that fails wins, so the result does not depend on timing. */
  parallelism: number;
  signal?: AbortSignal;
}

export interface ShrinkResult {
  input: unknown;
  /** Candidates run. */
  runs: number;
  /** Candidates kept (each one smaller than the last). */
  steps: number;
}

/** Candidates looked at (weighed and checked for validity) per run allowed: a large input offers thousands. */
const EXAMINED_PER_RUN = 50;
/** Looking at candidates is synchronous work: give the event loop back this often. */
const YIELD_EVERY = 32;

export async function shrink(input: unknown, o: ShrinkOptions): Promise<ShrinkResult> {
  const candidates = o.candidates ?? structuralCandidates;
  const width = Math.max(1, o.parallelism);
  const maxExamined = EXAMINED_PER_RUN * o.maxRuns;
  let current = input;
  let runs = 0;
  let steps = 0;
  let examined = 0;
  outer: while (runs < o.maxRuns && !o.signal?.aborted) {
    const all = candidates(current)[Symbol.iterator]();
    const base = weight(current);
    for (;;) {
      const batch: unknown[] = [];
      while (batch.length < Math.min(width, o.maxRuns - runs)) {
        if (examined >= maxExamined) break outer;
        if (++examined % YIELD_EVERY === 0) await new Promise<void>((resolve) => setImmediate(resolve));
        const next = all.next();
        if (next.done) break;
        if (!lighter(weight(next.value), base) || (o.valid && !safely(() => o.valid!(next.value)))) continue;
        batch.push(next.value);
      }
      if (batch.length === 0 || o.signal?.aborted) break outer;
      runs += batch.length;
      const failed = await Promise.all(batch.map((c) => o.fails(c).catch(() => false)));
      const first = failed.indexOf(true);
      if (first >= 0) {
        current = batch[first];
        steps++;
        continue outer;
      }
      if (runs >= o.maxRuns) break outer;
    }
  }
  return { input: current, runs, steps };
}

/** The JSON length first, then the sum of the numbers' magnitudes: 97 -> 48 is progress though both have two digits. */
type Weight = readonly [number, number];

function weight(value: unknown): Weight {
  let magnitude = 0;
  const walk = (v: unknown): void => {
    if (typeof v === 'number' && Number.isFinite(v)) magnitude += Math.abs(v);
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v !== null && typeof v === 'object') Object.values(v).forEach(walk);
  };
  walk(value);
  return [inputSize(value), magnitude];
}

function lighter(a: Weight, b: Weight): boolean {
  return a[0] < b[0] || (a[0] === b[0] && a[1] < b[1]);
}

function safely(check: () => boolean): boolean {
  try {
    return check() === true;
  } catch {
    return false;
  }
}

/**
 * Smaller variants of a JSON value that keep its shape: arrays lose elements (everything, then halves, quarters...
 * down to single elements, as ddmin does), then each element shrinks; objects keep their fields and each field's value
 * shrinks; integers move toward 0. Strings, booleans and null are left alone: they are names and flags more often than
 * sizes.
 */
export function* structuralCandidates(value: unknown): Generator<unknown> {
  if (Array.isArray(value)) {
    yield* arrayRemovals(value);
    for (let i = 0; i < value.length; i++) {
      for (const smaller of structuralCandidates(value[i])) {
        const copy = value.slice();
        copy[i] = smaller;
        yield copy;
      }
    }
    return;
  }
  if (value !== null && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    for (const key of Object.keys(o)) {
      for (const smaller of structuralCandidates(o[key])) yield { ...o, [key]: smaller };
    }
    return;
  }
  if (typeof value === 'number' && Number.isFinite(value)) yield* numberCandidates(value);
}

function* arrayRemovals(a: readonly unknown[]): Generator<unknown[]> {
  const n = a.length;
  if (n === 0) return;
  yield [];
  for (let chunk = n >> 1; chunk >= 1; chunk >>= 1) {
    for (let start = 0; start < n; start += chunk) yield [...a.slice(0, start), ...a.slice(start + chunk)];
  }
}

/** Toward 0, as fast-check does: 0 itself, then n - n/2, n - n/4... n - 1, so a greedy search halves the distance. */
function numberCandidates(n: number): number[] {
  if (!Number.isInteger(n)) return [Math.trunc(n)].filter((m) => m !== n);
  const out: number[] = [];
  for (let d = n; d !== 0; d = Math.trunc(d / 2)) out.push(n - d);
  return out;
}
