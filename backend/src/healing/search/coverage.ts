/**
 * Runs of a genome that say which of its lines ran, for fault localization. The genome runs as an instrumented copy
 * (instrument.ts) in the whole sandbox, as every run does: the permission model lets it write one file, its report,
 * in a private directory made for the batch and removed after, and the file-size limit bounds that report.
 */
import { chown, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseSource } from '../../chaos/ast.js';
import { SourceTooLarge } from '../../files/source-size.js';
import type { Organism } from '../../organism/manifest.js';
import type { Sandbox } from '../../sandbox/types.js';
import type { SuiteCase } from '../../verification/suite.js';
import { runGenomeOn, type GenomeRunResult } from '../../watcher/run-genome.js';
import { HITS_FILE_ENV, instrumentLines, linesFromHits, parseHits } from './instrument.js';

/** Room for the report of a genome with many probes (a few bytes each). */
const REPORT_MAX_BYTES = 1024 * 1024;

export interface CoverageLimits {
  outputCapBytes: number;
  killGraceMs: number;
  sandbox: Sandbox | null;
}

export interface CoveredRun {
  case: SuiteCase;
  result: GenomeRunResult;
  /** The genome's lines that ran; null when the run wrote no report (killed by a signal, a timeout). */
  lines: Set<number> | null;
}

export interface CoverageTarget {
  organism: Organism;
  runLimits: CoverageLimits;
  /** A private scratch copy of a source for the length of `fn` (the verifier's). */
  withScratch<T>(source: string, fn: (file: string) => Promise<T>): Promise<T>;
}

/**
 * Each case on the source, `parallelism` at once, in completion order. Null when nothing can be measured: the source
 * does not parse, or its instrumented copy is over the size limit of a run.
 */
export async function coverageRuns(target: CoverageTarget, source: string, cases: readonly SuiteCase[], parallelism: number, signal: AbortSignal): Promise<CoveredRun[] | null> {
  const parsed = parseSource(source);
  if (!parsed) return null;
  const probed = instrumentLines(parsed);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'ouroboros-coverage-'));
  try {
    const { sandbox } = target.runLimits;
    if (sandbox?.uid) await chown(dir, sandbox.uid.uid, sandbox.uid.gid);
    return await target.withScratch(probed.source, async (file) => {
      const out: CoveredRun[] = [];
      let next = 0;
      const worker = async () => {
        while (next < cases.length && !signal.aborted) {
          const index = next++;
          const c = cases[index] as SuiteCase;
          const report = path.join(dir, `${index}.hits`);
          const result = await runGenomeOn(
            target.organism,
            file,
            c.input,
            {
              outputCapBytes: target.runLimits.outputCapBytes,
              killGraceMs: target.runLimits.killGraceMs,
              sandbox,
              env: { [HITS_FILE_ENV]: report },
              allowFsWrite: report,
              fileSizeBytes: REPORT_MAX_BYTES,
              signal,
            },
            c.seed,
          );
          const hits = await readFile(report, 'utf8').catch(() => null);
          out.push({ case: c, result, lines: hits === null ? null : linesFromHits(parsed, probed.regions, parseHits(hits, probed.regions.length)) });
        }
      };
      await Promise.all(Array.from({ length: Math.max(1, Math.min(parallelism, cases.length)) }, worker));
      return out;
    });
  } catch (err) {
    if (err instanceof SourceTooLarge) return null;
    throw err;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
