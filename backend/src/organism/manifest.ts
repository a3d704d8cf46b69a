import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import { HEAL_MODES, ORGANISM_NAME } from '../domain.js';
import type { Rng } from '../lib/rng.js';

/** Seeded property inputs per verification, unless the manifest or VERIFY_PROPERTY_INPUTS says otherwise. */
export const DEFAULT_PROPERTY_INPUTS = 24;

const ManifestSchema = z.object({
  name: z.string().regex(ORGANISM_NAME),
  description: z.string().min(1),
  /** What the program must do, in words: for the LLM healer's prompt and for people. */
  contract: z.string().min(1).optional(),
  genome: z.string().min(1),
  harness: z.string().min(1),
  timeLimitMs: z.number().int().min(50).max(600_000),
  slowMs: z.number().int().min(1),
  maxOldSpaceMb: z.number().int().min(8).max(16_384).default(64),
  input: z.record(z.string(), z.unknown()).default({}),
  /** This organism's approval mode, over the server's HEAL_MODE: `propose` makes every repair wait for a person. */
  healMode: z.enum(HEAL_MODES).optional(),
  /**
   * How fit a genome is (evolution): correctness on a fixed, seeded benchmark is the gate, then speed (the median
   * wall time over `repeats` runs of each timed input), then code size. The inputs come from the harness's
   * benchmarkInputs(rng, benchmark), with rng seeded by `seed`. Absent: the organism has no fitness and does not evolve.
   */
  fitness: z
    .strictObject({
      seed: z.number().int().min(0).max(0xffff_ffff).default(1),
      /** Parameters for the harness's benchmarkInputs. */
      benchmark: z.record(z.string(), z.unknown()).default({}),
      /** Runs of each timed input; the median counts. */
      repeats: z.number().int().min(1).max(51).default(5),
      /** Time limit of a timed (large) input; the edge cases keep the organism's timeLimitMs. Default: 5 x timeLimitMs. */
      timeLimitMs: z.number().int().min(50).max(600_000).optional(),
      /** stdout and stderr kept per benchmark run: a large input has a large answer. */
      outputCapBytes: z.number().int().min(1024).max(64 * 1024 * 1024).default(1024 * 1024),
    })
    .optional(),
  /**
   * The verification suite every new genome must pass before it counts as healthy (src/verification): the harness's
   * edge cases, `propertyInputs` inputs from generateInput with seeds drawn from `seed`, and the organism's regression
   * set. `shrinkRuns` bounds the sandboxed runs spent shrinking one counterexample. VERIFY_PROPERTY_INPUTS overrides
   * `propertyInputs` for every organism.
   */
  verification: z
    .strictObject({
      propertyInputs: z.number().int().min(0).max(1000).default(DEFAULT_PROPERTY_INPUTS),
      seed: z.number().int().min(0).max(0xffff_ffff).default(1),
      shrinkRuns: z.number().int().min(0).max(10_000).default(48),
    })
    .prefault({}),
});

export type VerificationSettings = z.infer<typeof ManifestSchema>['verification'];

export type ManifestData = z.infer<typeof ManifestSchema> & { contract: string };

export type Judgement = { ok: true } | { ok: false; reason: string };

export type FitnessSettings = NonNullable<z.infer<typeof ManifestSchema>['fitness']>;

/** One input of the fitness benchmark: the edge cases gate correctness; `timed` inputs are also timed. */
export interface BenchmarkInput {
  name: string;
  input: unknown;
  timed?: boolean;
}

/** The trusted half of an organism: how its input is made and how its answer is judged. */
export interface Harness {
  generateInput(rng: Rng, params: Record<string, unknown>): unknown;
  judge(input: unknown, answer: unknown): Judgement;
  /** The fitness benchmark (optional): a fixed list of inputs made from a seeded generator. */
  benchmarkInputs?(rng: Rng, params: Record<string, unknown>): BenchmarkInput[];
  /**
   * The verification suite's fixed edge cases (optional; else the benchmark's inputs that are not timed). `params` is
   * the manifest's `input` block.
   */
  edgeCases?(params: Record<string, unknown>): { name: string; input: unknown }[];
  /** Whether an input is one the contract covers (optional): a shrunk counterexample must stay valid. */
  validInput?(input: unknown): boolean;
  /** Smaller variants of an input, most promising first (optional; else a generic structural shrinker). */
  shrink?(input: unknown): Iterable<unknown>;
}

export interface Organism {
  readonly name: string;
  readonly dir: string;
  readonly manifest: ManifestData;
  readonly seedSource: string;
  readonly harness: Harness;
}

export class OrganismLoadError extends Error {
  override name = 'OrganismLoadError';
}

/** Loads organisms/<name>/: manifest.json, genome 0 and the harness module. */
export async function loadOrganism(organismsDir: string, name: string): Promise<Organism> {
  const dir = path.join(organismsDir, name);
  const manifestPath = path.join(dir, 'manifest.json');
  try {
    await stat(dir);
  } catch {
    throw new OrganismLoadError(`Organism folder ${dir} does not exist (ORGANISMS_DIR=${organismsDir}, ORGANISM=${name}).`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(manifestPath, 'utf8'));
  } catch (err) {
    throw new OrganismLoadError(`Cannot read ${manifestPath}: ${(err as Error).message}`);
  }
  const parsed = ManifestSchema.safeParse(raw);
  if (!parsed.success) {
    const why = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new OrganismLoadError(`${manifestPath} is invalid: ${why}`);
  }
  const manifest = { ...parsed.data, contract: parsed.data.contract ?? parsed.data.description };
  if (manifest.name !== name) {
    throw new OrganismLoadError(`${manifestPath} names "${manifest.name}" but lives in folder "${name}".`);
  }
  if (manifest.slowMs >= manifest.timeLimitMs) {
    throw new OrganismLoadError(`${manifestPath}: slowMs (${manifest.slowMs}) must be below timeLimitMs (${manifest.timeLimitMs}).`);
  }
  const seedSource = await readFile(path.join(dir, manifest.genome), 'utf8').catch((err: Error) => {
    throw new OrganismLoadError(`Cannot read genome 0 of ${name}: ${err.message}`);
  });
  const mod = (await import(pathToFileURL(path.join(dir, manifest.harness)).href)) as Partial<Harness>;
  if (typeof mod.generateInput !== 'function' || typeof mod.judge !== 'function') {
    throw new OrganismLoadError(`${path.join(dir, manifest.harness)} must export generateInput(rng, params) and judge(input, answer).`);
  }
  if (manifest.fitness && typeof mod.benchmarkInputs !== 'function') {
    throw new OrganismLoadError(`${manifestPath} defines a fitness, so ${path.join(dir, manifest.harness)} must export benchmarkInputs(rng, params).`);
  }
  return Object.freeze({
    name,
    dir,
    manifest,
    seedSource,
    harness: {
      generateInput: mod.generateInput,
      judge: mod.judge,
      ...(typeof mod.benchmarkInputs === 'function' ? { benchmarkInputs: mod.benchmarkInputs } : {}),
      ...(typeof mod.edgeCases === 'function' ? { edgeCases: mod.edgeCases } : {}),
      ...(typeof mod.validInput === 'function' ? { validInput: mod.validInput } : {}),
      ...(typeof mod.shrink === 'function' ? { shrink: mod.shrink } : {}),
    } as Harness,
  });
}
