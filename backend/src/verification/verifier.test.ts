/** The verifier on real sandboxed runs of the bubble sort: parallel runs, the first failure, remembered outcomes. */
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir, REAL_ORGANISMS } from '../../test/helpers/fixtures.js';
import { bandMutant, latentMutant, seedSource } from '../../test/helpers/latent-mutants.js';
import { createRng } from '../lib/rng.js';
import { inputSize } from './input-hash.js';
import { GenomeStore, sourceHash } from '../genome/store.js';
import { loadOrganism } from '../organism/manifest.js';
import { caseFor } from './suite.js';
import { scratchDirAt } from '../files/scratch.js';
import { Verifier } from './verifier.js';

const tmp = tempDir('ouroboros-verifier-');
const store = new GenomeStore(path.join(tmp.dir, 'store.db'));
afterAll(() => {
  store.close();
  tmp.cleanup();
});
const make = async (propertyInputs = 6) =>
  new Verifier({ organism: await loadOrganism(REAL_ORGANISMS, 'bubble-sort'), store, scratch: scratchDirAt(tmp.dir), outputCapBytes: 65536, killGraceMs: 500, sandbox: null, propertyInputs, parallelism: 2 });

describe('the verifier', () => {
  it('remembers an outcome per source and suite: the same code is not run again, a grown suite runs it again', async () => {
    const v = await make();
    const seed = seedSource('bubble-sort');
    const first = await v.verify(seed);
    expect(first).toMatchObject({ passed: true, reused: false, size: 14, runs: 14 });
    expect(store.findVerification('bubble-sort', sourceHash(seed), v.suite.fingerprint)).toMatchObject({ outcome: 'passed' });
    expect(await v.verify(seed)).toMatchObject({ passed: true, reused: true, runs: 0 });
    const g = store.promote(null, { organism: 'bubble-sort', source: seed, cause: 'seed', summary: 'g0' });
    store.addCounterexample({ organism: 'bubble-sort', inputHash: 'x', input: { values: [3, 2, 1] }, original: { values: [3, 2, 1] }, originalSize: 18, shrunkSize: 18, shrinkRuns: 0, genomeId: g.id, verdict: 'wrong', error: null });
    expect(v.refresh()).toBe(true);
    expect(v.suite.cases[1]!.name).toMatch(/^counterexample #\d+$/);
    expect(await v.verify(seed)).toMatchObject({ passed: true, reused: false, size: 15, runs: 15 });
  }, 60_000);

  it("runs a heal's failing input first, and only that one for a source already verified", async () => {
    const v = await make();
    const first = caseFor('failing', 'failing input', { values: [4, 1, 3] });
    const mutant = latentMutant('bubble-sort');
    const fresh = await v.verify(mutant, { first: caseFor('failing', 'failing input', { values: [2, 1] }) });
    expect(fresh.failure!.case.name).toBe('failing input');
    expect(fresh.runs).toBeLessThanOrEqual(2);
    // A failure on the heal's own input says nothing of the suite: nothing is remembered for it.
    expect(v.known(mutant)).toBeNull();
    expect(await v.verify(seedSource('bubble-sort'), { first })).toMatchObject({ passed: true, reused: true, runs: 1 });
  }, 60_000);

  it('stops at the first failure and kills what is still running', async () => {
    const v = await make(30);
    const crash = seedSource('bubble-sort').replace("readInput((input) => {", "readInput((input) => {\n  if (input.values.length === 0) throw new Error('empty');");
    const r = await v.verify(crash);
    expect(r.passed).toBe(false);
    expect(r.failure!.case.name).toBe('edge: empty');
    expect(r.failure!.result.verdict).toBe('crashed');
    // Stopped early, not at a count: while the crash is run again (a crash may be transient), the other worker goes
    // on with passing cases, as many as the machine's load lets it (5 runs in all once, on a loaded CI machine).
    expect(r.runs).toBeLessThan(v.suite.cases.length / 2);
    expect(v.known(crash)).toMatchObject({ outcome: 'failed', detail: { failure: { case: 'edge: empty', verdict: 'crashed' } } });
    // Remembered: the same broken source fails again without a run, naming the same case.
    expect(await v.verify(crash)).toMatchObject({ passed: false, reused: true, runs: 0, failure: { case: { name: 'edge: empty' } } });
  }, 60_000);

  it('gives up at once, without a verdict, when its caller aborts', async () => {
    const v = await make(30);
    const slow = seedSource('bubble-sort').replace("readInput((input) => {", "readInput((input) => {\n  const until = Date.now() + 1500; while (Date.now() < until);");
    const abort = new AbortController();
    setTimeout(() => abort.abort(), 200);
    const started = Date.now();
    const r = await v.verify(slow, { signal: abort.signal });
    expect(Date.now() - started).toBeLessThan(1400);
    expect(r).toMatchObject({ passed: false, cancelled: true, failure: null });
    expect(v.known(slow)).toBeNull();
  }, 60_000);

  it('shrinks a failing input to a small counterexample the harness calls valid, on which the genome still fails', async () => {
    const v = await make();
    const mutant = bandMutant();
    const values = v.organism.harness.generateInput(createRng(5), v.organism.manifest.input) as { values: number[] };
    values.values[150] = -993;
    const r = await v.shrink(mutant, values);
    expect(inputSize(r.input)).toBeLessThan(inputSize(values) / 10);
    expect(r.runs).toBeLessThanOrEqual(v.settings.shrinkRuns);
    expect(v.organism.harness.validInput!(r.input)).toBe(true);
    expect((await v.check(mutant, caseFor('regression', 'shrunk', r.input))).verdict).toBe('wrong');
    expect((await v.check(seedSource('bubble-sort'), caseFor('regression', 'shrunk', r.input))).verdict).toBe('ok');
  }, 60_000);
});
