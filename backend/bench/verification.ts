/**
 * The cost of verification per new genome, as a ratio to one routine run: the whole suite of a source never judged
 * (the price every new genome pays once), a source judged before (a rollback, a heal that restores verified code),
 * damage that fails the first case, and a latent mutant that fails an edge case. Real sandboxed runs through the
 * server's own Verifier, interleaved with routine runs so the machine's drift weighs on both.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { GenomeStore } from '../src/genome/store.js';
import { createRng } from '../src/lib/rng.js';
import { loadOrganism } from '../src/organism/manifest.js';
import { detectSandbox, sandboxSettingsFromEnv } from '../src/sandbox/index.js';
import { scratchDirAt } from '../src/files/scratch.js';
import { Verifier } from '../src/verification/verifier.js';
import { runGenome } from '../src/watcher/run-genome.js';
import { LATENT_MUTANTS, latentMutant } from '../test/helpers/latent-mutants.js';
import type { BenchOptions, Figure, Section } from './model.js';
import { REAL_ORGANISMS, tempDir } from './proc.js';
import { interleaved, ratios, since, summarize, type Summary } from './stats.js';

export interface VerificationBenchOptions extends BenchOptions {
  /** Measurements of each variant per organism. */
  reps?: number;
  organisms?: (keyof typeof LATENT_MUTANTS)[];
  /** Property inputs of each suite (the manifest's by default; 4 with --tiny, as the tests' servers use). */
  propertyInputs?: number | null;
}

const LIMITS = { outputCapBytes: 64 * 1024, killGraceMs: 500 };

export async function benchVerification(o: VerificationBenchOptions = {}): Promise<Section[]> {
  const started = performance.now();
  const log = o.log ?? (() => {});
  const tiny = o.tiny ?? false;
  const reps = o.reps ?? (tiny ? 1 : 8);
  const organisms = o.organisms ?? (tiny ? ['bubble-sort'] : (Object.keys(LATENT_MUTANTS) as (keyof typeof LATENT_MUTANTS)[]));
  const propertyInputs = o.propertyInputs ?? (tiny ? 4 : null);
  const dir = tempDir('ouroboros-bench-verify-');
  const figures: Figure[] = [];
  const notes: string[] = [];
  const params: Record<string, string | number> = { 'measurements per variant and organism': reps };
  try {
    const sandbox = await detectSandbox({ settings: sandboxSettingsFromEnv(), dataDir: dir.dir });
    for (const name of organisms) {
      const organism = await loadOrganism(REAL_ORGANISMS, name);
      const work = path.join(dir.dir, name);
      mkdirSync(work, { recursive: true });
      // A fresh store per measurement of a fresh verification: nothing remembered.
      let n = 0;
      // Only the verification is timed: building a verifier (its suite's inputs) happens once per server start.
      const freshly = async (source: string, batch: 'contexts' | false = 'contexts') => {
        const store = new GenomeStore(path.join(work, `s${n++}.db`));
        try {
          const verifier = new Verifier({ organism, store, scratch: scratchDirAt(work), ...LIMITS, sandbox, propertyInputs, batch });
          const t0 = performance.now();
          const v = await verifier.verify(source);
          return { v, ms: since(t0) };
        } finally {
          store.close();
        }
      };
      const kept = new GenomeStore(path.join(work, 'remembered.db'));
      const remembered = new Verifier({ organism, store: kept, scratch: scratchDirAt(work), ...LIMITS, sandbox, propertyInputs });
      await remembered.verify(organism.seedSource);
      const crash = organism.seedSource.replace("'use strict';", "'use strict';\nthrow new Error('damaged');");
      const latent = latentMutant(name);
      const runs: Record<string, number[]> = { fresh: [], crash: [], latent: [] };
      const rng = createRng(7);
      const samples = await interleaved(reps, {
        routine: () => scratchDirAt(work).withFile(organism.seedSource, async (file) => (await runGenome(organism, file, rng.int(0, 0xffff_ffff), { ...LIMITS, sandbox })).durationMs),
        fresh: async () => {
          const { v, ms } = await freshly(organism.seedSource);
          if (!v.passed) throw new Error(`${name}: genome 0 failed its suite on ${v.failure?.case.name}`);
          runs.fresh!.push(v.runs);
          return ms;
        },
        // The same suite with a process per input (HEAL_BATCH_PROOF=0): what the batch host saves, in the same run.
        processes: async () => {
          const { v, ms } = await freshly(organism.seedSource, false);
          if (!v.passed) throw new Error(`${name}: genome 0 failed its suite on ${v.failure?.case.name}`);
          return ms;
        },
        remembered: async () => {
          const t0 = performance.now();
          await remembered.verify(organism.seedSource);
          return since(t0);
        },
        crash: async () => {
          const { v, ms } = await freshly(crash);
          runs.crash!.push(v.runs);
          return ms;
        },
        latent: async () => {
          const { v, ms } = await freshly(latent);
          if (v.passed) throw new Error(`${name}: the latent mutant passed its suite`);
          runs.latent!.push(v.runs);
          return ms;
        },
      });
      const routine = summarize(samples.routine);
      const size = remembered.suite.cases.length;
      const vs = (id: string, label: string, value: Summary, note: string): Figure => ({
        id: `verify.${name}.${id}`,
        label: `${name}: ${label}`,
        unit: 'ms',
        value,
        baseline: { label: 'one routine run', value: routine },
        ratio: ratios(value, routine),
        note,
      });
      const mean = (xs: number[]) => Math.round((xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length)) * 10) / 10;
      figures.push(
        vs('fresh', `a new genome's whole suite (${size} inputs)`, summarize(samples.fresh), `${mean(runs.fresh!)} runs, ${remembered.parallelism} at once after the first`),
        {
          id: `verify.${name}.batch`,
          label: `${name}: a new genome's whole suite in a batch host, against a process per input`,
          unit: 'ms',
          value: summarize(samples.fresh),
          baseline: { label: 'a process per input (HEAL_BATCH_PROOF=0)', value: summarize(samples.processes) },
          ratio: ratios(summarize(samples.fresh), summarize(samples.processes)),
          note: 'each input in a vm context of one sandboxed process, a real process run for any that does not pass there',
        },
        vs('remembered', 'a source verified before (rollback, restored code)', summarize(samples.remembered), 'no run: the outcome is remembered per source and suite'),
        vs('crash', 'damage that fails every input', summarize(samples.crash), `${mean(runs.crash!)} run(s): the first case runs alone`),
        vs('latent', `the latent mutant (${LATENT_MUTANTS[name].what})`, summarize(samples.latent), `${mean(runs.latent!)} runs to the edge case that shows it`),
      );
      log(`  ${name}: routine ${Math.round(routine.median)} ms, fresh suite ${Math.round(summarize(samples.fresh).median)} ms (${size} inputs)`);
      params[`${name} suite`] = `${size} inputs (${remembered.suite.counts.edge} edge, ${remembered.suite.counts.property} property)`;
      kept.close();
    }
    params.parallelism = `${Math.max(1, (await import('node:os')).availableParallelism())} (the core count)`;
    notes.push(
      'A new genome pays the fresh figure once; every promotion of a source already judged against the same suite (a rollback, a heal that restores verified code, the seed at a restart) pays the remembered one. Chaos that breaks everything costs what a routine run did.',
    );
  } finally {
    dir.cleanup();
  }
  return [
    {
      id: 'verify',
      title: 'Cost of verification',
      params,
      method: [
        "Each variant runs the server's own Verifier (src/verification) in the sandbox detected here, on the real organisms (only the verification is timed, not building the suite, done once per server start): `fresh` verifies genome 0 with a new store (nothing remembered), its inputs in one batch host (HEAL_BATCH_PROOF's default), and again with a process per input (HEAL_BATCH_PROOF=0), `remembered` verifies it again with the store that judged it, `crash` verifies a copy that throws at start, `latent` the organism's hand-written latent mutant (test/helpers/latent-mutants.ts).",
        'Baseline: one routine run of genome 0 on a random input (`runGenome`, the watcher\'s own), interleaved with the variants (A B C, C B A...).',
      ],
      figures,
      notes,
      elapsedS: since(started) / 1000,
    },
  ];
}


