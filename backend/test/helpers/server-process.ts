import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig, type Config } from '../../src/config.js';
import { discoverOrganisms } from '../../src/organism/discover.js';
import { freePort } from '../../scripts/soak/server.js';
import { orphanProof } from './chaos/orphan-proof.js';
import { TEST_PROPERTY_INPUTS, waitFor } from './fixtures.js';
import { keepServerSeedVerifications, lendSeedVerifications } from './seed-verifications.js';

const BACKEND = fileURLToPath(new URL('../..', import.meta.url));

export { freePort };

export interface ServerProcess {
  url: string;
  child: ChildProcess;
  output: () => string;
  /** Sends SIGTERM and resolves with the exit code and how long it took. */
  stop(): Promise<{ code: number | null; ms: number }>;
}

/**
 * The config a server started with `env` will load, when its DATA_DIR is new or empty: such a server starts with the
 * run's remembered seed verifications (test/helpers/seed-verifications.ts), as an app built in the test's process
 * does. Its organisms are named as the server will find them. Null for a restart (its own store remembers) and for
 * an environment the server will refuse.
 */
async function freshDataDirConfig(env: Record<string, string | undefined>): Promise<Config | null> {
  const dataDir = env.DATA_DIR;
  // Relative paths resolve against the server's directory, which must then be this process's too.
  if (!dataDir || path.resolve(process.cwd()) !== path.resolve(BACKEND)) return null;
  if (existsSync(dataDir) && readdirSync(dataDir).length > 0) return null;
  try {
    const config = loadConfig(env);
    return config.organisms ? config : { ...config, organisms: await discoverOrganisms(config.organismsDir) };
  } catch {
    return null;
  }
}

/**
 * Starts the real server (src/server.ts through tsx) as its own process and waits for /health. On a new DATA_DIR it
 * is lent the run's seed verifications unless `freshSeeds` (for tests of a first start itself).
 */
export async function startServer(env: Record<string, string>, { startTimeoutMs = 90_000, freshSeeds = false } = {}): Promise<ServerProcess> {
  const port = env.PORT ? Number(env.PORT) : await freePort();
  let out = '';
  const server = orphanProof(process.execPath, ['--import', 'tsx', 'src/server.ts']);
  const serverEnv = { UV_THREADPOOL_SIZE: '16', VERIFY_PROPERTY_INPUTS: TEST_PROPERTY_INPUTS, ...process.env, LOG_LEVEL: 'warn', LOG_PRETTY: 'false', ...env, PORT: String(port), HOST: '127.0.0.1' };
  const lending = freshSeeds ? null : await freshDataDirConfig(serverEnv);
  if (lending) lendSeedVerifications(lending);
  const child = spawn(server.command, server.args, {
    cwd: BACKEND,
    env: serverEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = `http://127.0.0.1:${port}`;
  await waitFor(
    async () => {
      if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}:\n${out}`);
      return fetch(`${url}/health`).then((r) => r.status, () => 0);
    },
    (s) => s === 200,
    // A deadline, not a measurement: before it listens the server verifies every organism's genome 0 (a suite of
    // runs each), and on two saturated cores compiling it and probing the sandbox's layers took over 30 s.
    { what: `the server on ${url}`, timeoutMs: startTimeoutMs, intervalMs: 100 },
  ).catch((err: Error) => {
    // A server that did not come up in time must not run on (with its organisms) after the test gave up on it;
    // say what it said, since a start-up that never answers is otherwise a mystery.
    child.kill('SIGKILL');
    throw new Error(`${err.message}; its output ends with:\n${out.slice(-3000)}`);
  });
  if (lending) keepServerSeedVerifications(lending);
  return {
    url,
    child,
    output: () => out,
    async stop() {
      const started = Date.now();
      if (child.exitCode === null) child.kill('SIGTERM');
      const code = await exited;
      return { code, ms: Date.now() - started };
    },
  };
}

export async function api<T = any>(base: string, path: string, init?: RequestInit): Promise<T> {
  const res = await fetch(`${base}${path}`, {
    ...init,
    headers: init?.body ? { 'content-type': 'application/json', ...init.headers } : init?.headers,
  });
  const body = (await res.json()) as T;
  if (!res.ok) throw new Error(`${init?.method ?? 'GET'} ${path} -> ${res.status}: ${JSON.stringify(body)}`);
  return body;
}
