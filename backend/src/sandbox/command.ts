import type { RunRlimits, Sandbox } from './types.js';

export interface RunSpec {
  file: string;
  maxOldSpaceMb: number;
  timeLimitMs: number;
  /** Overrides the CPU-time limit (seconds); by default twice the wall-time limit plus one second. */
  cpuSeconds?: number;
  /** More flags for node, before the file (the CPU-time report's preload). */
  nodeArgs?: readonly string[];
  /** Overrides the file-size limit (default 0: an organism writes no file); a coverage run writes its report. */
  fileSizeBytes?: number;
  /** The one file the permission model lets the run write (a coverage run's report); none by default. */
  allowFsWrite?: string;
  /** More files the permission model lets the run read (a batch host's genome, src/runner/batch). */
  allowFsRead?: readonly string[];
  /**
   * Worker threads the run may start at once (a batch host's, src/runner/batch): the permission model lets it start
   * workers, and the address-space limit makes room for each one's heap and the code range V8 reserves per isolate.
   */
  workers?: number;
}

/** Processes (threads count) per uid: room for many organisms' threads, not for a fork bomb. */
const MAX_PROCESSES = 512;
const MAX_OPEN_FILES = 256;
/** Address space one worker thread reserves beyond its heap (measured on Node 20: about 600 MB, the code range most of it). */
const WORKER_RESERVE_MB = 640;

export function runRlimits(sandbox: Sandbox, run: RunSpec): RunRlimits {
  return {
    // An idle node reserves most of its address space up front; the margin bounds Buffers and the heap.
    addressSpaceMb: (sandbox.rlimits?.baselineMb ?? 0) + (1 + (run.workers ?? 0)) * (2 * run.maxOldSpaceMb + 256) + (run.workers ?? 0) * WORKER_RESERVE_MB,
    // CPU time counts every thread (GC helpers too), so it is a backstop behind the wall-time limit.
    cpuSeconds: run.cpuSeconds ?? Math.ceil((2 * run.timeLimitMs) / 1000) + 1,
    fileSizeBytes: run.fileSizeBytes ?? 0,
    openFiles: MAX_OPEN_FILES,
    processes: MAX_PROCESSES,
  };
}

/**
 * The command line of one sandboxed run: each wrapper sets one layer and execs the next, so the whole chain is
 * one process (two with a PID namespace, whose first process waits for the organism):
 *
 *   prlimit <limits> -- setpriv --pdeathsig KILL -- unshare --pid --net ... -- setpriv --reuid ... -- node <flags> file
 *
 * Without a sandbox it is what runs always were: `node --max-old-space-size=N file`.
 */
export function sandboxCommand(sandbox: Sandbox | null | undefined, nodePath: string, run: RunSpec): { command: string; args: string[] } {
  const node = [nodePath];
  if (sandbox?.permissionFlag) {
    node.push(sandbox.permissionFlag, `--allow-fs-read=${run.file}`, ...(run.allowFsRead ?? []).map((f) => `--allow-fs-read=${f}`));
    if (run.allowFsWrite) node.push(`--allow-fs-write=${run.allowFsWrite}`);
    if (run.workers) node.push('--allow-worker');
  }
  if (sandbox) node.push(...sandbox.nodeFlags);
  // Each worker of a host given --allow-worker prints a SecurityWarning at its start, and a worker that does loses its
  // stdin or stdout now and then (Node 20): where warnings can be silenced, this one is.
  if (sandbox?.permissionFlag && run.workers && sandbox.nodeFlags.some((f) => f.startsWith('--disable-warning='))) node.push('--disable-warning=SecurityWarning');
  node.push(...(run.nodeArgs ?? []), `--max-old-space-size=${run.maxOldSpaceMb}`, run.file);
  if (!sandbox) return { command: nodePath, args: node.slice(1) };

  const chain: string[] = [];
  if (sandbox.rlimits) {
    const l = runRlimits(sandbox, run);
    chain.push(
      sandbox.rlimits.prlimit,
      `--as=${l.addressSpaceMb * 1024 * 1024}`,
      `--cpu=${l.cpuSeconds}:${l.cpuSeconds + 1}`,
      `--fsize=${l.fileSizeBytes}`,
      '--core=0',
      `--nofile=${l.openFiles}`,
      `--nproc=${l.processes}`,
      '--',
    );
  }
  if (sandbox.parentDeath) chain.push(sandbox.parentDeath.setpriv, '--pdeathsig', 'KILL', '--');
  const ns = sandbox.namespaces;
  if (ns && (ns.pid || ns.net)) {
    chain.push(ns.unshare);
    if (ns.user) chain.push('--user');
    if (ns.pid) chain.push('--pid', '--fork', '--kill-child');
    if (ns.pid && ns.mountProc) chain.push('--mount-proc');
    if (ns.net) chain.push('--net');
    chain.push('--');
  }
  if (sandbox.uid) {
    chain.push(
      sandbox.uid.setpriv,
      `--reuid=${sandbox.uid.uid}`,
      `--regid=${sandbox.uid.gid}`,
      '--clear-groups',
      '--inh-caps=-all',
      '--bounding-set=-all',
      '--no-new-privs',
      // Changing the uid clears the parent-death signal: set it again.
      ...(sandbox.parentDeath ? ['--pdeathsig', 'KILL'] : []),
      '--',
    );
  }
  const all = [...chain, ...node];
  return { command: all[0]!, args: all.slice(1) };
}
