import { spawn } from 'node:child_process';
import { CappedBuffer } from '../lib/capped-buffer.js';

export interface ChildRunOptions {
  /** The script to run with this same Node binary. */
  file: string;
  cwd: string;
  stdin: string;
  timeLimitMs: number;
  maxOldSpaceMb: number;
  /** Bytes of stdout and of stderr kept; beyond that, output is counted and dropped. */
  outputCapBytes: number;
  /** Total output after which the run is killed: a flood is a failure, not a way to stall the watcher. */
  outputKillBytes: number;
  /** Time between SIGTERM and SIGKILL. */
  killGraceMs: number;
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
}

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

    const child = spawn(process.execPath, [`--max-old-space-size=${opts.maxOldSpaceMb}`, opts.file], {
      cwd: opts.cwd,
      // The organism gets nothing of the server's environment: no tokens, no keys, no NODE_OPTIONS.
      env: {},
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true,
    });

    const killGroup = (signal: NodeJS.Signals) => {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, signal);
      } catch {
        // ESRCH: the group is already gone.
      }
    };
    const terminate = () => {
      killGroup('SIGTERM');
      timers.push(setTimeout(() => killGroup('SIGKILL'), opts.killGraceMs));
    };

    timers.push(
      setTimeout(() => {
        timedOut = true;
        terminate();
      }, opts.timeLimitMs),
    );

    const onData = (buffer: CappedBuffer) => (chunk: Buffer) => {
      buffer.push(chunk);
      if (!outputLimited && stdout.total + stderr.total > opts.outputKillBytes) {
        outputLimited = true;
        terminate();
      }
    };
    child.stdout.on('data', onData(stdout));
    child.stderr.on('data', onData(stderr));
    // A genome that exits without reading its input makes our write fail with EPIPE; that is its problem.
    child.stdin.on('error', () => {});
    child.stdin.end(opts.stdin);

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
      child.removeAllListeners();
      child.stdout.removeAllListeners();
      child.stderr.removeAllListeners();
      const end = exited?.at ?? process.hrtime.bigint();
      resolve({
        exitCode: exited?.code ?? code,
        signal: exited?.signal ?? signal,
        durationMs: Number(end - started) / 1e6,
        timedOut,
        outputLimited,
        stdout: stdout.toString(),
        stdoutTail: stdout.tailText(),
        stderr: stderr.toString(),
        stdoutBytes: stdout.total,
        stderrBytes: stderr.total,
        spawnError,
      });
    });
  });
}
