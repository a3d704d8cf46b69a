/**
 * The latent class: logic mutants (boundary, comparison, tie-handling...) that random runs almost never expose but the
 * verification suite catches. Found by measurement, not by guess: every single-site mutant of the AST operators is
 * run against the suite, and those it fails are run on fresh random inputs; a mutant that fails fewer than `maxRate`
 * of them is latent. One passing routine run would have called such a mutant healthy.
 */
import { createRng } from '../lib/rng.js';
import { passes } from '../verification/runner.js';
import { caseFor } from '../verification/suite.js';
import type { Verifier } from '../verification/verifier.js';
import { CHAOS_OPERATORS } from './index.js';

export interface LatentMutant {
  type: string;
  line: number;
  description: string;
  source: string;
  /** Random inputs it failed, of `samples`. */
  randomFailures: number;
  samples: number;
  /** The suite case that catches it. */
  caughtBy: string;
  verdict: string;
}

export interface LatentSearch {
  mutants: LatentMutant[];
  /** Single-site mutants tried. */
  tried: number;
  /** Passed the whole suite: equivalent, or a blind spot of the suite. */
  passedSuite: number;
  /** Sandboxed runs spent. */
  runs: number;
}

export interface LatentSearchOptions {
  /** Random inputs each suite-failing mutant is run on. */
  samples?: number;
  /** Latent: fails on fewer than this share of the random inputs. */
  maxRate?: number;
  /** Seed of the random inputs (not the suite's). */
  seed?: number;
  /** Stop after finding this many. */
  limit?: number;
  signal?: AbortSignal;
}

export async function findLatentMutants(verifier: Verifier, source: string, o: LatentSearchOptions = {}): Promise<LatentSearch> {
  const samples = o.samples ?? 40;
  const maxRate = o.maxRate ?? 0.05;
  const seeds = createRng(o.seed ?? 0x1a7e27);
  const inputs = Array.from({ length: samples }, (_, i) => {
    const seed = seeds.int(0, 0xffff_ffff);
    return caseFor('failing', `random #${i + 1} (seed ${seed})`, verifier.organism.harness.generateInput(createRng(seed), verifier.organism.manifest.input), seed);
  });
  const seen = new Set<string>([source]);
  const candidates = CHAOS_OPERATORS.flatMap((op) => op.enumerate?.(source) ?? []).filter((m) => !seen.has(m.source) && (seen.add(m.source), true));
  const out: LatentSearch = { mutants: [], tried: 0, passedSuite: 0, runs: 0 };
  for (const m of candidates) {
    if (o.signal?.aborted || (o.limit !== undefined && out.mutants.length >= o.limit)) break;
    out.tried++;
    const v = await verifier.verify(m.source, { signal: o.signal });
    out.runs += v.runs;
    if (v.cancelled) break;
    if (v.passed || !v.failure) {
      out.passedSuite++;
      continue;
    }
    // Failing more than this many random inputs is not latent: stop counting there.
    const allowed = Math.ceil(maxRate * samples) - 1;
    let failures = 0;
    for (let i = 0; i < inputs.length && failures <= allowed; i += verifier.parallelism) {
      const batch = inputs.slice(i, i + verifier.parallelism);
      const results = await Promise.all(batch.map((c) => verifier.check(m.source, c, o.signal)));
      out.runs += results.length;
      failures += results.filter((r) => !passes(r.verdict)).length;
    }
    if (failures > allowed) continue;
    out.mutants.push({
      type: m.type,
      line: m.line,
      description: m.description,
      source: m.source,
      randomFailures: failures,
      samples,
      caughtBy: v.failure.case.name,
      verdict: v.failure.result.verdict,
    });
  }
  return out;
}
