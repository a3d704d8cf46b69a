import { fork, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { killGroup } from '../lib/process-group.js';
import { RunnerFault } from '../runner/runner.js';
import { sandboxStdio } from '../sandbox/fds.js';
import { killRunLeftovers, removePidfile } from '../sandbox/pidfile.js';
import type { ExecResult, ExecSpec, ExecStarted } from './exec-spec.js';
import type { FromSpawner, ToSpawner } from './protocol.js';

/** How to start the spawner: its entry file and node's flags for it. */
export interface SpawnerEntry {
  modulePath: string;
  execArgv: string[];
}

/**
 * The spawner's entry beside this file: main.ts through tsx when the server runs from source (development, tests),
 * dist/spawner/main.js with the server's own module conditions in production.
 */
export function spawnerEntry(): SpawnerEntry {
  const fromSource = import.meta.url.endsWith('.ts');
  const modulePath = fileURLToPath(new URL(fromSource ? './main.ts' : './main.js', import.meta.url));
  if (fromSource) {
    const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
    return { modulePath, execArgv: ['--import', tsx] };
  }
  return { modulePath, execArgv: process.execArgv.filter((a) => a.startsWith('--conditions') || a === '--enable-source-maps') };
}

/** Beyond its time limit and kill grace, how long a run may wait for its result before its spawner counts as stuck. */
const STUCK_MARGIN_MS = 30_000;

interface InFlight {
  spec: ExecSpec;
  resolve: (r: ExecResult) => void;
  reject: (err: Error) => void;
  started: ExecStarted | null;
  watchdog: NodeJS.Timeout;
  cleanup: () => void;
  /** A session's stdout reader. */
  onStdout: ((text: string) => void) | null;
}

/** A session on a spawner: its stdin, and its end. */
export interface SpawnerSession {
  write(text: string): void;
  /** Closes its stdin (a warm host then exits). */
  end(): void;
  done: Promise<ExecResult>;
}

/**
 * One spawner process, seen from the server: forks it once, sends it runs, relays kills, and when it dies reports
 * its runs in flight as RunnerFaults after killing what is left of them. Its IPC channel does not keep the server's
 * process alive while no run is in flight.
 */
export class SpawnerProcess {
  private readonly child: ChildProcess;
  private ready = false;
  private readonly queue: ToSpawner[] = [];
  private readonly inFlight = new Map<number, InFlight>();
  private nextId = 1;
  private gone = false;
  private closing = false;
  /** Resolves when the process has exited. */
  readonly exited: Promise<void>;
  /** Resolves when the spawner can take runs, or when it died before it could (its runs then fail as usual). */
  readonly started: Promise<void>;
  private markStarted!: () => void;

  constructor(entry: SpawnerEntry = spawnerEntry()) {
    // Nothing of the server's environment (tokens, keys) and none of the descriptors it inherited without
    // close-on-exec: the spawner holds only what it needs to start runs.
    const stdio = sandboxStdio().map((s, fd) => (fd === 0 ? 'ignore' : fd < 3 ? 'inherit' : s));
    this.child = fork(entry.modulePath, [], { execArgv: entry.execArgv, env: {}, stdio: [...stdio, 'ipc'], serialization: 'json' });
    this.exited = new Promise((resolve) => this.child.once('exit', () => resolve()));
    this.started = new Promise((resolve) => (this.markStarted = resolve));
    this.child.on('message', (m: FromSpawner) => this.onMessage(m));
    this.child.once('exit', (code, signal) => this.onExit(signal ? `killed by ${signal}` : `exited with code ${code}`));
    this.child.on('error', (err) => {
      // A fork that failed (EAGAIN, ENOMEM) emits no exit.
      if (this.child.pid === undefined) this.onExit(`could not start: ${err.message}`);
    });
    this.holdProcess(true);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Runs in flight. */
  get load(): number {
    let n = 0;
    for (const r of this.inFlight.values()) if (!r.onStdout) n++;
    return n;
  }

  /** Whether it can take runs: not dead, not closing. */
  get alive(): boolean {
    return !this.gone && !this.closing;
  }

  run(spec: ExecSpec, signal?: AbortSignal): Promise<ExecResult> {
    return this.start(spec, signal, null).done;
  }

  /**
   * Starts a session (a warm batch host): `write` reaches its stdin while it lives, its stdout comes to `onStdout`,
   * and `done` resolves with what it did once it has ended (its stdin closed, its time limit, a kill).
   */
  open(spec: ExecSpec, onStdout: (text: string) => void, signal?: AbortSignal): SpawnerSession {
    return this.start(spec, signal, onStdout);
  }

  private start(spec: ExecSpec, signal: AbortSignal | undefined, onStdout: ((text: string) => void) | null): SpawnerSession {
    if (!this.alive) {
      const done = Promise.reject(new RunnerFault(`the spawner (pid ${this.pid ?? '?'}) is not running`));
      return { done, write: () => {}, end: () => {} };
    }
    const id = this.nextId++;
    const done = new Promise<ExecResult>((resolve, reject) => {
      const kill = () => this.send({ type: 'kill', id });
      const watchdog = setTimeout(() => {
        // A spawner whose run is this late is wedged: kill it, and every run it holds fails as the runner's fault.
        this.child.kill('SIGKILL');
      }, spec.timeLimitMs + 2 * spec.killGraceMs + STUCK_MARGIN_MS);
      watchdog.unref();
      const cleanup = () => {
        clearTimeout(watchdog);
        signal?.removeEventListener('abort', kill);
      };
      this.inFlight.set(id, { spec, resolve, reject, started: null, watchdog, cleanup, onStdout });
      // A session (a warm host idling between requests) does not keep the server alive; a run does.
      if (!onStdout) this.holdProcess(true);
      this.send({ type: onStdout ? 'open' : 'run', id, spec });
      if (signal?.aborted) kill();
      else signal?.addEventListener('abort', kill, { once: true });
    });
    return {
      done,
      write: (data) => {
        if (this.inFlight.has(id)) this.send({ type: 'write', id, data });
      },
      end: () => {
        if (this.inFlight.has(id)) this.send({ type: 'end', id });
      },
    };
  }

  /** Fails the runs in flight, has the spawner kill them and exit, and waits for it (SIGKILL after a grace). */
  async close(graceMs = 2000): Promise<void> {
    if (this.gone) return;
    this.closing = true;
    this.failAll('the runner is closing');
    this.send({ type: 'shutdown' });
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }

  private send(msg: ToSpawner): void {
    if (this.gone) return;
    if (!this.ready) {
      this.queue.push(msg);
      return;
    }
    try {
      this.child.send(msg);
    } catch {
      // The channel closed: the exit handler fails the run.
    }
  }

  private onMessage(m: FromSpawner): void {
    if (m.type === 'ready') {
      this.ready = true;
      this.markStarted();
      for (const msg of this.queue.splice(0)) this.send(msg);
      this.holdProcess(this.holdsRuns());
      return;
    }
    const run = this.inFlight.get(m.id);
    if (!run) return;
    if (m.type === 'out') {
      run.onStdout?.(m.data);
      return;
    }
    if (m.type === 'started') {
      run.started = { pid: m.pid, start: m.start };
      return;
    }
    this.inFlight.delete(m.id);
    run.cleanup();
    this.holdProcess(this.holdsRuns());
    run.resolve(m.result);
  }

  private onExit(why: string): void {
    if (this.gone) return;
    this.gone = true;
    this.markStarted();
    this.failAll(`the spawner (pid ${this.pid ?? '?'}) ${why} during the run`);
    this.child.removeAllListeners('message');
  }

  /**
   * Fails every run in flight. Where the spawner is gone, what its runs left is killed first: with the sandbox's
   * parent-death signal they died with it, without it they would run on as orphans.
   */
  private failAll(why: string): void {
    const runs = [...this.inFlight.values()];
    this.inFlight.clear();
    this.holdProcess(false);
    for (const run of runs) {
      run.cleanup();
      if (this.gone && run.started) {
        const { pid, start } = run.started;
        if (start === null) killGroup(pid);
        else killRunLeftovers({ pid, start, lifetimeMs: run.spec.timeLimitMs + 2 * run.spec.killGraceMs });
        if (run.spec.pidfile) removePidfile(path.join(run.spec.pidfile.dir, `${pid}.pid`));
      }
      run.reject(new RunnerFault(why));
    }
  }

  private holdsRuns(): boolean {
    for (const r of this.inFlight.values()) if (!r.onStdout) return true;
    return false;
  }

  /** The IPC channel keeps this process alive only while a run is in flight (or the spawner is starting). */
  private holdProcess(hold: boolean): void {
    if (this.gone) return;
    if (hold) {
      this.child.ref();
      this.child.channel?.ref();
    } else {
      this.child.unref();
      this.child.channel?.unref();
    }
  }
}
