/**
 * The real server (src/server.ts through tsx) in its own process, on loopback, a free port and a fresh
 * DATA_DIR: the server under soak, and the gauntlet's. It notices a crash, and nothing it ran outlives it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { strayRuns } from './procs.js';

const BACKEND = fileURLToPath(new URL('../..', import.meta.url));
const OUTPUT_KEPT = 64 * 1024;

export interface SoakServer {
  url: string;
  dataDir: string;
  pid: number;
  /** Set when the process exited before stop() was called: a crash. */
  readonly crashed: { code: number | null; signal: NodeJS.Signals | null; at: number } | null;
  /** The tail of its stdout and stderr. */
  output(): string;
  /** SIGTERM, SIGKILL after 10 s; resolves with how it ended. Removes DATA_DIR. Safe to call twice. */
  stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null; ms: number; strays: number }>;
}

/** A port nothing listens on now (the kernel's choice), on loopback. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

export async function startSoakServer(env: Record<string, string>, timeoutMs = 90_000, tempPrefix = 'ouroboros-soak-'): Promise<SoakServer> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), tempPrefix));
  const port = await freePort();
  let out = '';
  const child: ChildProcess = spawn(process.execPath, [...(process.env.SOAK_SERVER_PROF ? ['--cpu-prof', '--cpu-prof-dir', process.env.SOAK_SERVER_PROF] : []), '--import', 'tsx', 'src/server.ts'], {
    cwd: BACKEND,
    env: { UV_THREADPOOL_SIZE: '16', ...process.env, LOG_LEVEL: 'warn', LOG_PRETTY: 'false', ...env, DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const keep = (c: Buffer) => {
    out = (out + c.toString()).slice(-OUTPUT_KEPT);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  // Whatever ends the soak (an exception, process.exit), the server must not outlive it.
  const killOnExit = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  process.once('exit', killOnExit);
  let stopping = false;
  let crashed: SoakServer['crashed'] = null;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => {
      if (!stopping) crashed = { code, signal, at: Date.now() };
      resolve({ code, signal });
    }),
  );
  let stopped: ReturnType<SoakServer['stop']> | null = null;
  const stop: SoakServer['stop'] = () =>
    (stopped ??= (async () => {
      stopping = true;
      const started = Date.now();
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      const how = await exited;
      clearTimeout(timer);
      process.off('exit', killOnExit);
      // Nothing the server ran may outlive it.
      const strays = strayRuns(dataDir, null);
      for (const p of strays) {
        try {
          process.kill(p.pid, 'SIGKILL');
        } catch {
          // gone
        }
      }
      rmSync(dataDir, { recursive: true, force: true });
      return { ...how, ms: Date.now() - started, strays: strays.length };
    })());
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      await stop();
      throw new Error(`the server exited (${child.exitCode ?? child.signalCode}) before it answered:\n${out}`);
    }
    const status = await fetch(`${url}/health`).then((r) => r.status, () => 0);
    if (status === 200) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`the server did not answer /health within ${timeoutMs} ms:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    dataDir,
    pid: child.pid!,
    get crashed() {
      return crashed;
    },
    output: () => out,
    stop,
  };
}
