import { runChild } from '../watcher/child-process.js';
import type { Runner, RunnerHealth } from './runner.js';

/**
 * Runs organisms from this very process, as every run was before the spawner: each start forks the whole server on
 * its event loop. Kept for SPAWNERS=0, so that the benchmark can measure what the spawner saves.
 */
export class DirectRunner implements Runner {
  run = runChild;
  readonly local = true;

  health(): RunnerHealth {
    return { kind: 'direct' };
  }

  async close(): Promise<void> {
    // Each run is owned by its caller's promise and abort signal: nothing is held here.
  }
}
