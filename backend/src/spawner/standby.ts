/**
 * Standby runs: a sandboxed organism process started ahead of its run, so that a run which must be a process (a
 * failure to confirm, a verification's first input, a heal's trial) does not wait for Node to start. On a 2-vCPU VM
 * that start is most of a run (70-170 ms of a chain of execs and a Node boot, see BENCHMARKS.md), and it is what
 * stood between a chaos and its detection.
 *
 * A standby is the very command line of a run of the same shape (every layer of the sandbox, the same flags and
 * limits), with one difference: its script is a small bootstrap that waits for one line on stdin, then runs the
 * genome's file as the main module, in place, through Node's own entry point (`Module.runMain`). The genome gets
 * a process of its own, a fresh Node, the same `process.argv`, `require.main` and stdin as a cold start; the time
 * limit and the run's duration count from the moment the run is given, not from the process's start.
 *
 * The genome's file is known only then: the standby's permission to read names a path reserved for it in the run's
 * directory, and the run's file is linked there when it is given (the caller keeps its own name and removes it as
 * ever). One standby per shape (the command line with the file taken out): a run of that shape takes it if it is
 * ready, else starts cold as before, and the next one is started once the run is over, off the run's own path.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, linkSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { killGroup } from '../lib/process-group.js';
import { procStat } from '../sandbox/pidfile.js';
import { execChild, type ExecHooks } from './exec-child.js';
import type { ExecResult, ExecSpec } from './exec-spec.js';

/**
 * Waits for the go line (read byte by byte, synchronously, so that nothing of the run's own stdin is consumed and
 * process.stdin does not exist yet), then runs the reserved file as the main module with the argv of a cold start.
 * Stdin closed before the line: the standby was retired.
 */
export const STANDBY_BOOTSTRAP = `'use strict';
const { readSync } = require('node:fs');
const one = Buffer.alloc(1);
for (;;) {
  let n;
  try {
    n = readSync(0, one, 0, 1, null);
  } catch (err) {
    if (err.code !== 'EAGAIN') throw err;
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 2);
    continue;
  }
  if (n === 0) process.exit(0);
  if (one[0] === 10) break;
}
process.argv.splice(1, 2, process.argv[2]);
require('node:module').runMain();
`;

/** Where a standby's files go, for the run's file `file`: its bootstrap and the path the genome is linked to. */
export interface StandbyFiles {
  bootstrap: string;
  genome: string;
}

/**
 * The shape of a run: its spec without what differs from one run of a genome to the next (the file, its stdin). Null
 * for a run no standby can take (no file named, or the file is not its script).
 */
export function standbyKey(spec: ExecSpec): string | null {
  const file = spec.file;
  if (!file || spec.args[spec.args.length - 1] !== file) return null;
  const args = spec.args.map((a) => (a === file ? '\0file' : a === `--allow-fs-read=${file}` ? '\0allow-file' : a));
  return JSON.stringify([spec.command, args, spec.cwd, path.dirname(file), path.extname(file), spec.env, spec.timeLimitMs, spec.killGraceMs, spec.killAtOnce, spec.outputCapBytes, spec.outputKillBytes, spec.nice ?? 0, spec.pidfile?.dir ?? null]);
}

/** The standby's own spec: the run's command line with the bootstrap as its script, allowed to read the reserved path. */
export function standbySpec(spec: ExecSpec, files: StandbyFiles, lifetimeMs: number): ExecSpec {
  const file = spec.file!;
  const args: string[] = [];
  for (const a of spec.args.slice(0, -1)) {
    if (a === `--allow-fs-read=${file}`) args.push(`--allow-fs-read=${files.bootstrap}`, `--allow-fs-read=${files.genome}`);
    else args.push(a);
  }
  args.push(files.bootstrap, files.genome);
  const { standby: _standby, ...rest } = spec;
  return {
    ...rest,
    args,
    file: files.genome,
    stdin: '',
    // Its pidfile must outlive its wait as well as its run, or the next start would take it for a leftover too soon.
    pidfile: spec.pidfile ? { ...spec.pidfile, file: files.genome, lifetimeMs: lifetimeMs + spec.pidfile.lifetimeMs } : null,
  };
}

export interface StandbyOptions {
  /** A standby not taken within this is ended and started afresh (default 10 min): no process waits for ever. */
  maxAgeMs?: number;
  /** A shape no run asked for within this gets no new standby (default 30 min): a paused organism holds none. */
  keepMs?: number;
  /** Standbys at once, of all shapes (default 64); past it the one asked for longest ago goes. */
  max?: number;
}

/** Shapes of run remembered (to know a second run of one): bounded, so that runs of a new shape each do not grow it. */
const MAX_SHAPES_REMEMBERED = 512;

interface Standby {
  key: string;
  files: StandbyFiles;
  pid: number | null;
  give: (stdin: string | null) => void;
  result: Promise<ExecResult>;
  exited: boolean;
  timer: NodeJS.Timeout;
}

/** What a spawner holds: at most one standby per shape of run, started after a run of that shape is over. */
export class Standbys {
  private readonly ready = new Map<string, Standby>();
  /** When a run of each shape last asked for a standby, and its spec (to start the next one from). */
  private readonly wanted = new Map<string, { at: number; spec: ExecSpec }>();
  private readonly maxAgeMs: number;
  private readonly keepMs: number;
  private readonly max: number;
  private closed = false;
  /** Runs given to a standby, and standbys started (for tests and the log). */
  readonly counts = { taken: 0, started: 0 };

  constructor(o: StandbyOptions = {}) {
    this.maxAgeMs = o.maxAgeMs ?? 600_000;
    this.keepMs = o.keepMs ?? 1_800_000;
    this.max = o.max ?? 64;
  }

  /**
   * Runs `spec` on its shape's standby, or answers null when there is none ready (the caller starts it cold). The run
   * is what execChild would make of it: the same result, its duration from the moment it was given.
   */
  take(spec: ExecSpec, hooks: Pick<ExecHooks, 'signal' | 'onStarted'> = {}): Promise<ExecResult> | null {
    const key = standbyKey(spec);
    if (key === null) return null;
    const s = this.ready.get(key);
    if (!s) return null;
    this.ready.delete(key);
    clearTimeout(s.timer);
    // Dead but not yet reported (killed from outside, out of memory): its end must not be taken for the genome's.
    if (s.exited || s.pid === null || !waiting(s.pid) || !linkInto(spec.file!, s.files.genome)) {
      this.retire(s);
      return null;
    }
    this.counts.taken++;
    hooks.onStarted?.({ pid: s.pid, start: procStat(s.pid)?.start ?? null });
    const pid = s.pid;
    const kill = () => killGroup(pid);
    if (hooks.signal?.aborted) kill();
    else hooks.signal?.addEventListener('abort', kill, { once: true });
    // The go line, then the run's stdin, which the genome reads as it would from a cold start.
    s.give(`\n${spec.stdin}`);
    return s.result.then((r) => {
      hooks.signal?.removeEventListener('abort', kill);
      // Before the caller hears of it: its own check that nobody removed the run's file counts links.
      removeFiles(s.files);
      return r;
    });
  }

  /**
   * After a run that asked for one: a standby of its shape is made ready, unless one is, from the second run of that
   * shape on. A shape seen once may never come again (a run whose command line names a file of its own, an
   * evolution's measurement with its CPU report's key): a standby for it would only wait out its age.
   */
  keepReady(spec: ExecSpec): void {
    const key = standbyKey(spec);
    if (key === null || this.closed) return;
    const now = Date.now();
    const seen = this.wanted.delete(key);
    // Deleted and set again: the map's order is the order of the last asking, oldest first (forget).
    this.wanted.set(key, { at: now, spec });
    if (this.wanted.size > MAX_SHAPES_REMEMBERED) this.forget(now);
    if (seen && !this.ready.has(key)) this.start(key, spec);
  }

  /** Ends every standby (the spawner is shutting down). */
  close(): void {
    this.closed = true;
    for (const s of this.ready.values()) this.retire(s);
    this.ready.clear();
  }

  /** The process groups of the standbys ready now (for tests). */
  pids(): number[] {
    return [...this.ready.values()].flatMap((s) => (s.pid === null ? [] : [s.pid]));
  }

  /** Standbys ready now. */
  get size(): number {
    return this.ready.size;
  }

  private start(key: string, spec: ExecSpec): void {
    if (this.ready.size >= this.max) this.evictOldest();
    const tag = randomBytes(8).toString('hex');
    const dir = path.dirname(spec.file!);
    const files: StandbyFiles = { bootstrap: path.join(dir, `.standby-${tag}.cjs`), genome: path.join(dir, `.standby-${tag}${path.extname(spec.file!)}`) };
    try {
      // Readable by the sandbox's uid as a run's file is (nothing in it is secret); written only by this process.
      writeFileSync(files.bootstrap, STANDBY_BOOTSTRAP, { mode: 0o644, flag: 'wx' });
    } catch {
      return; // the run directory is gone or not ours: runs of this shape start cold
    }
    let give!: (stdin: string | null) => void;
    const hold = new Promise<string | null>((resolve) => (give = resolve));
    let pid: number | null = null;
    const s: Standby = {
      key,
      files,
      pid: null,
      give,
      result: execChild(standbySpec(spec, files, this.maxAgeMs), { hold, onStarted: (st) => (pid = st.pid) }),
      exited: false,
      timer: setTimeout(() => this.expire(s), this.maxAgeMs),
    };
    s.pid = pid;
    s.timer.unref();
    this.counts.started++;
    void s.result.then(() => {
      s.exited = true;
      if (this.ready.get(key) === s) {
        // It died waiting (killed from outside, out of memory): the next run of its shape starts cold and refills.
        this.ready.delete(key);
        clearTimeout(s.timer);
        removeFiles(files);
      }
    });
    this.ready.set(key, s);
  }

  /** Drops the shapes not asked for within keepMs, and past the bound the oldest (a Map iterates oldest first). */
  private forget(now: number): void {
    for (const [key, w] of this.wanted) {
      if (this.wanted.size <= MAX_SHAPES_REMEMBERED / 2) break;
      if (now - w.at >= this.keepMs || !this.ready.has(key)) this.wanted.delete(key);
    }
  }

  private expire(s: Standby): void {
    if (this.ready.get(s.key) !== s) return;
    this.ready.delete(s.key);
    this.retire(s);
    const w = this.wanted.get(s.key);
    if (w && Date.now() - w.at < this.keepMs && !this.closed) this.start(s.key, w.spec);
    else this.wanted.delete(s.key);
  }

  private evictOldest(): void {
    let oldest: Standby | null = null;
    let oldestAt = Infinity;
    for (const s of this.ready.values()) {
      const at = this.wanted.get(s.key)?.at ?? 0;
      if (at < oldestAt) {
        oldest = s;
        oldestAt = at;
      }
    }
    if (oldest) {
      this.ready.delete(oldest.key);
      this.retire(oldest);
    }
  }

  private retire(s: Standby): void {
    clearTimeout(s.timer);
    // At once, not in the hold's callback: a spawner shutting down exits in this same tick.
    if (s.pid !== null && !s.exited) killGroup(s.pid);
    s.give(null);
    // Now as well as once it is gone: a spawner shutting down exits before the kill is reported.
    removeFiles(s.files);
    void s.result.then(() => removeFiles(s.files));
  }
}

/** The process is there and not a zombie (/proc/<pid>/stat's state); without /proc, whether a signal reaches it. */
function waiting(pid: number): boolean {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    // With /proc, no stat file means the process is gone.
    return !existsSync('/proc/self') && signalReaches(pid);
  }
  const state = stat.charAt(stat.lastIndexOf(')') + 2);
  return state !== 'Z' && state !== 'X' && state !== '';
}

function signalReaches(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The run's file at the standby's reserved path: a hard link (same inode, same mode), or a copy where links fail. */
function linkInto(file: string, reserved: string): boolean {
  try {
    linkSync(file, reserved);
    return true;
  } catch {
    try {
      copyFileSync(file, reserved);
      chmodSync(reserved, statSync(file).mode & 0o7777);
      return true;
    } catch {
      return false;
    }
  }
}

function removeFiles(files: StandbyFiles): void {
  rmSync(files.genome, { force: true });
  rmSync(files.bootstrap, { force: true });
}
