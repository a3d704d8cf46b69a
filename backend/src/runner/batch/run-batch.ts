/**
 * Runs a genome on many inputs in ONE sandboxed process, a batch host (host-source.ts), with a worker thread per
 * input: a proof's passing inputs then cost a thread's start, not a process's. The host goes through the process's
 * runner like every run (the same command line of sandbox layers, process group, pidfile, limits), with two more
 * grants: reading the genome's file beside its own, and starting workers. Whatever went wrong with the host itself
 * (it could not start, died, said something that is not a report) leaves the cases concerned unreported: the caller
 * runs those as real processes.
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { prepareRunFile } from '../../sandbox/prepare.js';
import type { Sandbox } from '../../sandbox/types.js';
import { organismNice, processRunner } from '../process-runner.js';
import type { ChildOutcome } from '../../watcher/child-process.js';
import { parseReports, reportOutcome, type BatchJob, type BatchOutcome } from './protocol.js';

/** The limits of each case in a batch host (those of one run of the organism), and the sandbox around the host. */
export interface HostLimits {
  timeLimitMs: number;
  maxOldSpaceMb: number;
  outputCapBytes: number;
  outputKillBytes: number;
  killGraceMs: number;
  sandbox: Sandbox | null;
}

export interface BatchRunOptions extends HostLimits {
  /** The batch host's scratch file (BATCH_HOST_SOURCE) and the genome's, in the same run directory. */
  host: string;
  genome: string;
  /** Each case's stdin. */
  stdins: readonly string[];
  /** Workers at once (the core count). */
  parallelism: number;
  /** Each case in a vm context of the host first (default); false: every case in a worker thread. */
  contexts?: boolean;
  signal?: AbortSignal;
  organism?: string;
}

/** Where a batch host runs each case first: a vm context of its thread (falling back to a worker), or a worker thread. */
export type BatchMode = 'contexts' | 'workers';

/** Time the host takes to start, beyond its cases' own limits. */
const HOST_START_MS = 3000;
/** Bytes a report line takes beyond its case's output (its fields, JSON's escapes of control characters). */
const REPORT_OVERHEAD = 1024;

/** Whether the process's runner starts runs on this machine, where a host can name the genome's file by its path. */
export function batchAvailable(): boolean {
  return processRunner().local === true;
}

/** Each case's outcome in one host (a context or a worker), by index; null for a case the host did not report. */
export async function runBatch(o: BatchRunOptions): Promise<(BatchOutcome | null)[]> {
  const none = o.stdins.map(() => null);
  if (o.stdins.length === 0 || !batchAvailable()) return none;
  // The host file is the run's own file, made readable for the sandbox's uid by the runner; the genome is read too.
  if (o.sandbox) prepareRunFile(o.sandbox, o.genome);
  const parallelism = Math.max(1, Math.min(o.parallelism, o.stdins.length));
  const job: BatchJob = {
    token: randomBytes(16).toString('hex'),
    genome: o.genome,
    host: o.host,
    cases: [...o.stdins],
    timeLimitMs: o.timeLimitMs,
    maxOldSpaceMb: o.maxOldSpaceMb,
    outputCapBytes: o.outputCapBytes,
    outputKillBytes: o.outputKillBytes,
    parallelism,
    contexts: o.contexts !== false,
  };
  const rounds = Math.ceil(o.stdins.length / parallelism);
  // A JSON escape is at most six bytes for one: every case's kept output, escaped, fits.
  const reportBytes = o.stdins.length * (6 * 2 * o.outputCapBytes + REPORT_OVERHEAD);
  let outcome: ChildOutcome;
  try {
    outcome = await processRunner().run({
      file: o.host,
      cwd: path.dirname(o.genome),
      stdin: JSON.stringify(job),
      // Each round of workers within its cases' limit; the host's group is killed past that, as any run's.
      timeLimitMs: HOST_START_MS + rounds * (o.timeLimitMs + o.killGraceMs),
      // The CPU time the cases would have had as processes (twice the time limit each), for all of them together.
      cpuSeconds: Math.ceil((2 * o.timeLimitMs * o.stdins.length) / 1000) + 1,
      maxOldSpaceMb: o.maxOldSpaceMb,
      outputCapBytes: reportBytes,
      outputKillBytes: 2 * reportBytes,
      killGraceMs: o.killGraceMs,
      allowFsRead: [o.genome],
      workers: parallelism,
      ...(o.sandbox ? { sandbox: o.sandbox } : {}),
      ...(o.signal ? { signal: o.signal } : {}),
      ...(organismNice() ? { nice: organismNice() } : {}),
      ...(o.organism ? { organism: o.organism } : {}),
    });
  } catch {
    // The runner's own failure (RunnerFault): the cases run as processes.
    return none;
  }
  // Reports written before the host died still stand: each was complete, and carries the job's token.
  return parseReports(outcome.stdout, job.token, o.stdins.length).map((r) => (r ? reportOutcome(r, outcome.pid ?? null) : null));
}
