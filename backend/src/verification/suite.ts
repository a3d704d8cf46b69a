/**
 * The verification suite of an organism: what a genome must pass before it counts as healthy. Pure: built from the
 * harness, the manifest and the regression set, ordered so that failures show early, and fingerprinted so that an
 * outcome can be reused for the same source against the same suite.
 */
import { createHash } from 'node:crypto';
import { createRng } from '../lib/rng.js';
import type { Organism, VerificationSettings } from '../organism/manifest.js';
import { inputHash } from './input-hash.js';

/** `failing`: the input a heal answers, first of all; then the regression set, the edge cases and the property inputs. */
export type CaseKind = 'failing' | 'regression' | 'edge' | 'property';

export interface SuiteCase {
  kind: CaseKind;
  /** For people: `edge: two elements, reversed`, `property #3 (seed 123)`, `counterexample #2`. */
  name: string;
  input: unknown;
  /** The seed a property input was made from; 0 for the others (what a recorded run's seed column holds). */
  seed: number;
  hash: string;
}

export interface Suite {
  readonly cases: readonly SuiteCase[];
  /** Changes whenever an input is added or changed (a grown regression set): outcomes are remembered per fingerprint. */
  readonly fingerprint: string;
  readonly counts: Readonly<Record<Exclude<CaseKind, 'failing'>, number>>;
}

/** A stored counterexample, as the suite needs it. */
export interface RegressionInput {
  id: number;
  input: unknown;
}

const ORDER: readonly CaseKind[] = ['failing', 'regression', 'edge', 'property'];

/** The harness's own edge cases, else the fitness benchmark's inputs that are not timed, else none. */
export function edgeCases(organism: Organism): { name: string; input: unknown }[] {
  const h = organism.harness;
  if (h.edgeCases) return h.edgeCases(organism.manifest.input);
  const fitness = organism.manifest.fitness;
  if (h.benchmarkInputs && fitness) {
    return h
      .benchmarkInputs(createRng(fitness.seed), fitness.benchmark)
      .filter((i) => !i.timed)
      .map(({ name, input }) => ({ name, input }));
  }
  return [];
}

/** `count` inputs of the organism's own generator, from seeds drawn from the verification seed: the same every time. */
export function propertyCases(organism: Organism, settings: Pick<VerificationSettings, 'seed'>, count: number): SuiteCase[] {
  const seeds = createRng(settings.seed);
  const out: SuiteCase[] = [];
  for (let i = 1; i <= count; i++) {
    const seed = seeds.int(0, 0xffff_ffff);
    const input = organism.harness.generateInput(createRng(seed), organism.manifest.input);
    out.push({ kind: 'property', name: `property #${i} (seed ${seed})`, input, seed, hash: inputHash(input) });
  }
  return out;
}

export function regressionCases(regression: readonly RegressionInput[]): SuiteCase[] {
  return regression.map((r) => ({ kind: 'regression', name: `counterexample #${r.id}`, input: r.input, seed: 0, hash: inputHash(r.input) }));
}

/**
 * Orders the cases so that failures show early: one typical input first (a property input: a genome that crashes on
 * everything fails on the first batch, as fast as on a routine run), then the regression set, the edge cases and the
 * other property inputs. Repeated inputs run once, at their first place.
 */
export function buildSuite(parts: { regression: SuiteCase[]; edge: { name: string; input: unknown }[]; property: SuiteCase[] }): Suite {
  const edge: SuiteCase[] = parts.edge.map((e) => ({ kind: 'edge', name: `edge: ${e.name}`, input: e.input, seed: 0, hash: inputHash(e.input) }));
  const [typical, ...property] = parts.property;
  const ordered = [...parts.regression, ...edge, ...property].sort((a, b) => ORDER.indexOf(a.kind) - ORDER.indexOf(b.kind));
  const cases = dedupe(typical ? [typical, ...ordered] : ordered);
  const counts = { regression: 0, edge: 0, property: 0 };
  for (const c of cases) if (c.kind !== 'failing') counts[c.kind]++;
  return Object.freeze({ cases: Object.freeze(cases), fingerprint: fingerprintOf(cases), counts: Object.freeze(counts) });
}

/** The whole suite for an organism now. */
export function organismSuite(organism: Organism, settings: VerificationSettings, regression: readonly RegressionInput[]): Suite {
  return buildSuite({
    regression: regressionCases(regression),
    edge: edgeCases(organism),
    property: propertyCases(organism, settings, settings.propertyInputs),
  });
}

/** The cases with `first` ahead of them (a heal's failing input): a candidate that still fails on it fails at once. */
export function withFirst(cases: readonly SuiteCase[], first: SuiteCase | null): SuiteCase[] {
  if (first === null) return [...cases];
  return [first, ...cases.filter((c) => c.hash !== first.hash)];
}

/** A case for an input outside the suite: a failing run's input, a counterexample being shrunk. */
export function caseFor(kind: CaseKind, name: string, input: unknown, seed = 0): SuiteCase {
  return { kind, name, input, seed, hash: inputHash(input) };
}

/** Order does not matter to an outcome, so the fingerprint is over the set of inputs. */
function fingerprintOf(cases: readonly SuiteCase[]): string {
  const hashes = [...new Set(cases.map((c) => c.hash))].sort();
  return createHash('sha256').update(hashes.join('\n')).digest('hex').slice(0, 16);
}

function dedupe(cases: SuiteCase[]): SuiteCase[] {
  const seen = new Set<string>();
  return cases.filter((c) => (seen.has(c.hash) ? false : (seen.add(c.hash), true)));
}
