import { execChild } from '../spawner/exec-child.js';
import { planChild, runChild, type ChildRunOptions } from '../watcher/child-process.js';
import type { Runner, RunnerHealth, RunSession } from './runner.js';

/**
 * Runs organisms from this very process, as every run was before the spawner: each start forks the whole server on
 * its event loop. Kept for SPAWNERS=0, so that the benchmark can measure what the spawner saves.
 */
export class DirectRunner implements Runner {
  run = runChild;
  readonly local = true;

  open(opts: ChildRunOptions, onStdout: (text: string) => void): RunSession {
    const plan = planChild(opts);
    let stdin: { write: (text: string) => void; end: () => void } | undefined;
    // execChild attaches the session's stdin before it returns (in its promise's executor).
    const done = execChild(plan.exec, {
      ...(opts.signal ? { signal: opts.signal } : {}),
      session: { onStdout, attach: (s) => void (stdin = s) },
    }).then((r) => plan.finish(r));
    const session = stdin!;
    return { done, write: (text) => session.write(text), end: () => session.end() };
  }

  health(): RunnerHealth {
    return { kind: 'direct' };
  }

  async close(): Promise<void> {
    // Each run is owned by its caller's promise and abort signal: nothing is held here.
  }
}
