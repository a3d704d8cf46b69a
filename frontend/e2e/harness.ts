/**
 * Process plumbing for the end-to-end suite: free ports, the real backend (`pnpm --dir ../backend start`),
 * the built dashboard (`next build` + `next start`), and clean shutdowns of only what we started.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const FRONTEND_DIR = fileURLToPath(new URL('..', import.meta.url));
export const BACKEND_DIR = path.resolve(FRONTEND_DIR, '..', 'backend');
export const ARTIFACTS_DIR = path.join(FRONTEND_DIR, 'artifacts');
const NEXT_BIN = path.join(FRONTEND_DIR, 'node_modules', '.bin', 'next');
/**
 * Where the browser tests' build goes (next.config.ts reads NEXT_DIST_DIR): never `.next`, which holds the build
 * `./setup.sh` made for `pnpm start`, with the real backend's URL inlined.
 */
export const E2E_DIST_DIR = '.next-e2e';
const NEXT_ENV = { NEXT_TELEMETRY_DISABLED: '1', NODE_ENV: 'production', NEXT_DIST_DIR: E2E_DIST_DIR } as const;

/** What identifies a build in `dir` (its BUILD_ID and when it was written), or null when there is none. */
export function buildFingerprint(dir: string): string | null {
  try {
    const file = path.join(FRONTEND_DIR, dir, 'BUILD_ID');
    return `${readFileSync(file, 'utf8').trim()} ${statSync(file).mtimeMs}`;
  } catch {
    return null;
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Polls `probe` until it returns true, or fails naming `what`; gives up at once when `fatal` says why. */
export async function waitUntil(
  what: string,
  probe: () => Promise<boolean>,
  timeoutMs = 30_000,
  fatal: () => string | null = () => null,
  intervalMs = 200,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown = null;
  while (Date.now() < deadline) {
    const why = fatal();
    if (why) throw new Error(`Gave up waiting for ${what}: ${why}`);
    try {
      if (await probe()) return;
    } catch (e) {
      lastError = e;
    }
    await sleep(intervalMs);
  }
  throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}${lastError ? ` (last error: ${String(lastError)})` : ''}`);
}

export async function httpOk(url: string): Promise<boolean> {
  const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
  await res.arrayBuffer();
  return res.ok;
}

export interface Managed {
  child: ChildProcess;
  /** SIGTERM to the process group we started, SIGKILL after `graceMs`; resolves once it exited. */
  stop(graceMs?: number): Promise<void>;
  exited(): boolean;
}

/** Spawns a command in its own process group, with its output appended to artifacts/<logName>. */
function launch(cmd: string, args: string[], opts: { cwd: string; env: NodeJS.ProcessEnv; logName: string }): Managed {
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  const log = createWriteStream(path.join(ARTIFACTS_DIR, opts.logName), { flags: 'a' });
  log.write(`\n--- ${new Date().toISOString()} ${cmd} ${args.join(' ')}\n`);
  const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.pipe(log, { end: false });
  child.stderr?.pipe(log, { end: false });
  let done = false;
  const exit = new Promise<void>((resolve) =>
    child.once('exit', () => {
      done = true;
      resolve();
    }),
  );
  /** Signals every process of the group we started; false once the group is empty. */
  const signalGroup = (sig: NodeJS.Signals | 0): boolean => {
    if (child.pid === undefined) return false;
    try {
      process.kill(-child.pid, sig);
      return true;
    } catch {
      return false; // ESRCH: no process of that group is left.
    }
  };
  return {
    child,
    exited: () => done,
    async stop(graceMs = 10_000) {
      signalGroup('SIGTERM');
      // The group leader (pnpm) may exit before its children (tsx, node) do: wait for the whole group.
      const deadline = Date.now() + graceMs;
      while (signalGroup(0) && Date.now() < deadline) await sleep(100);
      if (signalGroup('SIGKILL')) {
        // Bounded: an unreaped zombie still counts as a group member.
        const killDeadline = Date.now() + 3000;
        while (signalGroup(0) && Date.now() < killDeadline) await sleep(50);
      }
      await Promise.race([exit, sleep(2000)]);
      log.end();
    },
  };
}

/** The last lines of an artifacts/ log, to put in an error message. */
export function logTail(logName: string, lines = 15): string {
  try {
    return readFileSync(path.join(ARTIFACTS_DIR, logName), 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

export interface BackendOptions {
  port: number;
  dataDir: string;
  frontendOrigin: string;
  /** Extra environment, e.g. OUROBOROS_TOKEN. */
  env?: Record<string, string>;
}

/** Starts the real backend and waits for GET /health to answer 200. */
export async function startBackend(o: BackendOptions): Promise<Managed & { url: string }> {
  const url = `http://127.0.0.1:${o.port}`;
  const proc = launch('pnpm', ['--dir', BACKEND_DIR, 'start'], {
    cwd: FRONTEND_DIR,
    logName: 'e2e-backend.log',
    env: {
      ...process.env,
      PORT: String(o.port),
      HOST: '127.0.0.1',
      DATA_DIR: o.dataDir,
      LOOP_INTERVAL_MS: '300',
      CORS_ORIGINS: o.frontendOrigin,
      LOG_PRETTY: 'false',
      ...o.env,
    },
  });
  try {
    // The backend verifies every organism's genome 0 before it listens: a suite of sandboxed runs each.
    await waitUntil(`the backend on ${url}/health`, () => httpOk(`${url}/health`), 120_000, () =>
      proc.exited() ? `the backend exited. artifacts/e2e-backend.log ends with:\n${logTail('e2e-backend.log')}` : null,
    );
  } catch (e) {
    await proc.stop();
    throw e;
  }
  return { ...proc, url };
}

/** `next build` into E2E_DIST_DIR with the backend URL inlined (NEXT_PUBLIC_ variables are fixed at build time). */
export async function buildFrontend(apiUrl: string): Promise<void> {
  const proc = launch(NEXT_BIN, ['build'], {
    cwd: FRONTEND_DIR,
    logName: 'e2e-build.log',
    env: { ...process.env, NEXT_PUBLIC_API_URL: apiUrl, ...NEXT_ENV },
  });
  const code = await new Promise<number | null>((resolve) => proc.child.once('exit', (c) => resolve(c)));
  await proc.stop(1000);
  if (code !== 0) throw new Error(`next build failed with exit code ${code}. artifacts/e2e-build.log ends with:\n${logTail('e2e-build.log', 30)}`);
}

/** `next start` of the E2E_DIST_DIR build on 127.0.0.1:<port>, waiting for the page to answer. */
export async function startFrontend(port: number): Promise<Managed & { url: string }> {
  const url = `http://127.0.0.1:${port}`;
  const proc = launch(NEXT_BIN, ['start', '-p', String(port), '-H', '127.0.0.1'], {
    cwd: FRONTEND_DIR,
    logName: 'e2e-frontend.log',
    env: { ...process.env, ...NEXT_ENV },
  });
  try {
    await waitUntil(`the dashboard on ${url}`, () => httpOk(url), 60_000, () =>
      proc.exited() ? `next start exited. artifacts/e2e-frontend.log ends with:\n${logTail('e2e-frontend.log')}` : null,
    );
  } catch (e) {
    await proc.stop();
    throw e;
  }
  return { ...proc, url };
}

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
