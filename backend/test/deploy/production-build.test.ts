import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/fixtures.js';
import { freePort } from '../helpers/server-process.js';
import { readDockerfile, replay, type ReplayedStage, type SkipRule } from './dockerfile.js';

/**
 * The backend as the Docker image builds and runs it, without Docker: the Dockerfile's COPY and RUN steps are
 * replayed in temporary directories (from the working tree, honouring .dockerignore), then the runtime stage's
 * ENTRYPOINT and CMD are started with its ENV, and the result is exercised the way a platform would.
 *
 * What differs from a real image: Node is this machine's (the image has Node 24), the platform steps below are
 * skipped, tini is left out when it is not installed, and the pnpm store is this machine's (so better-sqlite3's
 * addon, built once, is reused instead of compiled again).
 */
const SKIP: SkipRule[] = [
  { pattern: /^apt-get update\b/, why: 'system packages (compilers, tini); this machine has its own' },
  { pattern: /^npm install --global pnpm@10$/, why: 'pnpm 10 is installed here (checked below)' },
  { pattern: /^mkdir -p \/data && chown node:node \/data$/, why: "the image's own /data; each server here gets a temporary DATA_DIR" },
];

const asRoot = process.getuid?.() === 0;
/** A deployed server listens on :: and refuses changes without a token: the test deploys with one. */
const TOKEN = randomBytes(24).toString('hex');
/** Stands in for the image's "node" user when the tests run as root: a user that exists on any Debian. */
const UNPRIVILEGED = 'nobody';

let work: string;
let runtime: ReplayedStage;
const used = new Set<SkipRule>();

function ipv6Works(): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen(0, '::', () => srv.close(() => resolve(true)));
  });
}

/**
 * The runtime stage's ENTRYPOINT followed by its CMD. Programs the Dockerfile put in the image (the entrypoint
 * script) are taken from the replayed tree; the others (node, tini) from this machine. Without tini installed
 * here the server runs without it.
 */
function command(): string[] {
  let argv = [...runtime.entrypoint, ...runtime.cmd];
  if (argv[0] === 'tini' && spawnSync('sh', ['-c', 'command -v tini']).status !== 0) argv = argv.slice(argv[1] === '--' ? 2 : 1);
  return argv.map((word) => {
    if (word.includes('/') || word.startsWith('-')) return word;
    return ['/usr/local/bin', '/usr/bin', '/bin'].map((d) => runtime.map(path.join(d, word))).find((p) => existsSync(p)) ?? word;
  });
}

let hostEnv: string;
function serverEnv(dataDir: string, port: number, extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
    ...runtime.env,
    PORT: String(port),
    HOST: hostEnv,
    DATA_DIR: dataDir,
    ORGANISMS_DIR: runtime.map(runtime.env.ORGANISMS_DIR!),
    OUROBOROS_TOKEN: TOKEN,
    ...(asRoot ? { OUROBOROS_USER: UNPRIVILEGED } : {}),
    ...extra,
  };
}

interface Server {
  url: string;
  port: number;
  child: ChildProcess;
  output: () => string;
  stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null; ms: number }>;
}

async function startServer(dataDir: string): Promise<Server> {
  const port = await freePort();
  const [program, ...args] = command();
  let out = '';
  const child = spawn(program!, args, { cwd: runtime.workdir, env: serverEnv(dataDir, port), stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const url = `http://127.0.0.1:${port}`;
  await waitFor(
    async () => {
      if (child.exitCode !== null) throw new Error(`the server exited with ${child.exitCode}:\n${out}`);
      return fetch(`${url}/health`).then((r) => r.status, () => 0);
    },
    (s) => s === 200,
    // It verifies every organism's genome 0 before it listens.
    { what: `the production server on ${url}`, timeoutMs: 90_000, intervalMs: 100 },
  );
  return {
    url,
    port,
    child,
    output: () => out,
    async stop() {
      const started = Date.now();
      if (child.exitCode === null) child.kill('SIGTERM');
      const r = await exited;
      return { ...r, ms: Date.now() - started };
    },
  };
}

async function api<T = any>(server: Server, route: string, init?: RequestInit): Promise<T> {
  const res = await fetch(`${server.url}${route}`, {
    ...init,
    headers: init?.body ? { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` } : undefined,
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${init?.method ?? 'GET'} ${route} -> ${res.status}: ${text}`);
  return (route === '/metrics' ? text : JSON.parse(text)) as T;
}

/** Processes whose command line mentions a path: an organism run leaves its DATA_DIR in its arguments. */
function processesMentioning(p: string): string[] {
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
      const state = /^State:\s+(\S)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
      if (cmdline.includes(p) && state !== 'Z') found.push(`${pid}: ${cmdline}`);
    } catch {
      // Gone while reading.
    }
  }
  return found;
}

function uidOf(pid: number): number {
  const m = /^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m?.[1]);
}

/** The Node process of the server: the spawned process itself, or tini's child when tini is in front. */
function nodePid(pid: number): number {
  if (readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'node') return pid;
  for (const child of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      if (/^PPid:\s+(\d+)/m.exec(readFileSync(`/proc/${child}/status`, 'utf8'))?.[1] === String(pid)) return nodePid(Number(child));
    } catch {
      // Gone while reading.
    }
  }
  throw new Error(`no node process under ${pid}`);
}

describe('the production backend, built the way the Dockerfile builds it', () => {
  beforeAll(async () => {
    const pnpm = spawnSync('pnpm', ['--version'], { encoding: 'utf8' });
    expect(pnpm.stdout.trim(), 'the Dockerfile installs pnpm 10; the replay uses this machine\'s').toMatch(/^10\./);
    hostEnv = (await ipv6Works()) ? '::' : '127.0.0.1';
    work = mkdtempSync(path.join(os.tmpdir(), 'ouroboros-image-'));
    // The server runs as an unprivileged user when the tests run as root: it must be able to reach its files.
    chmodSync(work, 0o755);
    const dockerfile = readDockerfile();
    const stages = replay(dockerfile, {
      into: work,
      skip: SKIP,
      onSkip: (rule) => used.add(rule),
      // DEPLOY_TEST_VERBOSE=1 shows each step and its duration.
      ...(process.env.DEPLOY_TEST_VERBOSE ? { log: (line: string) => console.log(line) } : {}),
      env: { PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin', HOME: os.homedir(), npm_config_prefer_offline: 'true' },
    });
    runtime = [...stages.values()].at(-1)!;
  }, 240_000);

  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('replays every RUN step except the platform ones, and each of those still exists', () => {
    expect(runtime.name).toBe('runtime');
    expect([...used]).toHaveLength(SKIP.length);
  });

  it('ships compiled JavaScript, production dependencies only, and the organisms', () => {
    const backend = runtime.map('/app/backend');
    expect(runtime.workdir).toBe(backend);
    expect(existsSync(path.join(backend, 'dist/server.js'))).toBe(true);
    expect(existsSync(path.join(backend, 'dist/metrics/index.js'))).toBe(true);
    expect(existsSync(path.join(backend, 'src')), 'no TypeScript sources').toBe(false);
    const compiled = readdirSync(path.join(backend, 'dist'), { recursive: true }).map(String);
    expect(compiled.filter((f) => /\.test\.js$/.test(f)), 'no tests in dist').toEqual([]);
    const packages = readdirSync(runtime.map('/app/node_modules/.pnpm'));
    for (const dev of ['typescript@', 'vitest@', 'fast-check@', 'pino-pretty@', '@types+node@', 'smol-toml@']) {
      expect(packages.filter((p) => p.startsWith(dev)), `${dev} is a devDependency`).toEqual([]);
    }
    for (const prod of ['fastify@', 'better-sqlite3@', 'prom-client@', 'zod@']) {
      expect(packages.some((p) => p.startsWith(prod)), prod).toBe(true);
    }
    expect(existsSync(runtime.map('/app/organisms/bubble-sort/manifest.json'))).toBe(true);
    expect(runtime.env).toMatchObject({ NODE_ENV: 'production', HOST: '::', DATA_DIR: '/data', ORGANISMS_DIR: '/app/organisms' });
  });

  it('refuses a wrong configuration at start, naming the variable', () => {
    const dataDir = path.join(work, 'data-config');
    mkdirSync(dataDir);
    const [program, ...args] = command();
    const r = spawnSync(program!, args, { cwd: runtime.workdir, env: serverEnv(dataDir, 1, { PORT: 'abc' }), encoding: 'utf8', timeout: 20_000 });
    expect(r.status).not.toBe(0);
    expect(r.status).toBe(78);
    expect(r.stderr).toContain('PORT');
  });

  describe('running', () => {
    let dataDir: string;
    let server: Server;
    let before: { status: any; genomes: any };

    beforeAll(async () => {
      dataDir = path.join(work, 'data');
      mkdirSync(dataDir);
      server = await startServer(dataDir);
    }, 120_000);
    afterAll(async () => {
      await server?.stop();
    });

    it('answers /health, runs as an unprivileged user, and passes the image HEALTHCHECK', async () => {
      expect(await api(server, '/health')).toMatchObject({ status: 'ok', watcher: 'alive' });
      if (asRoot) expect(uidOf(nodePid(server.child.pid!)), 'the entrypoint drops root').not.toBe(0);
      const check = runtime.healthcheck!;
      const r = spawnSync(check[0]!, check.slice(1), { env: { PATH: process.env.PATH!, PORT: String(server.port) }, timeout: 10_000 });
      expect(r.status).toBe(0);
      // The production log is JSON lines, for the platform's log search.
      const line = server.output().split('\n').find((l) => l.startsWith('{'));
      expect(JSON.parse(line!)).toMatchObject({ level: expect.any(Number), msg: expect.any(String) });
    });

    it('heals a chaos round trip and counts it in /metrics', async () => {
      await waitFor(() => api(server, '/status'), (s) => s.state === 'healthy' && s.stats.totalRuns >= 1, { what: 'healthy' });
      // On :: a change needs the token.
      const refused = await fetch(`${server.url}/chaos`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ chaos_type: 'syntax_error' }),
      });
      expect(refused.status).toBe(401);
      const chaos = await api(server, '/chaos', { method: 'POST', body: JSON.stringify({ chaos_type: 'syntax_error' }) });
      expect(chaos).toMatchObject({ chaos_type: 'syntax_error', generation: 1 });
      const healed = await waitFor(
        () => api(server, '/status'),
        (s) => s.state === 'healthy' && s.generation === chaos.generation + 1,
        { what: 'healthy again after the chaos', timeoutMs: 30_000 },
      );
      expect(healed.lastMutation.cause).toBe('heal');

      const metrics = await api<string>(server, '/metrics');
      expect(metrics).toMatch(/^ouroboros_chaos_injected_total\{organism="bubble-sort",type="syntax_error"\} 1$/m);
      expect(metrics).toMatch(/^ouroboros_heals_total\{organism="bubble-sort",strategy="[^"]+"\} 1$/m);
      expect(metrics).toMatch(/^ouroboros_time_to_detect_seconds_count\{organism="bubble-sort",cause="chaos",verdict="crashed"\} 1$/m);
      expect(metrics).toMatch(/^ouroboros_time_to_heal_seconds_count\{organism="bubble-sort",strategy="[^"]+"\} 1$/m);
      expect(metrics).toMatch(new RegExp(`^ouroboros_generation\\{organism="bubble-sort"\\} ${chaos.generation + 1}$`, 'm'));
      expect(metrics).toMatch(/^ouroboros_runs_total\{organism="bubble-sort",verdict="ok"\} [1-9]\d*$/m);
      expect(metrics).toMatch(/^process_cpu_seconds_total \d/m);
    });

    it('stops on SIGTERM within 5 s with exit code 0, leaving no organism running', async () => {
      before = { status: await api(server, '/status'), genomes: await api(server, '/genomes') };
      const { code, signal, ms } = await server.stop();
      expect({ code, signal }).toEqual({ code: 0, signal: null });
      expect(ms).toBeLessThan(5000);
      expect(processesMentioning(dataDir)).toEqual([]);
      const check = runtime.healthcheck!;
      const r = spawnSync(check[0]!, check.slice(1), { env: { PATH: process.env.PATH!, PORT: String(server.port) }, timeout: 10_000 });
      expect(r.status, 'the HEALTHCHECK fails once the server is gone').toBe(1);
    });

    it('comes back on the same DATA_DIR with the same generation and history', async () => {
      server = await startServer(dataDir);
      const status = await api(server, '/status');
      expect(status.generation).toBe(before.status.generation);
      expect(status.genomeId).toBe(before.status.genomeId);
      expect(status.stats.totalRuns).toBeGreaterThanOrEqual(before.status.stats.totalRuns);
      const genomes = await api(server, '/genomes');
      const ids = (g: any) => g.genomes.map((x: any) => `${x.generation} ${x.id} ${x.cause}`);
      expect(ids(genomes)).toEqual(ids(before.genomes));
      expect(ids(genomes).map((s: string) => s.split(' ')[2])).toEqual(['heal', 'chaos', 'seed']);
    }, 60_000);
  });
});
