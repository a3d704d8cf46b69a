import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Mutex } from '../lib/mutex.js';
import { loadOrganism, type Organism } from '../organism/manifest.js';
import { Bench } from './bench.js';

const ORGANISMS = path.resolve(import.meta.dirname, '../../../organisms');
const BUBBLE = readFileSync(path.join(ORGANISMS, 'bubble-sort', 'genome.js'), 'utf8');
const dir = mkdtempSync(path.join(os.tmpdir(), 'ouroboros-bench-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The real bubble-sort organism with a small benchmark: the edge cases, then 1500 random values, three times. */
async function bench(): Promise<Bench> {
  const real = await loadOrganism(ORGANISMS, 'bubble-sort');
  const organism: Organism = {
    ...real,
    manifest: { ...real.manifest, fitness: { ...real.manifest.fitness!, repeats: 3, benchmark: { ...real.manifest.fitness!.benchmark, sizes: [1500], sorted: 0 } } },
  };
  return Bench.for(organism, { dir: path.join(dir, 'evolve'), outputCapBytes: 65536, lock: new Mutex() })!;
}

// Sleeps (without burning the CPU) on the large input only: correct, and as slow in wall time as we like.
const SLEEPY = BUBBLE.replace("readInput((input) => {", "readInput((input) => {\n  if (input.values.length > 1000) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1500);");

describe('Bench', () => {
  it('gates on the fixed, seeded benchmark, edge cases first, then times the large inputs', async () => {
    const b = await bench();
    expect(b.gateOrder.map((i) => i.name)).toEqual(['empty', 'one element', 'two elements, reversed', 'duplicates', 'all equal', 'already sorted', 'reversed', 'extremes', 'random 1500']);
    expect((await bench()).fingerprint).toBe(b.fingerprint);
    const ok = await b.measure(BUBBLE);
    expect(ok.fitness).toMatchObject({ gate: 'passed', repeats: 3, gateInputs: 9, inputs: [{ name: 'random 1500', samplesMs: [expect.any(Number), expect.any(Number), expect.any(Number)] }] });

    // A genome that breaks on one element fails there, without running the rest.
    const broken = BUBBLE.replace('for (let end = values.length - 1; end > 0; end--)', 'if (values.length === 1) values.push(0);\n  for (let end = values.length - 1; end > 0; end--)');
    expect((await b.measure(broken)).fitness).toMatchObject({ gate: 'failed', input: 'one element', verdict: 'wrong', reason: expect.stringMatching(/^wrong on "one element": wrong answer: expected 1 values, got 2/) });
  }, 30_000);

  it('judges a timed answer it has judged before from memory, across repeats and genomes', async () => {
    const real = await bench();
    const judged: unknown[] = [];
    const organism: Organism = {
      ...real.organism,
      harness: { ...real.organism.harness, judge: (input, answer) => (judged.push(input), real.organism.harness.judge(input, answer)) },
    };
    const b = Bench.for(organism, { dir: path.join(dir, 'evolve-memo'), outputCapBytes: 65536, lock: new Mutex() })!;
    const timed = b.timed[0]!.input;
    expect((await b.measure(BUBBLE)).fitness).toMatchObject({ gate: 'passed', repeats: 3 });
    // The gate run and three timed repeats give the same answer to the same input: one judgement of each input.
    expect(judged.filter((i) => i === timed)).toHaveLength(1);
    expect(judged).toHaveLength(b.gateOrder.length);
    const renamed = BUBBLE.replace(/passes/g, 'sweeps');
    expect(renamed).not.toBe(BUBBLE);
    expect((await b.measure(renamed)).fitness).toMatchObject({ gate: 'passed' });
    expect(judged).toHaveLength(b.gateOrder.length);
    // A different answer is judged.
    const broken = BUBBLE.replace('return { values, passes };', 'if (values.length > 1000) values.reverse();\n  return { values, passes };');
    expect((await b.measure(broken)).fitness).toMatchObject({ gate: 'failed', input: b.timed[0]!.name });
    expect(judged.filter((i) => i === timed)).toHaveLength(2);
  }, 30_000);

  it('gives up on a candidate far slower than a tightened limit, and says so as a gate failure when asked', async () => {
    const b = await bench();
    const r = await b.measure(SLEEPY, { timeLimitsMs: new Map([['random 1500', 400]]) });
    expect(r).toMatchObject({ fitness: null, gaveUp: 'gave up on "random 1500" after 400 ms', input: 'random 1500', limitMs: 400 });
    if (r.fitness !== null) throw new Error('unreachable');
    expect(b.gaveUpAsFailed(SLEEPY, r, '5 times the last measured time')).toMatchObject({
      gate: 'failed',
      verdict: 'hung',
      reason: 'hung on "random 1500": no answer within 400 ms (5 times the last measured time)',
    });
  }, 30_000);

  it('screens and confirms by runs interleaved with the incumbent', async () => {
    const b = await bench();
    const screened = await b.screen(BUBBLE.replace(/\bheld\b/g, 'kept'), BUBBLE);
    expect(screened.gaveUp).toBeNull();
    expect(screened.candidate).toMatchObject({ gate: 'passed', repeats: 3 });
    expect(screened.incumbent).toMatchObject({ gate: 'passed', repeats: 3 });
    expect(screened.pairs).toHaveLength(3);
    const slower = await b.screen(SLEEPY, BUBBLE, { giveUpRatio: 2 });
    expect(slower).toMatchObject({ candidate: null, gaveUp: expect.stringMatching(/^gave up after one round: \d+ ms of wall time against the live genome's \d+ ms$/) });
    const pair = await b.measurePair(BUBBLE, BUBBLE, { repeats: 4 });
    expect(pair.pairs).toHaveLength(4);
    expect(pair.candidate).toMatchObject({ gate: 'passed', repeats: 4 });
  }, 60_000);
});
