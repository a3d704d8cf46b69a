/**
 * A heal of a genome that never passed, as the supervisor sets it up, on a real Verifier (real sandboxed runs, a real
 * SQLite store): for the search rung's tests and the repair benchmark.
 */
import type { BatchMode } from '../../src/runner/batch/run-batch.js';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { scratchDirAt } from '../../src/files/scratch.js';
import { GenomeStore, sourceHash, type GenomeRow } from '../../src/genome/store.js';
import { climbLadder, type LadderResult } from '../../src/healing/ladder.js';
import { searchRunsFor } from '../../src/healing/search/runs.js';
import type { HealContext, HealStrategy } from '../../src/healing/types.js';
import { loadOrganism, type Organism } from '../../src/organism/manifest.js';
import type { Sandbox } from '../../src/sandbox/types.js';
import { Verifier, type Verification } from '../../src/verification/verifier.js';

export async function verifierAt(dir: string, organismsDir: string, name: string, sandbox: Sandbox | null = null, propertyInputs: number | null = null, batch?: BatchMode | false): Promise<{ verifier: Verifier; store: GenomeStore; organism: Organism }> {
  mkdirSync(dir, { recursive: true });
  const organism = await loadOrganism(organismsDir, name);
  const store = new GenomeStore(path.join(dir, 'store.db'));
  const verifier = new Verifier({ organism, store, scratch: scratchDirAt(dir), outputCapBytes: 64 * 1024, killGraceMs: 500, sandbox, propertyInputs, ...(batch !== undefined ? { batch } : {}) });
  return { verifier, store, organism };
}

/** Climbs `rungs` for `source` as a never-healthy seed that failed its suite as `failed` says; null when it passed. */
export async function healNeverHealthy(verifier: Verifier, source: string, rungs: readonly HealStrategy[], failed?: Verification): Promise<LadderResult | null> {
  const v = failed ?? (await verifier.verify(source));
  if (v.passed || !v.failure) return null;
  const { case: c, result } = v.failure;
  const failing = { ...c, kind: 'failing' as const };
  const live = { id: 'seed', source, sourceHash: sourceHash(source), generation: 0 } as GenomeRow;
  const ctx: HealContext = {
    organism: verifier.organism.name,
    contract: verifier.organism.manifest.contract,
    live,
    failure: { runId: 0, seed: c.seed, verdict: result.verdict, error: result.error, stderrTail: result.stderr.slice(-2000), input: c.input },
    lastHealthy: null,
    healthyAncestors: [],
    trial: async (s) => {
      const r = await verifier.trial(s, [failing]);
      const f = r.failure;
      return f ? { verdict: f.result.verdict, error: f.result.error, durationMs: r.timeMs, seed: f.case.seed, case: f.case.name } : { verdict: 'ok', error: null, durationMs: r.timeMs, seed: c.seed };
    },
    verify: async (s) => {
      const r = await verifier.verify(s, { first: failing });
      const f = r.failure;
      return { passed: r.passed, suite: r.suite, size: r.size, runs: r.runs, timeMs: r.timeMs, reused: r.reused, failure: f ? { case: f.case.name, kind: f.case.kind, verdict: f.result.verdict, error: f.result.error } : null };
    },
    search: searchRunsFor(verifier),
    signal: new AbortController().signal,
  };
  return climbLadder(rungs, ctx);
}
