import { StringDecoder } from 'node:string_decoder';
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
    const pending: string[] = [];
    let stdin: { write: (text: string) => void; end: () => void } | null = null;
    let ended = false;
    const decoder = new StringDecoder('utf8');
    const done = execChild(plan.exec, {
      ...(opts.signal ? { signal: opts.signal } : {}),
      session: {
        onStdout: (chunk) => {
          const text = decoder.write(chunk);
          if (text) onStdout(text);
        },
        attach: (s) => {
          stdin = s;
          for (const t of pending.splice(0)) s.write(t);
          if (ended) s.end();
        },
      },
    }).then((r) => plan.finish(r));
    return {
      done,
      write: (text) => (stdin ? stdin.write(text) : void pending.push(text)),
      end: () => (stdin ? stdin.end() : void (ended = true)),
    };
  }

  health(): RunnerHealth {
    return { kind: 'direct' };
  }

  async close(): Promise<void> {
    // Each run is owned by its caller's promise and abort signal: nothing is held here.
  }
}
