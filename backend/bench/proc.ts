/** Processes the benchmarks start and read: the Node start baseline, servers, RSS. */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { freePort } from '../test/helpers/server-process.js';

export { startServer, type ServerProcess } from '../test/helpers/server-process.js';
export { tempDir, FIXTURE_ORGANISMS, REAL_ORGANISMS } from '../test/helpers/fixtures.js';

export const BACKEND_DIR = fileURLToPath(new URL('..', import.meta.url));

/** Wall time of `node -e ''`: spawn to exit, the floor under any run of an organism. */
export function nodeStartMs(): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    // The organism's environment (empty): this machine's NODE_EXTRA_CA_CERTS alone adds ~30 ms to a start.
    const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore', env: {} });
    child.once('error', reject);
    child.once('exit', () => resolve(performance.now() - t0));
  });
}

/** CPU seconds (user + system) a process has used so far, from /proc/<pid>/stat (in clock ticks of 1/100 s). */
export function cpuSeconds(pid: number): number {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return Number.NaN; // not Linux: the figure says NaN rather than something made up
  }
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** Resident set size of a process, in MB, from /proc/<pid>/status (VmRSS). */
export function rssMb(pid: number): number {
  const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) throw new Error(`no VmRSS for ${pid}`);
  return Number(m[1]) / 1024;
}

export interface HelloServer {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

/** A bare Fastify hello-world in its own process, started the same way as the real server (node --import tsx). */
export async function startHelloWorld(): Promise<HelloServer> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/hello-world.ts'], {
    cwd: BACKEND_DIR,
    env: { ...process.env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`hello-world exited with ${code}`)));
    child.stdout!.on('data', (c: Buffer) => {
      if (c.toString().includes('listening')) resolve();
    });
  });
  child.removeAllListeners('exit');
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  return {
    url: `http://127.0.0.1:${port}`,
    pid: child.pid!,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

/** JSON over HTTP; throws on a non-2xx answer. */
export async function http<T = any>(base: string, path: string, init?: RequestInit): Promise<T> {
  const res = await fetch(`${base}${path}`, {
    ...init,
    headers: init?.body ? { 'content-type': 'application/json' } : undefined,
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${init?.method ?? 'GET'} ${path} -> ${res.status}: ${text.slice(0, 300)}`);
  return JSON.parse(text) as T;
}
