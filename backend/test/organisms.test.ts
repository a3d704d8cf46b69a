/**
 * The real organisms besides the bubble sort: genome 0 passes its own oracle, the oracle rejects answers that are
 * only slightly wrong, and the failure operators of chaos really break each genome with a verdict they promise.
 * Time is judged as CPU time, the program's own, so that a loaded machine cannot turn a heap exhausted in half a
 * second of work into a hang (the chaos runs go through test/helpers/chaos/run.ts, as the bubble sort's do).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyChaos, type ChaosResult } from '../src/chaos/index.js';
import { runGenomeSource, type RunOutcome } from './helpers/chaos/run.js';
import { createRng } from '../src/lib/rng.js';
import { loadOrganism, type Organism } from '../src/organism/manifest.js';
import { runGenome, type GenomeRunResult } from '../src/watcher/run-genome.js';
import { REAL_ORGANISMS } from './helpers/fixtures.js';

const NEW_ORGANISMS = ['prime-sieve', 'json-transform'] as const;
/** Operators cheap to run: three seeds each. */
const QUICK = ['delete_line', 'syntax_error', 'division_by_zero', 'throw', 'exit_code', 'unhandled_rejection'];
/** Operators whose runs take seconds (a hang, heap exhaustion, a busy-wait): one seed each. */
const LONG = ['infinite_loop', 'memory_leak', 'slowdown'];
const BASELINE_SEEDS = [1, 2, 3, 4];
const limits = { outputCapBytes: 64 * 1024, killGraceMs: 300 };
const BATCH = 4;

interface Trial {
  organism: string;
  type: string;
  seed: number;
  chaos: ChaosResult;
  result?: RunOutcome;
}

const organisms = new Map<string, Organism>();
const baselines: { organism: string; seed: number; result: GenomeRunResult }[] = [];
const trials: Trial[] = [];
let dir: string;
let fileCount = 0;

/** Writes `source` as a CommonJS script in the scratch directory, the way the watcher does, and runs it (with its CPU time). */
function run(organism: Organism, source: string, seed: number): Promise<GenomeRunResult> {
  const file = path.join(dir, `genome-${fileCount++}.js`);
  writeFileSync(file, source);
  return runGenome(organism, file, seed, { ...limits, measureCpu: true });
}

/** Runs the tasks a few at a time (two cores: more would make the time-sensitive verdicts flaky). */
async function inBatches(tasks: (() => Promise<void>)[], size: number): Promise<void> {
  for (let i = 0; i < tasks.length; i += size) await Promise.all(tasks.slice(i, i + size).map((t) => t()));
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'ouroboros-organisms-'));
  writeFileSync(path.join(dir, 'package.json'), '{ "type": "commonjs" }\n');
  for (const name of NEW_ORGANISMS) {
    const organism = await loadOrganism(REAL_ORGANISMS, name);
    organisms.set(name, organism);
    for (const type of [...LONG, ...QUICK]) {
      for (const seed of LONG.includes(type) ? [1] : [1, 2, 3]) {
        trials.push({ organism: name, type, seed, chaos: applyChaos(type, organism.seedSource, createRng(seed)) });
      }
    }
  }
  // The long runs first and spread across batches, so each batch mixes one of them with quick ones.
  const longTrials = trials.filter((t) => LONG.includes(t.type));
  const quickTrials = trials.filter((t) => !LONG.includes(t.type));
  const tasks: (() => Promise<void>)[] = [];
  for (const name of NEW_ORGANISMS) {
    for (const seed of BASELINE_SEEDS) {
      tasks.push(async () => {
        baselines.push({ organism: name, seed, result: await run(organisms.get(name)!, organisms.get(name)!.seedSource, seed) });
      });
    }
  }
  const perBatch = Math.max(1, Math.ceil(quickTrials.length / longTrials.length));
  longTrials.forEach((long, i) => {
    const group = [long, ...quickTrials.slice(i * perBatch, (i + 1) * perBatch)];
    for (const t of group) tasks.push(async () => void (t.result = await runGenomeSource(organisms.get(t.organism)!, t.chaos.source, t.seed)));
  });
  for (const t of quickTrials.slice(longTrials.length * perBatch)) {
    tasks.push(async () => void (t.result = await runGenomeSource(organisms.get(t.organism)!, t.chaos.source, t.seed)));
  }
  await inBatches(tasks, BATCH);
}, 180_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe.each(NEW_ORGANISMS)('organism %s', (name) => {
  it('has a manifest with a contract, the usual limits and a genome that reads stdin and prints JSON', () => {
    const { manifest, seedSource } = organisms.get(name)!;
    expect(manifest.name).toBe(name);
    expect(manifest.contract.length).toBeGreaterThan(100);
    expect(manifest.contract).not.toBe(manifest.description);
    expect(manifest).toMatchObject({ timeLimitMs: 2000, slowMs: 1000, maxOldSpaceMb: 64 });
    expect(seedSource).toMatch(/process\.stdin/);
    expect(seedSource).toMatch(/JSON\.stringify/);
    // Real work for chaos to act on: loops and conditions.
    expect(seedSource.match(/\bfor\s*\(/g)?.length ?? 0).toBeGreaterThanOrEqual(3);
    expect(seedSource).toMatch(/\bif\s*\(/);
  });

  it('genome 0 passes its oracle on several seeds, in well under the performance budget', () => {
    const runs = baselines.filter((b) => b.organism === name).sort((a, b) => a.seed - b.seed);
    expect(runs.map((r) => r.seed)).toEqual(BASELINE_SEEDS);
    for (const { seed, result } of runs) {
      // Its answer is right (a loaded machine may make it late in wall time: 'slow' is still a right answer).
      expect({ seed, verdict: result.verdict }, String(result.error)).toMatchObject({ seed, verdict: expect.stringMatching(/^(ok|slow)$/) });
      expect(result.progress).toHaveLength(1);
      // Well under the budget in its own work, whatever else the machine was doing.
      expect(result.cpuMs).toEqual(expect.any(Number));
      expect(result.cpuMs!).toBeLessThan(organisms.get(name)!.manifest.slowMs / 2);
    }
  });

  it('generates the same input from the same seed and different inputs from different seeds', () => {
    const { harness, manifest } = organisms.get(name)!;
    const a = harness.generateInput(createRng(5), manifest.input);
    expect(harness.generateInput(createRng(5), manifest.input)).toEqual(a);
    expect(harness.generateInput(createRng(6), manifest.input)).not.toEqual(a);
  });

  it.each([...QUICK, ...LONG])('%s breaks genome 0 with a verdict it promises', (type) => {
    const mine = trials.filter((t) => t.organism === name && t.type === type);
    expect(mine.length).toBe(LONG.includes(type) ? 1 : 3);
    for (const t of mine) {
      expect(t.chaos.source).not.toBe(organisms.get(name)!.seedSource);
      const seen = { seed: t.seed, verdict: t.result?.verdict, change: t.chaos.description, detail: t.result?.detail };
      expect(t.chaos.expect, JSON.stringify(seen)).toContain(t.result?.verdict);
    }
  });
});

describe('the prime-sieve oracle', () => {
  it('accepts the primes of a window and rejects one wrong, one missing, one extra or a non-array', () => {
    const { harness } = organisms.get('prime-sieve')!;
    const input = { low: 90, high: 140 };
    const primes = [97, 101, 103, 107, 109, 113, 127, 131, 137, 139];
    expect(harness.judge(input, primes)).toEqual({ ok: true });
    expect(harness.judge({ low: 0, high: 30 }, [2, 3, 5, 7, 11, 13, 17, 19, 23, 29])).toEqual({ ok: true });
    expect(harness.judge({ low: 0, high: 1 }, [])).toEqual({ ok: true });
    const changed = primes.slice();
    changed[4] = 111; // 3 * 37
    expect(harness.judge(input, changed)).toMatchObject({ ok: false, reason: expect.stringMatching(/index 4.*111.*not prime/) });
    expect(harness.judge(input, primes.filter((p) => p !== 113))).toMatchObject({ ok: false });
    expect(harness.judge(input, primes.slice(0, -1))).toMatchObject({ ok: false, reason: expect.stringMatching(/missing 139/) });
    expect(harness.judge(input, [89, ...primes])).toMatchObject({ ok: false });
    expect(harness.judge(input, [...primes, 149])).toMatchObject({ ok: false, reason: expect.stringMatching(/extra 149/) });
    expect(harness.judge(input, [...primes.slice(0, 3), 101, ...primes.slice(3)])).toMatchObject({ ok: false });
    expect(harness.judge(input, { primes })).toMatchObject({ ok: false });
  });

  it('agrees with a generated input and the count of primes below 10 000 (1229)', async () => {
    const { harness, manifest } = organisms.get('prime-sieve')!;
    const mod = (await import(pathToFileURL(path.join(REAL_ORGANISMS, 'prime-sieve', 'harness.mjs')).href)) as { primesBetween(l: number, h: number): number[] };
    expect(mod.primesBetween(0, 10_000)).toHaveLength(1229);
    const input = harness.generateInput(createRng(42), manifest.input) as { low: number; high: number };
    expect(harness.judge(input, mod.primesBetween(input.low, input.high))).toEqual({ ok: true });
  });
});

describe('the json-transform oracle', () => {
  const input = {
    orders: [
      { id: 'o-1', region: 'north', status: 'paid', items: [{ sku: 'B', qty: 2, priceCents: 500 }, { sku: 'A', qty: 1, priceCents: 250 }] },
      { id: 'o-2', region: 'south', status: 'paid', items: [{ sku: 'A', qty: 3, priceCents: 100 }] },
      { id: 'o-3', region: 'north', status: 'refunded', items: [{ sku: 'C', qty: 9, priceCents: 9999 }] },
      { id: 'o-4', region: 'north', status: 'paid', items: [{ sku: 'A', qty: 1, priceCents: 250 }] },
      { id: 'o-5', region: 'east', status: 'pending', items: [{ sku: 'A', qty: 1, priceCents: 1 }] },
    ],
  };
  const expected = [
    // north: 2*500 + 250 + 250 = 1500 over 2 orders; A and B have 2 units each, A wins the tie.
    { region: 'north', orders: 2, units: 4, revenueCents: 1500, avgOrderCents: 750, topSku: 'A' },
    { region: 'south', orders: 1, units: 3, revenueCents: 300, avgOrderCents: 300, topSku: 'A' },
  ];

  it('accepts the reference summary and rejects one field changed, one row missing, rows swapped or a field extra', () => {
    const { harness } = organisms.get('json-transform')!;
    expect(harness.judge(input, expected)).toEqual({ ok: true });
    const changed = structuredClone(expected);
    changed[1]!.revenueCents += 1;
    expect(harness.judge(input, changed)).toMatchObject({ ok: false, reason: expect.stringMatching(/row 1.*revenueCents should be 300, got 301/) });
    const tie = structuredClone(expected);
    tie[0]!.topSku = 'B';
    expect(harness.judge(input, tie)).toMatchObject({ ok: false, reason: expect.stringMatching(/topSku/) });
    expect(harness.judge(input, expected.slice(0, 1))).toMatchObject({ ok: false, reason: expect.stringMatching(/expected 2 region rows, got 1/) });
    expect(harness.judge(input, [expected[1], expected[0]])).toMatchObject({ ok: false });
    expect(harness.judge(input, [{ ...expected[0], extra: 1 }, expected[1]])).toMatchObject({ ok: false, reason: expect.stringMatching(/fields/) });
    expect(harness.judge(input, 'north')).toMatchObject({ ok: false });
  });

  it('accepts its reference on a generated input and rejects it with one count changed', async () => {
    const { harness, manifest } = organisms.get('json-transform')!;
    const mod = (await import(pathToFileURL(path.join(REAL_ORGANISMS, 'json-transform', 'harness.mjs')).href)) as { reference(i: unknown): unknown[] };
    const generated = harness.generateInput(createRng(42), manifest.input);
    const answer = mod.reference(generated);
    expect(answer.length).toBeGreaterThanOrEqual(3);
    expect(harness.judge(generated, answer)).toEqual({ ok: true });
    const rows = structuredClone(answer) as { units: number }[];
    rows[rows.length - 1]!.units -= 1;
    expect(harness.judge(generated, rows)).toMatchObject({ ok: false });
  });
});
