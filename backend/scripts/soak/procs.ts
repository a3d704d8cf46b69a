/** Processes seen through /proc (Linux): organism runs left behind, and a server's resident memory. */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

export interface ProcInfo {
  pid: number;
  ppid: number;
  cmdline: string;
}

/** Every live process (zombies, which run nothing, left out) with its parent and command line. */
export function listProcs(): ProcInfo[] {
  const out: ProcInfo[] = [];
  let names: string[];
  try {
    names = readdirSync('/proc');
  } catch {
    return out;
  }
  for (const n of names) {
    if (!/^\d+$/.test(n)) continue;
    try {
      const stat = readFileSync(`/proc/${n}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (fields[0] === 'Z' || fields[0] === 'X') continue;
      const cmdline = readFileSync(`/proc/${n}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
      out.push({ pid: Number(n), ppid: Number(fields[1]), cmdline });
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

function descendsFrom(pid: number, ancestor: number, byPid: Map<number, ProcInfo>): boolean {
  for (let p = byPid.get(pid), hops = 0; p && hops < 64; p = byPid.get(p.ppid), hops++) {
    if (p.ppid === ancestor || p.pid === ancestor) return true;
  }
  return false;
}

/**
 * Organism runs under DATA_DIR (their command line names DATA_DIR/organisms/<name>/run/<id>.js) that are not
 * children of `serverPid`: what a killed server left behind. With serverPid null, every such run.
 */
export function strayRuns(dataDir: string, serverPid: number | null): ProcInfo[] {
  const marker = `${path.resolve(dataDir)}/organisms/`;
  const procs = listProcs();
  const byPid = new Map(procs.map((p) => [p.pid, p]));
  return procs.filter(
    (p) =>
      p.pid !== process.pid &&
      p.cmdline.includes(marker) &&
      /\/run\/[^ ]+\.js/.test(p.cmdline) &&
      (serverPid === null || !descendsFrom(p.pid, serverPid, byPid)),
  );
}

/** Resident set size in MB (VmRSS), or null when the process is gone. */
export function rssMb(pid: number): number | null {
  try {
    const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : null;
  } catch {
    return null;
  }
}

/** Whether the process runs (a zombie does not). */
export function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}
