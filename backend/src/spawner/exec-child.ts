import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import os from 'node:os';
import { StringDecoder } from 'node:string_decoder';
import { CappedBuffer } from '../lib/capped-buffer.js';
import { killGroup } from '../lib/process-group.js';
import { procStat, removePidfile, writePidfile } from '../sandbox/pidfile.js';
import { sandboxStdio } from '../sandbox/fds.js';
import type { ExecResult, ExecSpec, ExecStarted } from './exec-spec.js';

/** coreutils' `nice`, where there is one (Debian and the Docker image have it). */
const NICE = ['/usr/bin/nice', '/bin/nice'].find((f) => existsSync(f)) ?? null;

/**
 * The command line that starts the run at its niceness: `nice -n K` before it (it execs in place: same pid, same
 * group). `nice` adds to the caller's own niceness; ORGANISM_NICE is absolute, so K is the difference.
 */
function niced(spec: ExecSpec): [string, string[]] {
  const by = spec.nice && NICE ? spec.nice - os.getPriority() : 0;
  return by > 0 ? [NICE!, ['-n', String(by), spec.command, ...spec.args]] : [spec.command, [...spec.args]];
}

export interface ExecHooks {
  signal?: AbortSignal;
  onStarted?: (s: ExecStarted) => void;
  /**
   * A session (a warm batch host, src/runner/batch/warm-host.ts): stdin stays open for `attach`'s writer after
   * spec.stdin, and stdout goes to `onStdout` as it comes instead of into the result, so that a process that lives
   * for many requests is not killed by the output cap of all its answers together. stderr is capped as a run's. The
   * text is decoded here, so that a character split across two chunks arrives whole.
   */
  session?: { onStdout: (text: string) => void; attach: (stdin: { write: (text: string) => void; end: () => void }) => void };
  /**
   * A standby (standby.ts): the process starts now and waits; its run begins when `hold` gives the stdin to write,
   * and only then do the time limit and the duration start counting. Null instead: it is killed unused.
   */
  hold?: Promise<string | null>;
}

/**
 * Runs one command line and owns its process until it is gone: its own process group (so children it spawns die
 * with it), bounded capture, SIGTERM then SIGKILL at the time limit, SIGKILL on a flood or an abort, and no listener
 * left behind. The spawner process calls it for every run; the server only with SPAWNERS=0.
 */
export function execChild(spec: ExecSpec, hooks: ExecHooks = {}): Promise<ExecResult> {
  return new Promise((resolve) => {
    let started = process.hrtime.bigint();
    const stdout = new CappedBuffer(spec.outputCapBytes);
    const stderr = new CappedBuffer(spec.outputCapBytes);
    let timedOut = false;
    let outputLimited = false;
    let spawnError: string | null = null;
    let exited: { code: number | null; signal: NodeJS.Signals | null; at: bigint } | null = null;
    const timers: NodeJS.Timeout[] = [];
    const { signal } = hooks;

    // The niceness is set by `nice` in the child itself, before the sandbox's wrappers exec and fork the organism (they
    // inherit it): the server and the API keep their share of the cores when organisms fill them. Setting it from
    // here after the spawn raced those wrappers: on a loaded machine `unshare --fork` had often forked the organism
    // before it, and a third of the organism processes ran at niceness 0.
    const [command, args] = niced(spec);
    const child = spawn(command, args, {
      cwd: spec.cwd,
      // The organism gets nothing of its parent's environment: no tokens, no keys, no NODE_OPTIONS.
      env: { ...spec.env },
      // Three pipes, and /dev/null over any descriptor of the parent's that is not close-on-exec.
      stdio: sandboxStdio(),
      detached: true,
    });
    // Without a `nice` program: at once, and it may come too late for the organism's own process (see above).
    if (spec.nice && !NICE && child.pid !== undefined) {
      try {
        os.setPriority(child.pid, spec.nice);
      } catch {
        // the run already ended; its result says how
      }
    }
    const pidfile = spec.pidfile && child.pid !== undefined ? writePidfile(spec.pidfile.dir, child.pid, spec.pidfile.file, spec.pidfile.lifetimeMs) : null;
    if (child.pid !== undefined) hooks.onStarted?.({ pid: child.pid, start: procStat(child.pid)?.start ?? null });
    const childStdout = child.stdout!;
    const childStderr = child.stderr!;
    const childStdin = child.stdin!;

    const signalGroup = (sig: NodeJS.Signals) => {
      if (child.pid !== undefined) killGroup(child.pid, sig);
    };
    const terminate = () => {
      // As PID 1 of its namespace the organism gets SIGTERM only if it handles it, and unshare blocks it while it
      // waits: the grace would only delay the verdict of every hang. A hung one-shot run has nothing to save.
      if (spec.killAtOnce) return signalGroup('SIGKILL');
      signalGroup('SIGTERM');
      timers.push(setTimeout(() => signalGroup('SIGKILL'), spec.killGraceMs));
    };

    const abort = () => signalGroup('SIGKILL');
    const begin = () => {
      timers.push(
        setTimeout(() => {
          timedOut = true;
          terminate();
        }, spec.timeLimitMs),
      );
      if (signal?.aborted) abort();
      else signal?.addEventListener('abort', abort, { once: true });
    };

    const onData = (buffer: CappedBuffer) => (chunk: Buffer) => {
      buffer.push(chunk);
      if (!outputLimited && stdout.total + stderr.total > spec.outputKillBytes) {
        outputLimited = true;
        // No grace for a flood: every moment it keeps printing costs its parent (and, as PID 1 of a namespace,
        // it would not even get SIGTERM).
        signalGroup('SIGKILL');
      }
    };
    const session = hooks.session;
    if (session) {
      const decoder = new StringDecoder('utf8');
      childStdout.on('data', (chunk: Buffer) => {
        const text = decoder.write(chunk);
        if (text) session.onStdout(text);
      });
    } else childStdout.on('data', onData(stdout));
    childStderr.on('data', onData(stderr));
    // A genome that exits without reading its input makes our write fail with EPIPE; that is its problem.
    childStdin.on('error', () => {});
    if (hooks.hold) {
      // Nothing is written and nothing counts until the run is given; a standby never given one is killed.
      void hooks.hold.then((stdin) => {
        if (stdin === null) return signalGroup('SIGKILL');
        started = process.hrtime.bigint();
        begin();
        childStdin.end(stdin);
      });
    } else {
      begin();
      if (session) {
        if (spec.stdin) childStdin.write(spec.stdin);
        session.attach({ write: (text) => void (childStdin.writable && childStdin.write(text)), end: () => void childStdin.end() });
      } else childStdin.end(spec.stdin);
    }

    child.on('error', (err) => {
      spawnError = err.message;
    });
    child.on('exit', (code, sig) => {
      exited = { code, signal: sig, at: process.hrtime.bigint() };
      // Whatever the organism started is in its group; nothing of it may outlive the run.
      signalGroup('SIGKILL');
    });
    child.on('close', (code: number | null, sig: NodeJS.Signals | null) => {
      for (const t of timers) clearTimeout(t);
      signal?.removeEventListener('abort', abort);
      // The group was SIGKILLed at exit: nothing is left for the next start to find.
      removePidfile(pidfile);
      child.removeAllListeners();
      childStdout.removeAllListeners();
      childStderr.removeAllListeners();
      const end = exited?.at ?? process.hrtime.bigint();
      resolve({
        exitCode: exited?.code ?? code,
        signal: exited?.signal ?? sig,
        durationMs: Number(end - started) / 1e6,
        timedOut,
        outputLimited,
        stdout: stdout.toString(),
        stdoutTail: stdout.tailText(),
        stderr: stderr.toString(),
        stdoutBytes: stdout.total,
        stderrBytes: stderr.total,
        spawnError,
        pid: child.pid ?? null,
      });
    });
  });
}
