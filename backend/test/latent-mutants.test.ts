/**
 * The latent class: a mutant wrong only on inputs random runs almost never make. Under the old rule one passing run
 * made it healthy; verification must catch each one at promotion, on the input that exposes it.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { GenomeStore } from '../src/genome/store.js';
import { loadOrganism } from '../src/organism/manifest.js';
import { caseFor } from '../src/verification/suite.js';
import { scratchDirAt } from '../src/files/scratch.js';
import { Verifier } from '../src/verification/verifier.js';
import { createRng } from '../src/lib/rng.js';
import { REAL_ORGANISMS, tempDir } from './helpers/fixtures.js';
import { LATENT_MUTANTS, latentMutant, seedSource } from './helpers/latent-mutants.js';

const tmp = tempDir('ouroboros-latent-');
afterAll(() => tmp.cleanup());

async function verifierFor(name: string): Promise<Verifier> {
  const dir = path.join(tmp.dir, name);
  mkdirSync(dir, { recursive: true });
  const store = new GenomeStore(path.join(dir, 'store.db'));
  return new Verifier({ organism: await loadOrganism(REAL_ORGANISMS, name), store, scratch: scratchDirAt(dir), outputCapBytes: 65536, killGraceMs: 500, sandbox: null });
}

describe.each(Object.keys(LATENT_MUTANTS) as (keyof typeof LATENT_MUTANTS)[])('the latent mutant of %s', (name) => {
  it(`${LATENT_MUTANTS[name].what}: passes random runs, fails its verification suite on the input that shows it`, async () => {
    const verifier = await verifierFor(name);
    const mutant = latentMutant(name);
    const { harness, manifest } = verifier.organism;
    // Routine runs: random inputs from the organism's own generator, as the watcher makes them.
    for (const seed of [1, 2, 3, 4, 5, 6]) {
      const input = harness.generateInput(createRng(seed), manifest.input);
      const r = await verifier.check(mutant, caseFor('failing', `routine (seed ${seed})`, input, seed));
      expect(r.verdict, `seed ${seed}: ${r.error}`).toBe('ok');
    }
    expect((await verifier.verify(seedSource(name))).passed).toBe(true);
    const v = await verifier.verify(mutant);
    expect(v.passed).toBe(false);
    expect(v.failure!.case.name).toMatch(LATENT_MUTANTS[name].failsOn);
    expect(v.failure!.result.verdict).toBe('wrong');
    expect(v.size).toBeGreaterThanOrEqual(24);
    // Stopped at the first failure, well before the end of the suite.
    expect(v.runs).toBeLessThan(v.size);
  }, 120_000);
});
