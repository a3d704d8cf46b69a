import { z } from 'zod';
import { ORGANISM_NAME } from '../../domain.js';
import type { Sandbox } from '../../sandbox/types.js';
import type { ChildOutcome, ChildRunOptions } from '../../watcher/child-process.js';

/**
 * One organism run as a job on the queue: everything a worker on another machine needs, and nothing that names this
 * server's machine (no path, no sandbox): the worker writes the source to a file of its own and runs it in its own
 * machine's sandbox. Bumped when the shape changes, so that a worker of another version refuses the job clearly.
 */
export const RUN_JOB_VERSION = 1;

const count = z.number().int().min(0);
const positive = z.number().int().min(1);

export const RunJobSchema = z.strictObject({
  v: z.literal(RUN_JOB_VERSION),
  /** The organism the genome belongs to, and the digest of its trusted files on the server (organism-digest.ts). */
  organism: z.strictObject({ name: z.string().regex(ORGANISM_NAME), digest: z.string().regex(/^[0-9a-f]{64}$/) }).nullable(),
  source: z.string(),
  stdin: z.string(),
  limits: z.strictObject({
    timeLimitMs: positive,
    maxOldSpaceMb: positive,
    outputCapBytes: positive,
    outputKillBytes: positive,
    killGraceMs: count,
    cpuSeconds: positive.optional(),
    fileSizeBytes: count.optional(),
    measureCpu: z.boolean(),
  }),
  env: z.record(z.string(), z.string()),
});
export type RunJob = z.infer<typeof RunJobSchema>;

const ChildOutcomeSchema = z.object({
  exitCode: z.number().int().nullable(),
  signal: z.string().nullable(),
  durationMs: z.number().min(0),
  timedOut: z.boolean(),
  outputLimited: z.boolean(),
  stdout: z.string(),
  stdoutTail: z.string(),
  stderr: z.string(),
  stdoutBytes: count,
  stderrBytes: count,
  spawnError: z.string().nullable(),
  pid: z.number().int().nullable().optional(),
  cpuMs: z.number().nullable().optional(),
});

/** What a worker returns for a job: the run's outcome, and which worker ran it. */
export const RunReplySchema = z.object({
  outcome: ChildOutcomeSchema,
  worker: z.object({ id: z.string(), host: z.string() }),
});
export type RunReply = z.infer<typeof RunReplySchema>;

/** Runs that name files of this machine (a coverage run's report, a Node binary of its own) cannot run elsewhere. */
export function runsOnlyHere(opts: ChildRunOptions): boolean {
  return Boolean(opts.allowFsWrite || opts.nodePath);
}

/** The job for one run, from its options and its genome's source (read from opts.file by the caller). */
export function buildRunJob(opts: ChildRunOptions, source: string, organism: RunJob['organism']): RunJob {
  return RunJobSchema.parse({
    v: RUN_JOB_VERSION,
    organism,
    source,
    stdin: opts.stdin,
    limits: {
      timeLimitMs: opts.timeLimitMs,
      maxOldSpaceMb: opts.maxOldSpaceMb,
      outputCapBytes: opts.outputCapBytes,
      outputKillBytes: opts.outputKillBytes,
      killGraceMs: opts.killGraceMs,
      ...(opts.cpuSeconds !== undefined ? { cpuSeconds: opts.cpuSeconds } : {}),
      ...(opts.fileSizeBytes !== undefined ? { fileSizeBytes: opts.fileSizeBytes } : {}),
      measureCpu: opts.measureCpu ?? false,
    },
    env: { ...opts.env },
  });
}

/** Reads a job's data (a worker's side); the error says what is wrong in a person's words. */
export function parseRunJob(data: unknown): RunJob {
  const parsed = RunJobSchema.safeParse(data);
  if (parsed.success) return parsed.data;
  const v = (data as { v?: unknown } | null)?.v;
  if (v !== RUN_JOB_VERSION) {
    throw new Error(`the job is of version ${JSON.stringify(v)} and this worker reads version ${RUN_JOB_VERSION}: run the same Ouroboros version on the server and its workers`);
  }
  throw new Error(`the job is malformed: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`);
}

/** The run's options on the worker: its own file, directory and sandbox. */
export function runOptionsOf(job: RunJob, where: { file: string; cwd: string; sandbox: Sandbox | null; nice?: number; signal?: AbortSignal }): ChildRunOptions {
  const l = job.limits;
  return {
    file: where.file,
    cwd: where.cwd,
    stdin: job.stdin,
    timeLimitMs: l.timeLimitMs,
    maxOldSpaceMb: l.maxOldSpaceMb,
    outputCapBytes: l.outputCapBytes,
    outputKillBytes: l.outputKillBytes,
    killGraceMs: l.killGraceMs,
    sandbox: where.sandbox,
    ...(l.cpuSeconds !== undefined ? { cpuSeconds: l.cpuSeconds } : {}),
    ...(l.fileSizeBytes !== undefined ? { fileSizeBytes: l.fileSizeBytes } : {}),
    ...(l.measureCpu ? { measureCpu: true } : {}),
    ...(Object.keys(job.env).length > 0 ? { env: job.env } : {}),
    ...(where.nice ? { nice: where.nice } : {}),
    ...(where.signal ? { signal: where.signal } : {}),
  };
}

/**
 * A worker's reply as the server's outcome. The pid is dropped: it names a process of another machine, and the
 * server checks the pids it is given for leftovers on its own.
 */
export function outcomeOfReply(value: unknown): { outcome: ChildOutcome; worker: RunReply['worker'] } {
  const raw = typeof value === 'string' ? (JSON.parse(value) as unknown) : value;
  const reply = RunReplySchema.parse(raw);
  const { pid: _remotePid, ...outcome } = reply.outcome;
  return { outcome: { ...outcome, signal: outcome.signal as NodeJS.Signals | null, pid: null }, worker: reply.worker };
}

/**
 * The outcome of a run its caller aborted before a worker said what became of it: killed, as the embedded runner
 * kills an aborted run. The caller no longer wants its verdict.
 */
export function abortedOutcome(durationMs: number): ChildOutcome {
  return {
    exitCode: null,
    signal: 'SIGKILL',
    durationMs,
    timedOut: false,
    outputLimited: false,
    stdout: '',
    stdoutTail: '',
    stderr: '',
    stdoutBytes: 0,
    stderrBytes: 0,
    spawnError: null,
    pid: null,
  };
}

/** A worker's refusal of a job whose organism differs from its own folder: names the organism and both digests. */
export function versionMismatch(name: string, server: string, worker: string, where: string): string {
  return `organism "${name}" differs between the server and this worker (${where}): the server's manifest and harness hash to ${server}, the worker's to ${worker}; deploy the same organisms folder to both`;
}
