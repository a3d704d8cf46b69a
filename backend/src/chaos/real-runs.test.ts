/**
 * Real runs: corrupt the bubble-sort genome with every operator, run it with node the way the watcher does,
 * judge it with the organism's oracle, and check the verdict is one the operator promised. The failure
 * operators must deliver on every seed; the logic mutants may be equivalent (ok), which is counted and shown.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Verdict } from '../domain.js';
import { createRng } from '../lib/rng.js';
import { CHAOS_OPERATORS, ChaosNotApplicable, type ChaosResult } from './index.js';
import { loadOrganism, mapConcurrently, runGenomeSource, type Organism, type RunOutcome } from '../../test/helpers/chaos/run.js';
import { readGenome } from '../../test/helpers/chaos/programs.js';

const genome = readGenome();
const MUTANTS = new Set(['flip_comparison', 'flip_equality', 'swap_arithmetic', 'change_boundary', 'negate_condition', 'empty_block', 'change_literal']);
/** Operators whose runs take seconds (busy-wait, spin, heap exhaustion): two seeds each. */
const SLOW_TO_RUN = new Set(['infinite_loop', 'slowdown', 'memory_leak']);
const CONCURRENCY = 4;

interface Trial {
  type: string;
  seed: number;
  chaos: ChaosResult | undefined;
  outcome?: RunOutcome;
}

const seedsFor = (type: string): number[] => (SLOW_TO_RUN.has(type) ? [1, 2] : [1, 2, 3, 4, 5, 6, 7, 8]);

let organism: Organism;
let trials: Trial[] = [];
let baseline: RunOutcome[] = [];
/** Every distinct corruption the core insertion and deletion make of the genome, each run once. */
const EXHAUSTIVE = ['delete_line', 'division_by_zero'];
let exhaustive: { chaos: ChaosResult; outcome: RunOutcome }[] = [];

function distinctCorruptions(type: string): ChaosResult[] {
  const op = CHAOS_OPERATORS.find((o) => o.type === type);
  const bySource = new Map<string, ChaosResult>();
  for (let seed = 1; seed <= 400 && op; seed++) {
    const r = op.apply(genome, createRng(seed));
    bySource.set(r.source, r);
  }
  return [...bySource.values()];
}

beforeAll(async () => {
  organism = await loadOrganism();
  trials = CHAOS_OPERATORS.flatMap((op) =>
    seedsFor(op.type).map((seed): Trial => {
      try {
        return { type: op.type, seed, chaos: op.apply(genome, createRng(seed)) };
      } catch (error) {
        if (error instanceof ChaosNotApplicable) return { type: op.type, seed, chaos: undefined };
        throw error;
      }
    }),
  );
  // The long runs first, so they overlap the many short ones.
  const queue = [...trials].sort((a, b) => Number(SLOW_TO_RUN.has(b.type)) - Number(SLOW_TO_RUN.has(a.type)));
  await mapConcurrently(queue, CONCURRENCY, async (trial) => {
    if (trial.chaos) trial.outcome = await runGenomeSource(organism, trial.chaos.source, trial.seed);
  });
  baseline = await mapConcurrently([1, 2], 2, (seed) => runGenomeSource(organism, genome, seed));
  const corruptions = EXHAUSTIVE.flatMap(distinctCorruptions);
  exhaustive = await mapConcurrently(corruptions, CONCURRENCY, async (chaos) => ({
    chaos,
    outcome: await runGenomeSource(organism, chaos.source, 1),
  }));
}, 240_000);

const trialsOf = (type: string): Trial[] => trials.filter((t) => t.type === type);
const shown = (t: Trial): string =>
  `${t.type} seed ${t.seed}: ${t.outcome?.verdict} (${t.outcome?.detail}) after ${t.chaos?.description}`;

describe('real runs of the corrupted genome', () => {
  it('the uncorrupted genome is ok: a right answer, its own work well within the budget', () => {
    for (const o of baseline) {
      // Late in wall time only when a loaded machine made it so: its CPU time says it is not the code.
      expect(o.verdict === 'ok' || (o.verdict === 'slow' && o.cpuMs !== null && o.cpuMs < organism.manifest.slowMs / 2), JSON.stringify(o)).toBe(true);
    }
  });

  const failures = CHAOS_OPERATORS.filter((op) => !MUTANTS.has(op.type)).map((op) => op.type);
  it.each(failures)('%s produces a verdict it promised, on every seed', (type) => {
    const runs = trialsOf(type);
    expect(runs.length).toBe(seedsFor(type).length);
    for (const t of runs) {
      expect(t.chaos, `${type} seed ${t.seed} found no place`).toBeDefined();
      expect(t.chaos?.expect, shown(t)).toContain(t.outcome?.verdict);
    }
  });

  it.each(EXHAUSTIVE)('every distinct %s corruption of the genome breaks it as promised', (type) => {
    const runs = exhaustive.filter((e) => e.chaos.type === type);
    expect(runs.length).toBeGreaterThanOrEqual(15);
    for (const { chaos, outcome } of runs) {
      expect(chaos.expect, `${chaos.description}: ${outcome.verdict} (${outcome.detail})`).toContain(outcome.verdict);
    }
  });

  it.each([...MUTANTS])('%s is a mutant that fails as promised or is equivalent', (type) => {
    const runs = trialsOf(type).filter((t) => t.chaos);
    if (type === 'flip_equality') {
      expect(runs).toEqual([]); // the genome has no equality test to flip
      return;
    }
    expect(runs.length).toBe(8);
    // A correct answer is an equivalent mutant, even when a loaded machine made it late ('slow').
    for (const t of runs) expect([...(t.chaos?.expect ?? []), 'ok', 'slow'], shown(t)).toContain(t.outcome?.verdict);
  });

  it('detects most logic mutants (some are equivalent: change_boundary cannot change what bubble sort answers)', () => {
    const runs = trials.filter((t) => MUTANTS.has(t.type) && t.outcome);
    const equivalent = runs.filter((t) => t.outcome?.verdict === 'ok' || t.outcome?.verdict === 'slow').length;
    expect(runs.length).toBeGreaterThan(0);
    expect(equivalent).toBeLessThan(runs.length / 2);
  });
});

afterAll(() => {
  const rows = CHAOS_OPERATORS.map((op) => {
    const counts = new Map<Verdict | 'n/a', number>();
    for (const t of trialsOf(op.type)) {
      const key = t.outcome?.verdict ?? 'n/a';
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    return `  ${op.type.padEnd(20)} ${[...counts].map(([k, v]) => `${k} ${v}`).join(', ')}`;
  });
  const mutants = trials.filter((t) => MUTANTS.has(t.type) && t.outcome);
  const equivalent = mutants.filter((t) => t.outcome?.verdict === 'ok' || t.outcome?.verdict === 'slow');
  console.log(
    [
      'chaos real runs (verdicts per operator):',
      ...rows,
      `logic mutants: ${mutants.length} run, ${mutants.length - equivalent.length} detected, ${equivalent.length} equivalent`,
      ...equivalent.map((t) => `  equivalent: ${t.type} seed ${t.seed}: ${t.chaos?.description}`),
    ].join('\n'),
  );
});
