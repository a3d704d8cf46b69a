/**
 * One organism run as a command line the sandbox already built (src/sandbox/command.ts), and what became of it:
 * what the server sends a spawner process and gets back. Plain data, so that it crosses a pipe as JSON.
 */
export interface ExecSpec {
  command: string;
  args: string[];
  cwd: string;
  /** The run's whole environment (the organism gets nothing of the server's or the spawner's). */
  env: Record<string, string>;
  stdin: string;
  timeLimitMs: number;
  /** Time between SIGTERM and SIGKILL at the time limit. */
  killGraceMs: number;
  /** SIGKILL at the time limit without the grace: PID 1 of a namespace gets no SIGTERM it does not handle. */
  killAtOnce: boolean;
  /** Bytes of stdout and of stderr kept (head and tail). */
  outputCapBytes: number;
  /** Total output after which the run is killed. */
  outputKillBytes: number;
  /** The run's CPU niceness (0 = the spawner's own priority); its processes inherit it. */
  nice?: number;
  /** The sandbox's pidfile for this run (DATA_DIR/pids), or null without that layer. */
  pidfile: { dir: string; file: string; lifetimeMs: number } | null;
  /** The run's script (the last of `args`): what a standby of the same shape is given to run (standby.ts). */
  file?: string;
  /** Keep a standby of this run's shape ready for the next one (STANDBY_RUNS; src/spawner/standby.ts). */
  standby?: boolean;
}

/** What a run did, before the sandbox's and the CPU report's post-processing (child-process.ts). */
export interface ExecResult {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  durationMs: number;
  timedOut: boolean;
  outputLimited: boolean;
  stdout: string;
  stdoutTail: string;
  stderr: string;
  stdoutBytes: number;
  stderrBytes: number;
  spawnError: string | null;
  pid: number | null;
}

/** The run's process group, as soon as it exists: what is left of it must be killable if its spawner dies. */
export interface ExecStarted {
  pid: number;
  /** Start time in clock ticks since boot (/proc/<pid>/stat), so that a reused pid is never hit; null without /proc. */
  start: number | null;
}
