import { closeSync, constants, lstatSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, unlinkSync, writeSync } from 'node:fs';
import path from 'node:path';
import { readRegularFileSync } from '../files/safe-read.js';
import { killGroup } from '../lib/process-group.js';

/**
 * One pidfile per running organism (DATA_DIR/pids/<pid>.pid). An organism outlives its server only when the
 * server is killed outright (SIGKILL, a crash of the machine's OOM killer) and the parent-death signal is not
 * available; the next server start finds its pidfile and kills the whole process group.
 */
export interface PidRecord {
  /** The process group leader (the first process of the run's command) and so the group id. */
  pid: number;
  /** Its start time in clock ticks since boot (/proc/<pid>/stat field 22), so a reused pid is never hit. */
  start: number;
  /** How long the run may last at most: members of the group started later than that are not ours. */
  lifetimeMs: number;
  /** The process that started it (the server's spawner, src/spawner): while that process lives, the run is its business. */
  server: { pid: number; start: number | null };
  file: string;
}

/** USER_HZ: /proc reports times in these ticks, 100 per second on every Linux architecture. */
const TICKS_PER_SECOND = 100;

interface ProcStat {
  pid: number;
  ppid: number;
  pgrp: number;
  start: number;
}

export function procStat(pid: number): ProcStat | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // The command name is in parentheses and may hold spaces and parentheses: split after the last one.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  if (fields[0] === 'Z' || fields[0] === 'X') return null; // a zombie runs nothing
  return { pid, ppid: Number(fields[1]), pgrp: Number(fields[2]), start: Number(fields[19]) };
}

function allProcs(): ProcStat[] {
  let names: string[];
  try {
    names = readdirSync('/proc');
  } catch {
    return [];
  }
  const out: ProcStat[] = [];
  for (const n of names) {
    if (!/^\d+$/.test(n)) continue;
    const s = procStat(Number(n));
    if (s) out.push(s);
  }
  return out;
}

let ownStart: number | null | undefined;
function serverIdentity(): { pid: number; start: number | null } {
  if (ownStart === undefined) ownStart = procStat(process.pid)?.start ?? null;
  return { pid: process.pid, start: ownStart };
}

export function ensurePidDir(dir: string): void {
  // A link in place of the directory would send every pidfile elsewhere: replace it with a directory of our own.
  const st = (() => {
    try {
      return lstatSync(dir);
    } catch {
      return null;
    }
  })();
  if (st && !st.isDirectory()) unlinkSync(dir);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
}

/** Created exclusively, never through a link: a pid is predictable, so a name planted in advance must not redirect the write. */
const PIDFILE_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;
/** A pidfile is one line of JSON. */
const MAX_PIDFILE_BYTES = 4096;

/** Records a run that just started; returns the pidfile to remove when it is over (null if none was written). */
export function writePidfile(dir: string, pid: number, file: string, lifetimeMs: number): string | null {
  const start = procStat(pid)?.start;
  if (start === undefined) return null; // already gone, or no /proc: nothing to find later
  const record: PidRecord = { pid, start, lifetimeMs, server: serverIdentity(), file };
  const pidfile = path.join(dir, `${pid}.pid`);
  try {
    // Whatever holds the name (a pidfile of a dead run with a reused pid, a link) is removed, not followed.
    rmSync(pidfile, { force: true });
    const fd = openSync(pidfile, PIDFILE_FLAGS, 0o600);
    try {
      writeSync(fd, `${JSON.stringify(record)}\n`);
    } finally {
      closeSync(fd);
    }
    return pidfile;
  } catch {
    return null;
  }
}

export function removePidfile(pidfile: string | null): void {
  if (pidfile === null) return;
  try {
    unlinkSync(pidfile);
  } catch {
    // already removed
  }
}

export interface ReapResult {
  /** Pidfiles read. */
  files: number;
  /** Processes killed. */
  killed: number[];
  /** Pidfiles of runs whose server is still alive (another server on the same DATA_DIR, or this one). */
  skipped: number;
}

/** Kills what the pidfiles in `dir` say is left of runs whose server is gone, and removes those pidfiles. */
export function reapLeftovers(dir: string): ReapResult {
  const result: ReapResult = { files: 0, killed: [], skipped: 0 };
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith('.pid'));
  } catch {
    return result;
  }
  let procs: ProcStat[] | null = null;
  for (const name of names) {
    const pidfile = path.join(dir, name);
    result.files++;
    let rec: PidRecord;
    try {
      // A link, a FIFO (which would block start-up for ever) or a huge file is no pidfile of ours: removed unread.
      rec = JSON.parse(readRegularFileSync(pidfile, MAX_PIDFILE_BYTES) ?? '') as PidRecord;
      if (!Number.isInteger(rec.pid) || rec.pid <= 1 || !Number.isInteger(rec.start)) throw new Error('bad pidfile');
    } catch {
      rmSync(pidfile, { force: true });
      continue;
    }
    const server = procStat(rec.server?.pid ?? -1);
    if (server && (rec.server.start === null || server.start === rec.server.start)) {
      result.skipped++;
      continue;
    }
    procs ??= allProcs();
    result.killed.push(...killRunLeftovers(rec, procs));
    rmSync(pidfile, { force: true });
  }
  return result;
}

/**
 * Kills what is left of one run whose parent is gone: its leader (if it is still the process that started then) and
 * every member of its group started while the run could last. Returns the pids killed.
 */
export function killRunLeftovers(rec: Pick<PidRecord, 'pid' | 'start' | 'lifetimeMs'>, procs: readonly ProcStat[] = allProcs()): number[] {
  const until = rec.start + Math.ceil(((rec.lifetimeMs ?? 0) / 1000 + 5) * TICKS_PER_SECOND);
  // The leader with its own start time, and every member of its group started while the run could last.
  const ours = procs.filter(
    (p) => (p.pid === rec.pid && p.start === rec.start) || (p.pgrp === rec.pid && p.start >= rec.start && p.start <= until),
  );
  const killed: number[] = [];
  if (ours.length === 0) return killed;
  killGroup(rec.pid);
  for (const p of ours) {
    try {
      process.kill(p.pid, 'SIGKILL');
    } catch {
      // already gone
    }
    killed.push(p.pid);
  }
  return killed;
}
