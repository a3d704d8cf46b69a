import { SpawnerProcess, spawnerEntry, type SpawnerEntry } from '../spawner/client.js';
import { planChild, type ChildOutcome, type ChildRunOptions } from '../watcher/child-process.js';
import { RunnerFault, type Runner, type RunnerHealth, type RunSession } from './runner.js';

export interface EmbeddedRunnerOptions {
  /** Spawner processes; each run goes to the one with the fewest runs in flight. */
  spawners: number;
  /** Times a run is tried when its spawner dies under it (default 2: the run again on a new spawner). */
  attempts?: number;
  entry?: SpawnerEntry;
}

/**
 * Runs organisms on this machine through spawner processes (src/spawner), so that the server's event loop never
 * forks: the server builds each run's sandboxed command line and sends it over a pipe. A spawner that dies is
 * replaced at the next run, and the runs it held are tried again there: a genome's outcome does not depend on which
 * process started it, and a verdict must never blame the genome for the runner's failure.
 */
export class EmbeddedRunner implements Runner {
  private readonly slots: (SpawnerProcess | null)[];
  private readonly attempts: number;
  private readonly entry: SpawnerEntry;
  private closed = false;
  readonly local = true;

  constructor(o: EmbeddedRunnerOptions) {
    if (!Number.isInteger(o.spawners) || o.spawners < 1) throw new RangeError(`spawners must be a positive integer, not ${o.spawners}`);
    this.slots = Array.from({ length: o.spawners }, () => null);
    this.attempts = o.attempts ?? 2;
    this.entry = o.entry ?? spawnerEntry();
  }

  async run(opts: ChildRunOptions): Promise<ChildOutcome> {
    for (let attempt = 1; ; attempt++) {
      if (this.closed) throw new RunnerFault('the runner is closed');
      // Planned again for each attempt: a fresh CPU-report key, the run file prepared again.
      const plan = planChild(opts);
      try {
        return plan.finish(await this.pick().run(plan.exec, opts.signal));
      } catch (err) {
        if (!(err instanceof RunnerFault) || attempt >= this.attempts || this.closed) throw err;
      }
    }
  }

  open(opts: ChildRunOptions, onStdout: (text: string) => void): RunSession {
    if (this.closed) {
      const done = Promise.reject(new RunnerFault('the runner is closed'));
      return { done, write: () => {}, end: () => {} };
    }
    const plan = planChild(opts);
    const s = this.pick().open(plan.exec, onStdout, opts.signal);
    return { write: s.write, end: s.end, done: s.done.then((r) => plan.finish(r)) };
  }

  /**
   * Starts every spawner now and resolves when each can take runs. A server calls it while it opens its store and
   * probes its sandbox, so that its first run does not wait for a process to boot (from source, through tsx, that
   * is hundreds of milliseconds: a server killed soon after each start recorded no run in half its lives).
   */
  async warm(): Promise<void> {
    await Promise.all(this.slots.map((_, i) => this.live(i).started));
  }

  /** The spawners' pids (for tests and the benchmark). */
  pids(): number[] {
    return this.slots.flatMap((s) => (s?.alive && s.pid !== undefined ? [s.pid] : []));
  }

  health(): RunnerHealth {
    return { kind: 'embedded', spawners: { configured: this.slots.length, alive: this.pids().length } };
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.slots.map((s) => s?.close()));
  }

  /** The live spawner with the fewest runs in flight; a dead one is replaced first. */
  private pick(): SpawnerProcess {
    let best: SpawnerProcess | null = null;
    for (let i = 0; i < this.slots.length; i++) {
      const s = this.live(i);
      if (!best || s.load < best.load) best = s;
    }
    return best!;
  }

  /** The spawner in slot `i`, started first when there is none or it died. */
  private live(i: number): SpawnerProcess {
    const s = this.slots[i];
    return s?.alive ? s : (this.slots[i] = new SpawnerProcess(this.entry));
  }
}
