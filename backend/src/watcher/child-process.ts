import { prepareRunFile } from '../sandbox/prepare.js';
import { sandboxCommand } from '../sandbox/command.js';
import type { Sandbox } from '../sandbox/types.js';
import { execChild } from '../spawner/exec-child.js';
import type { ExecResult, ExecSpec } from '../spawner/exec-spec.js';
import { cpuReport } from './cpu-report.js';

export interface ChildRunOptions {
  /** The script to run (with this same Node binary unless `nodePath` or the sandbox names another). */
  file: string;
  cwd: string;
  stdin: string;
  timeLimitMs: number;
  maxOldSpaceMb: number;
  /** Bytes of stdout and of stderr kept; beyond that, output is counted and dropped. */
  outputCapBytes: number;
  /** Total output after which the run is killed: a flood is a failure, not a way to stall the watcher. */
  outputKillBytes: number;
  /** Time between SIGTERM and SIGKILL (none in a PID namespace, where SIGKILL comes at once). */
  killGraceMs: number;
  /** The organism's Node binary: by default the sandbox's (ORGANISM_NODE), else this server's. */
  nodePath?: string;
  /**
   * The layered sandbox from detectSandbox() (src/sandbox). Without one a run has only the layers that are
   * always on: an empty environment, pipes and no other inherited descriptor, its own process group, the heap
   * limit, the wall-time limit and the output cap.
   */
  sandbox?: Sandbox | null;
  /** The CPU-time limit of the sandbox's rlimits layer, in seconds (default: twice the time limit plus one). */
  cpuSeconds?: number;
  /** Kills the run's whole group at once: a verification that already failed needs no more answers. */
  signal?: AbortSignal;
  /** Have the run report its CPU time (cpu-report.ts): evolution's measurements, which load must not sway. */
  measureCpu?: boolean;
  /** The organism's whole environment (default: empty); a coverage run's report file. */
  env?: Readonly<Record<string, string>>;
  /** The sandbox's file-size limit for this run (default 0). */
  fileSizeBytes?: number;
  /** The one file the permission model lets the run write (default: none). */
  allowFsWrite?: string;
  /** More files the permission model lets the run read, and worker threads it may start (a batch host's, src/runner/batch). */
  allowFsRead?: readonly string[];
  workers?: number;
  /** CPU niceness of the run (default 0: the same priority as whoever starts it). */
  nice?: number;
  /** The organism the genome belongs to: a runner on other machines checks that they hold the same one (src/runner/queue). */
  organism?: string;
  /**
   * A run whose shape comes again (a genome's run on one input): the spawner may give it a process started ahead of
   * it, and keeps one ready for the next (STANDBY_RUNS, src/spawner/standby.ts).
   */
  standby?: boolean;
}

/** What one organism process did: what its spawner reports, and the CPU time the run's wrapper measured. */
export interface ChildOutcome extends Omit<ExecResult, 'pid'> {
  /** The run's process group (its first process); null when it could not start. */
  pid?: number | null;
  /** User + system CPU time of the organism's process (ms), when measureCpu asked for it and the run reported it. */
  cpuMs?: number | null;
}

const UNSHARE_SIGKILL = /^unshare: sigprocmask unblock failed: Invalid argument\n?$/m;

/** One run made ready: the command line the sandbox built, and how to read what it did. */
export interface ChildPlan {
  exec: ExecSpec;
  /** Turns what the command did into the organism's outcome (the sandbox's wrappers and the CPU report taken out). */
  finish(result: ExecResult): ChildOutcome;
}

/**
 * Prepares one organism run: the run file made readable for the sandbox's uid, the command line of every layer,
 * the CPU report's key. Nothing is started: a Runner (src/runner) executes the plan where it likes.
 */
export function planChild(opts: ChildRunOptions): ChildPlan {
  const sandbox = opts.sandbox ?? null;
  if (sandbox) prepareRunFile(sandbox, opts.file);
  const cpu = opts.measureCpu ? cpuReport() : null;
  const { command, args } = sandboxCommand(sandbox, opts.nodePath ?? sandbox?.nodePath ?? process.execPath, {
    file: opts.file,
    maxOldSpaceMb: opts.maxOldSpaceMb,
    timeLimitMs: opts.timeLimitMs,
    ...(opts.cpuSeconds !== undefined ? { cpuSeconds: opts.cpuSeconds } : {}),
    ...(cpu ? { nodeArgs: cpu.nodeArgs } : {}),
    ...(opts.fileSizeBytes !== undefined ? { fileSizeBytes: opts.fileSizeBytes } : {}),
    ...(opts.allowFsWrite ? { allowFsWrite: opts.allowFsWrite } : {}),
    ...(opts.allowFsRead ? { allowFsRead: opts.allowFsRead } : {}),
    ...(opts.workers ? { workers: opts.workers } : {}),
  });
  const exec: ExecSpec = {
    command,
    args,
    cwd: opts.cwd,
    env: { ...opts.env },
    stdin: opts.stdin,
    timeLimitMs: opts.timeLimitMs,
    killGraceMs: opts.killGraceMs,
    killAtOnce: Boolean(sandbox?.namespaces?.pid),
    ...(opts.nice ? { nice: opts.nice } : {}),
    outputCapBytes: opts.outputCapBytes,
    outputKillBytes: opts.outputKillBytes,
    pidfile: sandbox?.pidDir ? { dir: sandbox.pidDir, file: opts.file, lifetimeMs: opts.timeLimitMs + opts.killGraceMs * 2 } : null,
    file: opts.file,
    ...(opts.standby ? { standby: true } : {}),
  };
  return {
    exec,
    finish(r) {
      let exitCode = r.exitCode;
      let exitSignal = r.signal;
      let stderrText = r.stderr;
      // unshare (util-linux 2.38) cannot re-raise SIGKILL on itself when its child died of it: it says so and
      // exits 1. That is a death by SIGKILL (the CPU-time limit, the kernel's OOM killer), not the genome's exit.
      if (sandbox?.namespaces?.pid && exitCode === 1 && UNSHARE_SIGKILL.test(stderrText)) {
        exitCode = null;
        exitSignal = 'SIGKILL';
        stderrText = stderrText.replace(UNSHARE_SIGKILL, '');
      }
      const reported = cpu?.read(stderrText) ?? null;
      if (reported) stderrText = reported.stderr;
      return {
        ...r,
        exitCode,
        signal: exitSignal,
        stderr: stderrText,
        ...(reported ? { cpuMs: reported.cpuMs } : {}),
      };
    },
  };
}

/**
 * Runs one organism process in this process and owns it until it is gone (execChild). The server's runs go
 * through its Runner (src/runner), which does this in a spawner process; this is the in-process path
 * (SPAWNERS=0, the spawner itself's building block).
 */
export async function runChild(opts: ChildRunOptions): Promise<ChildOutcome> {
  const plan = planChild(opts);
  return plan.finish(await execChild(plan.exec, opts.signal ? { signal: opts.signal } : {}));
}
