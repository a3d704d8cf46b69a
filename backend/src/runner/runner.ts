import type { ChildOutcome, ChildRunOptions } from '../watcher/child-process.js';

/**
 * Where organism code runs. Everything that executes a genome (routine runs, heal trials, verification, fitness,
 * evolution, the gauntlet) reaches this through runGenome, so that another runner (a queue of workers on other
 * machines) can take its place without touching them. The options name a file on this machine and this server's
 * sandbox: a runner elsewhere would ship the file's source and run it in its own machine's sandbox.
 */
export interface Runner {
  /**
   * Runs one organism process to its end under the given limits and sandbox. Resolves with what the organism did,
   * whatever that was; rejects with a RunnerFault only when the runner itself failed, so that no verdict blames a
   * genome for it.
   */
  run(opts: ChildRunOptions): Promise<ChildOutcome>;
  /**
   * Starts a session: one process under the same limits and sandbox as a run, whose stdin stays open for `write`
   * and whose stdout comes to `onStdout` as it is written (a warm batch host, src/runner/batch/warm-host.ts). Only
   * runners of this machine offer it.
   */
  open?(opts: ChildRunOptions, onStdout: (text: string) => void): RunSession;
  /** Makes the runner ready for its first run (starts its processes); resolves when it is, or cannot be. */
  warm?(): Promise<void>;
  /** Kills whatever still runs and releases the runner's processes. */
  close(): Promise<void>;
  /** What /health says of the runner: cheap, from what the runner already knows. */
  health?(): RunnerHealth;
  /** Runs start on this machine and read their files where they are (a batch proof's host, src/runner/batch, needs that). */
  readonly local?: boolean;
}

/** A process started by Runner.open. */
export interface RunSession {
  write(text: string): void;
  /** Closes its stdin. */
  end(): void;
  /** What it did, once it has ended; rejects with a RunnerFault when the runner lost it. */
  done: Promise<ChildOutcome>;
}

/** The runner's part of /health. */
export interface RunnerHealth {
  kind: 'embedded' | 'direct' | 'bullmq';
  /** Spawner processes of this machine: configured, and alive now (they start at the first run after one died). */
  spawners?: { configured: number; alive: number };
  /** RUNNER=bullmq: the queue's Redis and the workers that took runs from it lately. */
  queue?: {
    redis: { url: string; reachable: boolean; error: string | null; checkedAt: string | null };
    workers: { id: string; host: string; concurrency: number; active: number }[];
    /** RUNNER_FALLBACK, and whether runs go to it now (Redis unreachable, or no worker seen). */
    fallback: 'embedded' | 'none';
    fallingBack: boolean;
    /** Runs on the queue that this server waits for. */
    pending: number;
  };
}

/** The run could not be carried out or its outcome was lost (a spawner died, the runner is closed): not the genome's doing. */
export class RunnerFault extends Error {
  readonly code = 'RUNNER_FAULT';
  constructor(message: string) {
    super(message);
    this.name = 'RunnerFault';
  }
}
