import { spawn } from 'node:child_process';
import { CappedBuffer } from '../lib/capped-buffer.js';
import { prepareRunFile } from '../sandbox/prepare.js';
import { removePidfile, writePidfile } from '../sandbox/pidfile.js';
import { sandboxCommand } from '../sandbox/command.js';
import { sandboxStdio } from '../sandbox/fds.js';
import type { Sandbox } from '../sandbox/types.js';
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
}

export interface ChildOutcome {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  durationMs: number;
  timedOut: boolean;
  outputLimited: boolean;
  stdout: string;
  /** The last kept bytes of stdout, where the answer line is. */
  stdoutTail: string;
  stderr: string;
  stdoutBytes: number;
  stderrBytes: number;
  spawnError: string | null;
  /** The run's process group (its first process); null when it could not start. */
  pid?: number | null;
  /** User + system CPU time of the organism's process (ms), when measureCpu asked for it and the run reported it. */
  cpuMs?: number | null;
}

const UNSHARE_SIGKILL = /^unshare: sigprocmask unblock failed: Invalid argument\n?$/m;

/**
 * Runs one organism process and owns it until it is gone: its own process group (so children it spawns die
 * with it), bounded capture, SIGTERM then SIGKILL at the time limit, and no listener left behind.
 */
export function runChild(opts: ChildRunOptions): Promise<ChildOutcome> {
  return new Promise((resolve) => {
    const started = process.hrtime.bigint();
    const stdout = new CappedBuffer(opts.outputCapBytes);
    const stderr = new CappedBuffer(opts.outputCapBytes);
    let timedOut = false;
    let outputLimited = false;
    let spawnError: string | null = null;
    let exited: { code: number | null; signal: NodeJS.Signals | null; at: bigint } | null = null;
    const timers: NodeJS.Timeout[] = [];

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
    });
    const child = spawn(command, args, {
      cwd: opts.cwd,
      // The organism gets nothing of the server's environment: no tokens, no keys, no NODE_OPTIONS.
      env: { ...opts.env },
      // Three pipes, and /dev/null over any descriptor of the server's that is not close-on-exec.
      stdio: sandboxStdio(),
      detached: true,
    });
    const pidfile =
      sandbox?.pidDir && child.pid !== undefined
        ? writePidfile(sandbox.pidDir, child.pid, opts.file, opts.timeLimitMs + opts.killGraceMs * 2)
        : null;
    const childStdout = child.stdout!;
    const childStderr = child.stderr!;
    const childStdin = child.stdin!;

    const killGroup = (signal: NodeJS.Signals) => {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, signal);
      } catch {
        // ESRCH: the group is already gone.
      }
    };
    const terminate = () => {
      // As PID 1 of its namespace the organism gets SIGTERM only if it handles it, and unshare blocks it while it
      // waits: the grace would only delay the verdict of every hang. A hung one-shot run has nothing to save.
      if (sandbox?.namespaces?.pid) return killGroup('SIGKILL');
      killGroup('SIGTERM');
      timers.push(setTimeout(() => killGroup('SIGKILL'), opts.killGraceMs));
    };

    timers.push(
      setTimeout(() => {
        timedOut = true;
        terminate();
      }, opts.timeLimitMs),
    );
    const abort = () => killGroup('SIGKILL');
    if (opts.signal?.aborted) abort();
    else opts.signal?.addEventListener('abort', abort, { once: true });

    const onData = (buffer: CappedBuffer) => (chunk: Buffer) => {
      buffer.push(chunk);
      if (!outputLimited && stdout.total + stderr.total > opts.outputKillBytes) {
        outputLimited = true;
        // No grace for a flood: every moment it keeps printing costs the watcher (and, as PID 1 of a namespace,
        // it would not even get SIGTERM).
        killGroup('SIGKILL');
      }
    };
    childStdout.on('data', onData(stdout));
    childStderr.on('data', onData(stderr));
    // A genome that exits without reading its input makes our write fail with EPIPE; that is its problem.
    childStdin.on('error', () => {});
    childStdin.end(opts.stdin);

    child.on('error', (err) => {
      spawnError = err.message;
    });
    child.on('exit', (code, signal) => {
      exited = { code, signal, at: process.hrtime.bigint() };
      // Whatever the organism started is in its group; nothing of it may outlive the run.
      killGroup('SIGKILL');
    });
    child.on('close', (code: number | null, signal: NodeJS.Signals | null) => {
      for (const t of timers) clearTimeout(t);
      opts.signal?.removeEventListener('abort', abort);
      // The group was SIGKILLed at exit: nothing is left for the next start to find.
      removePidfile(pidfile);
      child.removeAllListeners();
      childStdout.removeAllListeners();
      childStderr.removeAllListeners();
      const end = exited?.at ?? process.hrtime.bigint();
      let exitCode = exited?.code ?? code;
      let exitSignal = exited?.signal ?? signal;
      let stderrText = stderr.toString();
      // unshare (util-linux 2.38) cannot re-raise SIGKILL on itself when its child died of it: it says so and
      // exits 1. That is a death by SIGKILL (the CPU-time limit, the kernel's OOM killer), not the genome's exit.
      if (sandbox?.namespaces?.pid && exitCode === 1 && UNSHARE_SIGKILL.test(stderrText)) {
        exitCode = null;
        exitSignal = 'SIGKILL';
        stderrText = stderrText.replace(UNSHARE_SIGKILL, '');
      }
      const reported = cpu?.read(stderrText) ?? null;
      if (reported) stderrText = reported.stderr;
      resolve({
        exitCode,
        signal: exitSignal,
        durationMs: Number(end - started) / 1e6,
        timedOut,
        outputLimited,
        stdout: stdout.toString(),
        stdoutTail: stdout.tailText(),
        stderr: stderrText,
        stdoutBytes: stdout.total,
        stderrBytes: stderr.total,
        spawnError,
        pid: child.pid ?? null,
        ...(reported ? { cpuMs: reported.cpuMs } : {}),
      });
    });
  });
}
