/**
 * Runs of a genome under V8's own block coverage (NODE_V8_COVERAGE), for fault localization. Node's permission model
 * turns V8's coverage writer off, so a coverage run drops that one layer of the sandbox and keeps the others (its own
 * uid, namespaces, rlimits, an environment with nothing but NODE_V8_COVERAGE); it may write its report into a private
 * directory only, made for it and removed after. These runs are of the broken genome itself, which the loop has run
 * already; every candidate the search makes runs in the full sandbox.
 */
import { chown, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Organism } from '../../organism/manifest.js';
import type { Sandbox } from '../../sandbox/types.js';
import type { SuiteCase } from '../../verification/suite.js';
import { runGenomeOn, type GenomeRunResult } from '../../watcher/run-genome.js';
import { coveredLines, type FunctionCoverage } from './localize.js';

/** Room for V8's report of one small script and Node's own modules. */
const REPORT_MAX_BYTES = 64 * 1024 * 1024;

export interface CoverageLimits {
  outputCapBytes: number;
  killGraceMs: number;
  sandbox: Sandbox | null;
}

export interface CoveredRun {
  result: GenomeRunResult;
  /** The genome's lines that ran; null when the run wrote no report (killed by a signal, a timeout). */
  lines: Set<number> | null;
}

export async function runWithCoverage(
  organism: Organism,
  file: string,
  source: string,
  c: SuiteCase,
  limits: CoverageLimits,
  signal?: AbortSignal,
): Promise<CoveredRun> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'ouroboros-coverage-'));
  try {
    const sandbox = limits.sandbox ? { ...limits.sandbox, permissionFlag: null } : null;
    if (sandbox?.uid) await chown(dir, sandbox.uid.uid, sandbox.uid.gid);
    const result = await runGenomeOn(
      organism,
      file,
      c.input,
      {
        outputCapBytes: limits.outputCapBytes,
        killGraceMs: limits.killGraceMs,
        sandbox,
        env: { NODE_V8_COVERAGE: dir },
        fileSizeBytes: REPORT_MAX_BYTES,
        ...(signal ? { signal } : {}),
      },
      c.seed,
    );
    return { result, lines: await readLines(dir, file, source) };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function readLines(dir: string, file: string, source: string): Promise<Set<number> | null> {
  const url = pathToFileURL(file).href;
  for (const name of await readdir(dir)) {
    if (!name.endsWith('.json')) continue;
    let report: { result?: { url: string; functions: FunctionCoverage[] }[] };
    try {
      report = JSON.parse(await readFile(path.join(dir, name), 'utf8'));
    } catch {
      continue; // cut short by the run's end: no report
    }
    const script = report.result?.find((s) => s.url === url || s.url === file);
    if (script) return coveredLines(source, script.functions);
  }
  return null;
}
