import path from 'node:path';
import type { RunOutcome, Verdict } from '../domain.js';
import { createRng } from '../lib/rng.js';
import type { Harness, Organism } from '../organism/manifest.js';
import { runRlimits } from '../sandbox/command.js';
import type { Sandbox } from '../sandbox/types.js';
import { organismNice, processRunner, standbyRuns } from '../runner/process-runner.js';
import type { ChildOutcome } from './child-process.js';
import { classify, type Classification } from './verdict.js';

export interface RunLimits {
  outputCapBytes: number;
  killGraceMs: number;
  /**
   * The sandbox every run of the server goes through: live runs, heal trials and LLM-written candidates alike
   * (detected once at start, see src/sandbox). Without it, only the layers that are always on.
   */
  sandbox?: Sandbox | null;
  /** The organism's Node binary (default: the sandbox's, else this server's). */
  nodePath?: string;
  /** CPU-time limit in seconds for the sandbox's rlimits layer. */
  cpuSeconds?: number;
  /** Kills the run when aborted (its verdict is then meaningless: the caller no longer wants it). */
  signal?: AbortSignal;
  /** Measure the run's CPU time (GenomeRunResult.cpuMs). */
  measureCpu?: boolean;
  /** The run's environment (default: empty) and file-size limit (default 0): a coverage run's, see healing/search. */
  env?: Readonly<Record<string, string>>;
  fileSizeBytes?: number;
  /** The one file the permission model lets the run write (a coverage run's report); none by default. */
  allowFsWrite?: string;
  /**
   * The file is a scratch copy in a directory the server sweeps at start (DATA_DIR/organisms/<name>/run): its spawner
   * may keep a standby beside it for the next run of the same shape (STANDBY_RUNS). Never for a file elsewhere, such
   * as an organism's own folder, where a server killed meanwhile would leave the standby's files behind.
   */
  standby?: boolean;
}

export interface GenomeRunResult extends RunOutcome {
  /** User + system CPU time of the run (ms) when `measureCpu` asked for it; null when the run did not report it. */
  cpuMs?: number | null;
  /** The run's process group id (its first process), to check that nothing of it is left. */
  pid?: number | null;
  /** Progress lines the organism printed before its answer line (bounded). */
  progress: string[];
  stderr: string;
  input: unknown;
}

const MAX_PROGRESS_LINES = 20;

/** Total output after which a run is killed: a flood is a failure, not a way to stall the watcher. */
export function outputKillBytesOf(limits: Pick<RunLimits, 'outputCapBytes'>): number {
  return limits.outputCapBytes * 64;
}
const MAX_LINE_CHARS = 500;

/** Runs one genome file once on the input made from `seed`, and judges it with the organism's oracle. */
export function runGenome(organism: Organism, file: string, seed: number, limits: RunLimits): Promise<GenomeRunResult> {
  return runGenomeOn(organism, file, organism.harness.generateInput(createRng(seed), organism.manifest.input), limits, seed);
}

/**
 * Runs one genome file once on a given input (a verification case, a counterexample) and judges it with the organism's
 * oracle, or with `judge` (the same oracle remembering its verdicts). `seed` is only recorded: the seed the input was
 * made from, 0 when it was not made from one.
 */
export async function runGenomeOn(
  organism: Organism,
  file: string,
  input: unknown,
  limits: RunLimits,
  seed = 0,
  judge: Harness['judge'] = organism.harness.judge,
): Promise<GenomeRunResult> {
  const startedAt = new Date().toISOString();
  const outputKillBytes = outputKillBytesOf(limits);
  // Through the process's runner (a spawner process by default): the server's event loop never forks for a run.
  const outcome = await processRunner().run({
    file,
    cwd: path.dirname(file),
    stdin: JSON.stringify(input),
    timeLimitMs: organism.manifest.timeLimitMs,
    maxOldSpaceMb: organism.manifest.maxOldSpaceMb,
    outputCapBytes: limits.outputCapBytes,
    outputKillBytes,
    killGraceMs: limits.killGraceMs,
    ...(limits.sandbox ? { sandbox: limits.sandbox } : {}),
    ...(limits.nodePath ? { nodePath: limits.nodePath } : {}),
    ...(limits.cpuSeconds !== undefined ? { cpuSeconds: limits.cpuSeconds } : {}),
    ...(limits.signal ? { signal: limits.signal } : {}),
    ...(limits.measureCpu ? { measureCpu: true } : {}),
    ...(limits.env ? { env: limits.env } : {}),
    ...(limits.fileSizeBytes !== undefined ? { fileSizeBytes: limits.fileSizeBytes } : {}),
    ...(limits.allowFsWrite ? { allowFsWrite: limits.allowFsWrite } : {}),
    ...(organismNice() ? { nice: organismNice() } : {}),
    // Not for a measurement (its CPU report's key makes each command line new) nor a run that writes a file of its own.
    ...(limits.standby && standbyRuns() && !limits.measureCpu && !limits.allowFsWrite ? { standby: true } : {}),
    organism: organism.name,
  });
  return judgeRun(organism, input, outcome, limits, { seed, startedAt, judge });
}

/**
 * Judges what one run of a genome on `input` did with the organism's oracle (or `judge`), naming the sandbox's layer
 * that stopped it: a process's outcome (runGenomeOn), or a worker's in a batch proof (src/runner/batch).
 */
export function judgeRun(
  organism: Organism,
  input: unknown,
  outcome: ChildOutcome,
  limits: Pick<RunLimits, 'outputCapBytes' | 'sandbox' | 'cpuSeconds' | 'measureCpu'>,
  o: { seed: number; startedAt: string; judge?: Harness['judge'] },
): GenomeRunResult {
  const { seed, startedAt, judge = organism.harness.judge } = o;
  const outputKillBytes = outputKillBytesOf(limits);
  const classified = classify(
    outcome,
    { timeLimitMs: organism.manifest.timeLimitMs, slowMs: organism.manifest.slowMs, outputKillBytes },
    (answer) => judge(input, answer),
  );
  const { verdict, error } = limits.sandbox
    ? explainSandbox(classified, outcome, limits.sandbox, {
        maxOldSpaceMb: organism.manifest.maxOldSpaceMb,
        timeLimitMs: organism.manifest.timeLimitMs,
        ...(limits.cpuSeconds !== undefined ? { cpuSeconds: limits.cpuSeconds } : {}),
      })
    : classified;
  return {
    seed,
    startedAt,
    durationMs: Math.round(outcome.durationMs * 100) / 100,
    ...(limits.measureCpu ? { cpuMs: outcome.cpuMs ?? null } : {}),
    exitCode: outcome.exitCode,
    signal: outcome.signal,
    pid: outcome.pid ?? null,
    verdict,
    error,
    progress: progressLines(outcome),
    stderr: outcome.stderr,
    input,
  };
}

function progressLines(outcome: ChildOutcome): string[] {
  const lines = outcome.stdout.split('\n').filter((l) => l.trim() !== '');
  // The last line is the answer, not progress (when the run got that far).
  if (outcome.exitCode === 0) lines.pop();
  return lines
    .slice(0, MAX_PROGRESS_LINES)
    .map((l) => (l.length > MAX_LINE_CHARS ? `${l.slice(0, MAX_LINE_CHARS)}…` : l));
}

/**
 * When the sandbox stopped the run, the verdict says which layer did: the organism's own error message names the
 * symptom (ERR_ACCESS_DENIED, EACCES, ENETUNREACH, a signal), this names the defence.
 */
export function explainSandbox(
  c: Classification,
  outcome: ChildOutcome,
  sandbox: Sandbox,
  run: { maxOldSpaceMb: number; timeLimitMs: number; cpuSeconds?: number },
): Classification {
  if (c.error === null || c.verdict === 'hung') return c;
  const err = outcome.stderr;
  // Out of address space, V8 says "process out of memory" (not a heap marker), and as PID 1 of a namespace
  // its abort ends in SIGSEGV: still an oom.
  const fatal = /^FATAL ERROR: .*(?:out of memory|Allocation failed).*$/m.exec(err)?.[0];
  if (c.verdict === 'crashed' && fatal && !outcome.outputLimited) c = { verdict: 'oom', error: fatal.trim() };
  // Newer Nodes print an error with a cause as "[TypeError: fetch failed] {" and end with "}", and a failed
  // allocation's first telling line is "code: ...": name the error itself instead.
  const primary = c.error!.replace(/; exit code \d+$/, '');
  if (/^(?:[^A-Za-z]*|code: .*)$/.test(primary)) {
    const named = err
      .split('\n')
      .map((l) => l.trim().replace(/^\[((?:[A-Z][A-Za-z]*)?Error\b[^\]]*)\](?: \{)?$/, '$1'))
      .find((l) => /^(?:[A-Z][A-Za-z]*)?Error\b(?: \[[A-Z_0-9]+\])?: /.test(l));
    if (named) c = { verdict: c.verdict, error: named + c.error!.slice(primary.length) };
  }
  const limits = sandbox.rlimits ? runRlimits(sandbox, { file: '', ...run }) : null;
  const line = (code: string) =>
    err
      .split('\n')
      .map((l) => l.trim().replace(/^\[cause\]: /, ''))
      .find((l) => new RegExp(`\\b${code}\\b`).test(l) && !/^(code|errno|syscall):/.test(l));
  const also = (detail: string) => (c.error!.includes(detail) ? '' : ` (${detail})`);
  let why: string | null = null;
  let code: string | undefined;
  if (/ERR_ACCESS_DENIED/.test(err) && sandbox.permissionFlag) {
    const permission = /permission: '([A-Za-z]+)'/.exec(err)?.[1];
    const resource = /resource: '([^']*)'/.exec(err)?.[1];
    why = `the permission model denied ${permission ?? 'it'}${resource ? ` on ${resource}` : ''}`;
  } else if ((code = /\b(EACCES|EPERM)\b/.exec(err)?.[1]) && sandbox.uid) {
    why = `it runs as uid ${sandbox.uid.uid}, which may not do that${also(line(code) ?? code)}`;
  } else if (/\bESRCH\b/.test(err) && sandbox.namespaces?.pid) {
    why = `its PID namespace holds no other process${also(line('ESRCH') ?? 'ESRCH')}`;
  } else if ((code = /\b(ENETUNREACH|ECONNREFUSED|EAI_AGAIN|ENOTFOUND|EADDRNOTAVAIL)\b/.exec(err)?.[1]) && sandbox.namespaces?.net) {
    why = `its network namespace has no network${also(line(code) ?? code)}`;
  } else if (outcome.signal === 'SIGXCPU' || (outcome.signal === 'SIGKILL' && !outcome.timedOut && !outcome.outputLimited && limits)) {
    why = `killed by the CPU-time limit of ${limits?.cpuSeconds ?? '?'} s (or by the system)`;
  } else if ((outcome.signal === 'SIGXFSZ' || /\bEFBIG\b/.test(err)) && limits) {
    why = 'the file-size limit is 0 bytes';
  } else if (c.verdict === 'oom' && limits && /Array buffer allocation failed|ERR_MEMORY_ALLOCATION_FAILED|Cannot allocate memory|std::bad_alloc|process out of memory|NewBackingStore/.test(err)) {
    why = `the address-space limit is ${limits.addressSpaceMb} MB`;
  } else if (c.verdict === 'oom') {
    why = `the heap limit is ${run.maxOldSpaceMb} MB`;
  }
  return why ? { verdict: c.verdict, error: `${c.error} [sandbox: ${why}]` } : c;
}
