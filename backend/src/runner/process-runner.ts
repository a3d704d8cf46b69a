import { DirectRunner } from './direct.js';
import { EmbeddedRunner } from './embedded.js';
import type { Runner, RunnerHealth } from './runner.js';

/** SPAWNERS: spawner processes for this process's runs; 0 runs them from this process itself (for comparison). */
let spawners = 1;
/** ORGANISM_NICE: the CPU niceness of every run (0 until a server configures it: its tests' own runs as they were). */
let nice = 0;
/** STANDBY_RUNS: a genome's run on one input may take a process started ahead of it (off until a server says). */
let standby = false;
const runners = new Map<number, Runner>();
/** A runner made elsewhere (RUNNER=bullmq's QueueRunner), over the one SPAWNERS says. */
let chosen: Runner | null = null;

/**
 * Sets how runs are started from now on (the server's SPAWNERS and ORGANISM_NICE, or a runner of its own such as
 * the queue's); runs already started finish where they are.
 */
export function configureRunner(o: { spawners: number; nice?: number; standby?: boolean; runner?: Runner }): void {
  spawners = o.spawners;
  nice = o.nice ?? 0;
  standby = o.standby ?? false;
  chosen = o.runner ?? null;
}

/** The niceness every organism run gets (runGenome). */
export function organismNice(): number {
  return nice;
}

/** Whether a genome's run on one input asks its spawner for a standby (runGenome; src/spawner/standby.ts). */
export function standbyRuns(): boolean {
  return standby;
}

/** A runner of this machine: spawner processes, or this very process with SPAWNERS=0. */
export function localRunner(count: number): Runner {
  return count === 0 ? new DirectRunner() : new EmbeddedRunner({ spawners: count });
}

/**
 * The runner every organism run of this process goes through (runGenome). Made at the first run; its spawners do
 * not keep the process alive while idle, and they exit when it does.
 */
export function processRunner(): Runner {
  if (chosen) return chosen;
  let r = runners.get(spawners);
  if (!r) {
    r = localRunner(spawners);
    runners.set(spawners, r);
  }
  return r;
}

/** The runner's part of /health. */
export function runnerHealth(): RunnerHealth | null {
  return processRunner().health?.() ?? null;
}

/**
 * Readies the runner for the first run (the spawners boot), bounded: a spawner that never says it is ready must not
 * hold the server's start; its runs then fail as the runner's fault, never as the genome's.
 */
export async function warmProcessRunner(limitMs = 30_000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, limitMs);
    timer.unref();
  });
  await Promise.race([processRunner().warm?.(), bound]);
  clearTimeout(timer);
}

/** Kills what still runs and stops the spawners: the server's shutdown, after its loops have stopped. */
export async function closeProcessRunner(): Promise<void> {
  const all = [...runners.values(), ...(chosen ? [chosen] : [])];
  runners.clear();
  chosen = null;
  await Promise.all(all.map((r) => r.close()));
}
