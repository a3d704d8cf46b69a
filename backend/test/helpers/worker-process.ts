import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { orphanProof } from './chaos/orphan-proof.js';
import { waitFor } from './fixtures.js';

const BACKEND = fileURLToPath(new URL('../..', import.meta.url));

export interface WorkerProcess {
  child: ChildProcess;
  /** Its id, as it beats on the queue and signs its results. */
  id: string;
  output: () => string;
  /** SIGTERM, and its exit code. */
  stop(): Promise<number | null>;
  kill(): Promise<void>;
}

/** Starts `pnpm worker`'s program (src/worker.ts through tsx) as its own process and waits until it takes jobs. */
export async function startWorker(env: Record<string, string>, { startTimeoutMs = 90_000 } = {}): Promise<WorkerProcess> {
  let out = '';
  const cmd = orphanProof(process.execPath, ['--import', 'tsx', 'src/worker.ts']);
  const child = spawn(cmd.command, cmd.args, {
    cwd: BACKEND,
    env: { ...process.env, LOG_LEVEL: 'info', LOG_PRETTY: 'false', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const ready = await waitFor(
    () => {
      if (child.exitCode !== null) throw new Error(`the worker exited with ${child.exitCode}:\n${out}`);
      return /"msg":"worker (\S+) takes runs from/.exec(out)?.[1] ?? null;
    },
    (id) => id !== null,
    { what: 'the worker to take runs', timeoutMs: startTimeoutMs, intervalMs: 50 },
  ).catch((err: Error) => {
    child.kill('SIGKILL');
    throw err;
  });
  return {
    child,
    id: ready!,
    output: () => out,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
      return child.exitCode;
    },
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}
