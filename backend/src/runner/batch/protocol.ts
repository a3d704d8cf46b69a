/**
 * What the server and a batch host (host-source.ts) say to each other: one job on the host's stdin, one report line
 * per case on its stdout. Parsing is strict and never throws: a line that is not a report of this job (a genome's
 * own writes to the process's descriptor 1, a line cut by the output cap) names no case, and a case reported twice
 * counts as not reported, so that the case gets a real run instead.
 */
import { z } from 'zod';
import type { ChildOutcome } from '../../watcher/child-process.js';

export interface BatchJob {
  /** Marks this job's report lines: a genome inside a worker never sees it. */
  token: string;
  /** The genome's scratch copy, and the host's own file (each worker's preload). */
  genome: string;
  host: string;
  /** Each case's stdin (its input as JSON), in order. */
  cases: string[];
  timeLimitMs: number;
  maxOldSpaceMb: number;
  outputCapBytes: number;
  outputKillBytes: number;
  /** Workers at once. */
  parallelism: number;
  /** Each case in a fresh vm context first, and in a worker only when it needs more than a context offers. */
  contexts: boolean;
}

const report = z.object({
  t: z.string(),
  i: z.number().int().nonnegative(),
  /** Where the case ran: a vm context of the host's thread, or a worker thread. */
  via: z.enum(['context', 'worker']),
  exitCode: z.number().int().nullable(),
  error: z.string().nullable(),
  timedOut: z.boolean(),
  outputLimited: z.boolean(),
  durationMs: z.number().nonnegative(),
  stdout: z.string(),
  stdoutTail: z.string(),
  stderr: z.string(),
  stdoutBytes: z.number().int().nonnegative(),
  stderrBytes: z.number().int().nonnegative(),
});
export type CaseReport = z.infer<typeof report>;

/** Each case's report from the host's stdout, by the case's index; null where the host reported none (or two). */
export function parseReports(stdout: string, token: string, cases: number): (CaseReport | null)[] {
  const found: (CaseReport | null | undefined)[] = Array.from({ length: cases }, () => undefined);
  for (const line of stdout.split('\n')) {
    if (!line.startsWith('{')) continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      continue;
    }
    const r = report.safeParse(parsed);
    if (!r.success || r.data.t !== token || r.data.i >= cases) continue;
    // Reported twice: the host never does that, so something else wrote one of them.
    found[r.data.i] = found[r.data.i] === undefined ? r.data : null;
  }
  return found.map((r) => r ?? null);
}

/** A case's outcome in a batch, and where it ran. */
export type BatchOutcome = ChildOutcome & { via: CaseReport['via'] };

/** A case's report as the outcome of a run, for the organism's judge (run-genome.ts judgeRun). */
export function reportOutcome(r: CaseReport, hostPid: number | null): BatchOutcome {
  return {
    via: r.via,
    // A worker that threw exits 1; its error is not on its stderr as a process's would be, so it is put there.
    exitCode: r.exitCode,
    signal: null,
    durationMs: r.durationMs,
    timedOut: r.timedOut,
    outputLimited: r.outputLimited,
    stdout: r.stdout,
    stdoutTail: r.stdoutTail,
    stderr: r.error ? `${r.stderr}${r.stderr && !r.stderr.endsWith('\n') ? '\n' : ''}${r.error}\n` : r.stderr,
    stdoutBytes: r.stdoutBytes,
    stderrBytes: r.stderrBytes,
    spawnError: null,
    pid: hostPid,
  };
}
