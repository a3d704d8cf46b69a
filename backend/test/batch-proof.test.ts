import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scratchDirAt } from '../src/files/scratch.js';
import { GenomeStore } from '../src/genome/store.js';
import { loadOrganism, type Organism } from '../src/organism/manifest.js';
import { BATCH_HOST_SOURCE } from '../src/runner/batch/host-source.js';
import { runBatch } from '../src/runner/batch/run-batch.js';
import { detectSandbox, type Sandbox } from '../src/sandbox/index.js';
import { caseFor, type SuiteCase } from '../src/verification/suite.js';
import { Verifier } from '../src/verification/verifier.js';
import { stageAttack } from './fixtures/attacks/_shared/stage.js';
import { REAL_ORGANISMS, tempDir } from './helpers/fixtures.js';

// A search candidate's proof in one sandboxed batch host, a worker thread per input (src/runner/batch), on real
// processes: what passes in a worker counts, anything else is decided by a real run of that input.

const tmp = tempDir('ouroboros-batch-');
let sandbox: Sandbox;
let store: GenomeStore;
let organism: Organism;

beforeAll(async () => {
  // The store where the attacks look for it (DATA_DIR/ouroboros.db), made 0600 by the sandbox's detection.
  store = new GenomeStore(path.join(tmp.dir, 'ouroboros.db'));
  sandbox = await detectSandbox({ dataDir: tmp.dir });
  organism = await loadOrganism(REAL_ORGANISMS, 'bubble-sort');
}, 60_000);

afterAll(() => {
  store.close();
  tmp.cleanup();
});

function verifierFor(o: Organism, dir = 'organisms/bubble-sort/run'): Verifier {
  mkdirSync(path.join(tmp.dir, dir), { recursive: true });
  return new Verifier({ organism: o, store, scratch: scratchDirAt(path.join(tmp.dir, dir)), outputCapBytes: 16 * 1024, killGraceMs: 300, sandbox, parallelism: 2 });
}

/** A genome without require: sorts, except where `special` (which sees `first` and `input`) says otherwise. */
function plain(special: string, prelude = ''): string {
  return `'use strict';
${prelude}
let s = '';
process.stdin.on('data', (c) => (s += c));
process.stdin.on('end', () => {
  const input = JSON.parse(s);
  const first = input.values[0];
  ${special}
  console.log(JSON.stringify(input.values.slice().sort((a, b) => a - b)));
});
`;
}

/** Sorts, except on the inputs whose first value says otherwise; `isMainThread` tells a worker from a process. */
function genome(special: string): string {
  return plain(special, "const { isMainThread } = require('node:worker_threads');");
}

function cases(firsts: number[]): SuiteCase[] {
  return firsts.map((f, i) => caseFor('property', `case ${i}`, { values: [f, 3, -2, 9, 0] }, i));
}

describe('batch proof', () => {
  it('gives passing cases the verdicts of per-process runs, each from a worker of one host', async () => {
    const v = verifierFor(organism);
    const cs = cases([5, 8, -4, 100, 2, 7]);
    const batched = await v.runAll(organism.seedSource, cs, 2, undefined, { batch: true });
    const alone = await v.runAll(organism.seedSource, cs, 2);
    expect(alone).toMatchObject({ passed: true, runs: cs.length, failure: null });
    expect(batched).toMatchObject({ passed: true, runs: cs.length, inWorkers: cs.length, failure: null, cancelled: false });
  }, 60_000);

  it('records the real run of a case that failed in its worker, never the worker\'s error', async () => {
    const v = verifierFor(organism);
    const source = genome(`if (first === 66) throw new Error(isMainThread ? 'broken as a process' : 'broken in a worker');`);
    const cs = cases([1, 2, 66, 4, 5]);
    const r = await v.runAll(source, cs, 2, undefined, { batch: true });
    expect(r.passed).toBe(false);
    expect(r.failure?.case.name).toBe('case 2');
    expect(r.failure?.result.verdict).toBe('crashed');
    expect(r.failure?.result.error).toMatch(/^Error: broken as a process \(line \d+\); exit code 1/);
    // Counted as a run of the cases in order would: the two before the failure, not the two after it.
    expect(r.inWorkers).toBe(2);
    // The same error as the run without a batch.
    const alone = await v.runAll(source, [cs[2]!], 1);
    expect(r.failure?.result.error).toBe(alone.failure?.result.error);
  }, 60_000);

  it('passes a case that fails only in a worker, on its real run', async () => {
    const v = verifierFor(organism);
    const source = genome(`if (first === 66 && !isMainThread) process.exit(3);`);
    const r = await v.runAll(source, cases([1, 66, 3, 4]), 2, undefined, { batch: true });
    expect(r).toMatchObject({ passed: true, runs: 4, inWorkers: 3, failure: null });
  }, 60_000);

  it('stops a hanging case in its worker at the time limit and records its real run', async () => {
    const v = verifierFor(organism);
    const source = genome(`if (first === 77) for (;;) {}`);
    const cs = cases([1, 77, 3]);
    const started = performance.now();
    const r = await v.runAll(source, cs, 2, undefined, { batch: true });
    expect(r.failure?.case.name).toBe('case 1');
    expect(r.failure?.result.verdict).toBe('hung');
    expect(r.failure?.result.error).toMatch(/no result within the 2000 ms time limit/);
    // The case before it passed in a worker; the hang ran as a process, and again (a hang may be the machine's).
    expect(r).toMatchObject({ passed: false, inWorkers: 1, runs: 3 });
    // The worker was stopped at its limit, then the real runs: the host did not wait for its own whole-batch limit.
    expect(performance.now() - started).toBeGreaterThanOrEqual(3 * 2000);
  }, 60_000);

  it('runs what the host left unreported as processes when the host dies mid-batch', async () => {
    const v = verifierFor(organism);
    // In a worker, input 55 closes the host's stdout, so the host dies at its next report (PID 1 of a namespace
    // ignores a SIGKILL from inside it); as a process it sorts like every other input.
    const source = genome(`if (first === 55 && !isMainThread) require('node:fs').closeSync(1);`);
    const cs = cases([1, 2, 55, 4, 5, 6, 7, 8]);
    const r = await v.runAll(source, cs, 2, undefined, { batch: true });
    expect(r).toMatchObject({ passed: true, runs: cs.length, failure: null });
    expect(r.inWorkers).toBeGreaterThanOrEqual(1);
    expect(r.inWorkers).toBeLessThan(cs.length);
  }, 60_000);

  it('falls back to processes when the host cannot even start', async () => {
    // A host that is not JavaScript: it dies before its first report.
    const outcomes = await hostRun(organism.seedSource, ['{"values":[2,1]}', '{"values":[3,1]}'], { hostSource: 'this is not javascript (((' });
    expect(outcomes).toEqual([null, null]);
  }, 60_000);
});

function writeScratch(name: string, text: string): string {
  const dir = path.join(tmp.dir, 'organisms', 'bubble-sort', 'run');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, name);
  writeFileSync(file, text, { mode: 0o644 });
  return file;
}

describe('batch proof: the sandbox holds inside the host', () => {
  for (const attack of ['read-store', 'start-worker'] as const) {
    it(`${attack}: fails in its worker, and the real run's failure is the one recorded`, async () => {
      const staged = await stageAttack(attack, { dataDir: tmp.dir, serverPid: process.pid, port: 0 }, '-batch');
      const v = verifierFor(staged.organism, `organisms/attack-${attack}-batch/run`);
      const input = { n: 21, ...(staged.organism.manifest.input as object) };
      const cs = [caseFor('property', 'attack a', input, 1), caseFor('property', 'attack b', { ...input, n: 22 }, 2)];

      // Inside the host, the worker is stopped by the same layer a process is: no breach.
      const host = writeScratch(`host-${attack}.js`, BATCH_HOST_SOURCE);
      const inWorkers = await runBatch({
        host,
        genome: staged.file,
        stdins: cs.map((c) => JSON.stringify(c.input)),
        timeLimitMs: staged.organism.manifest.timeLimitMs,
        maxOldSpaceMb: staged.organism.manifest.maxOldSpaceMb,
        outputCapBytes: 16 * 1024,
        outputKillBytes: 1024 * 1024,
        killGraceMs: 300,
        sandbox,
        parallelism: 2,
      });
      for (const o of inWorkers) {
        expect(o).not.toBeNull();
        expect(o!.stdout).not.toMatch(/BREACH/);
        expect(o!.exitCode).not.toBe(0);
        expect(o!.stderr).toMatch(/ERR_ACCESS_DENIED/);
      }

      // Through the verifier: the failure recorded is the real run's, as without a batch.
      const r = await v.runAll(staged.organism.seedSource, cs, 2, undefined, { batch: true });
      const alone = await v.runAll(staged.organism.seedSource, cs, 2);
      expect(r.passed).toBe(false);
      expect(r.inWorkers).toBe(0);
      expect(r.failure?.result.verdict).toBe('crashed');
      expect(r.failure?.result.error).toMatch(attack === 'read-store' ? /denied FileSystemRead on .*ouroboros\.db/ : /denied WorkerThreads/);
      expect(r.failure?.result.error).toBe(alone.failure?.result.error);
      expect(r.failure?.result.progress.join('\n')).not.toMatch(/BREACH/);
    }, 60_000);
  }
});

/** The given stdins through one host beside a scratch copy of `source`, each case in a context first. */
async function hostRun(source: string, stdins: string[], o: { contexts?: boolean; timeLimitMs?: number; hostSource?: string } = {}) {
  const stamp = `${process.hrtime.bigint()}`;
  return runBatch({
    host: writeScratch(`host-${stamp}.js`, o.hostSource ?? BATCH_HOST_SOURCE),
    genome: writeScratch(`genome-${stamp}.js`, source),
    stdins,
    timeLimitMs: o.timeLimitMs ?? 2000,
    maxOldSpaceMb: 64,
    outputCapBytes: 16 * 1024,
    outputKillBytes: 1024 * 1024,
    killGraceMs: 300,
    sandbox,
    parallelism: 2,
    ...(o.contexts === undefined ? {} : { contexts: o.contexts }),
  });
}


const stdinsOf = (firsts: number[]) => firsts.map((f) => JSON.stringify({ values: [f, 3, -2, 9, 0] }));

describe('batch proof: each case in a fresh vm context first', () => {
  it('runs a one-shot genome in contexts, with the output and exit of a process', async () => {
    const stdins = stdinsOf([5, 8, -4]);
    const inContexts = await hostRun(organism.seedSource, stdins);
    const inWorkers = await hostRun(organism.seedSource, stdins, { contexts: false });
    expect(inContexts.map((o) => o?.via)).toEqual(['context', 'context', 'context']);
    expect(inWorkers.map((o) => o?.via)).toEqual(['worker', 'worker', 'worker']);
    const answer = (o: { stdout: string } | null) => o!.stdout.trim().split('\n').at(-1);
    expect(inContexts.map(answer)).toEqual(inWorkers.map(answer));
    expect(inContexts.every((o) => o!.exitCode === 0 && o!.stderr === '')).toBe(true);
  }, 60_000);

  it('gives each case its own globals: what one case leaves behind, the next never sees', async () => {
    const source = plain(`if (globalThis.seen) process.exitCode = 9; globalThis.seen = true; Object.prototype.leak = 1;`);
    const outs = await hostRun(source, stdinsOf([1, 2, 3]));
    expect(outs.map((o) => [o?.via, o?.exitCode])).toEqual([['context', 0], ['context', 0], ['context', 0]]);
  }, 60_000);

  it('runs in a worker a case that reaches past what a context offers: require, a timer, a global of Node', async () => {
    for (const special of [`require('node:os');`, `setTimeout(() => {}, 1);`, `if (typeof structuredClone !== 'function') process.exit(4);`, `process.nextTick(() => {});`]) {
      const outs = await hostRun(plain(special), stdinsOf([1, 2]));
      expect(outs.map((o) => [o?.via, o?.exitCode]), special).toEqual([['worker', 0], ['worker', 0]]);
    }
  }, 60_000);

  it('reports a crash, an exit code, a hang and an output flood in a context as failures, and ends the batch there', async () => {
    const source = plain(`if (first === 66) throw new Error('broken');
  if (first === 67) { console.log('[-2,0,3,9,67]'); process.exit(3); }
  if (first === 68) for (;;) {}
  if (first === 69) for (;;) process.stdout.write('x'.repeat(65536));`);
    const expected = {
      66: { exitCode: 1, stderr: expect.stringMatching(/Error: broken/) },
      67: { exitCode: 3 },
      68: { timedOut: true, exitCode: null },
      69: { outputLimited: true },
    };
    for (const [first, failure] of Object.entries(expected)) {
      const outs = await hostRun(source, stdinsOf([1, Number(first), 2]), { timeLimitMs: 1000 });
      expect(outs[0], first).toMatchObject({ via: 'context', exitCode: 0, timedOut: false, outputLimited: false });
      expect(outs[1], first).toMatchObject({ via: 'context', ...failure });
      // Its real run decides; the cases after it run as processes only if that run passes.
      expect(outs[2], first).toBeNull();
    }
  }, 60_000);

  it('fails every input of a genome with a syntax error at once, without starting a worker', async () => {
    const source = plain('', 'function broken( {');
    const outs = await hostRun(source, stdinsOf([1, 2, 3]));
    expect(outs[0]).toMatchObject({ via: 'context', exitCode: 1 });
    expect(outs[0]!.stderr).toMatch(/SyntaxError/);
    expect(outs.slice(1)).toEqual([null, null]);
    const r = await verifierFor(organism).runAll(source, cases([1, 2, 3]), 2, undefined, { batch: true });
    expect(r).toMatchObject({ passed: false, inWorkers: 0 });
    expect(r.failure?.result.verdict).toBe('crashed');
    expect(r.failure?.result.error).toMatch(/SyntaxError/);
  }, 60_000);

  it('sends to a worker a case that leaves a rejected promise unhandled, which a process dies of', async () => {
    const outs = await hostRun(plain(`if (first === 66) Promise.reject(new Error('late'));`), stdinsOf([66, 1]));
    expect(outs[0]).toMatchObject({ via: 'worker', exitCode: 1 });
    expect(outs[1]).toMatchObject({ via: 'context', exitCode: 0 });
  }, 60_000);

  it('delivers a large input in a pipe\'s chunks: a genome that reads only the first fails as it does as a process', async () => {
    const source = `'use strict';
let first = null;
process.stdin.on('data', (c) => { if (first === null) first = c; });
process.stdin.on('end', () => console.log(JSON.stringify(JSON.parse(first).values.sort((a, b) => a - b))));
`;
    const input = { values: Array.from({ length: 20_000 }, (_, i) => i % 1000) };
    const [o] = await hostRun(source, [JSON.stringify(input)]);
    expect(o).toMatchObject({ via: 'context', exitCode: 1 });
    expect(o!.stderr).toMatch(/SyntaxError/);
    const [w] = await hostRun(source, [JSON.stringify(input)], { contexts: false });
    expect(w).toMatchObject({ via: 'worker', exitCode: 1 });
    const real = await verifierFor(organism).runAll(source, [caseFor('property', 'big', input, 1)], 1);
    expect(real.failure?.result.verdict).toBe('crashed');
    expect(real.failure?.result.error).toMatch(/SyntaxError/);
  }, 60_000);

  it('proves through the verifier: passing cases from contexts, a failing one from its real run', async () => {
    const v = verifierFor(organism);
    const source = plain(`if (first === 66) throw new Error('broken');`);
    const cs = cases([1, 2, 66, 4, 5]);
    const r = await v.runAll(source, cs, 2, undefined, { batch: true });
    expect(r).toMatchObject({ passed: false, inWorkers: 2, runs: 3 });
    expect(r.failure?.case.name).toBe('case 2');
    const alone = await v.runAll(source, [cs[2]!], 1);
    expect(r.failure?.result.error).toBe(alone.failure?.result.error);
  }, 60_000);
});
