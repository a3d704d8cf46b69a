import { execFile } from 'node:child_process';
import { accessSync, chmodSync, constants, existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sandboxCommand } from './command.js';
import { inheritableFds } from './fds.js';
import { ensurePidDir, reapLeftovers, type ReapResult } from './pidfile.js';
import { defaultSandboxSettings, type LayerName, type OptionalLayer, type SandboxSettings } from './settings.js';
import type { Sandbox, SandboxLayer } from './types.js';

/**
 * What the probe script sees from inside a run. Detection runs it bare (to learn the node's version, flags and
 * address space), under each wrapper alone, and under the whole chain, and checks each answer.
 */
const PROBE = String.raw`'use strict';
const fs = require('fs');
const os = require('os');
const mode = process.argv[2];
const r = { pid: process.pid, ppid: process.ppid, uid: process.getuid ? process.getuid() : null, version: process.version };
const attempt = (f) => { try { f(); return 'allowed'; } catch (e) { return e.code || e.message; } };
if (mode === 'info') {
  const want = ['--permission', '--experimental-permission', '--disable-warning', '--disable-wasm-trap-handler'];
  r.flags = want.filter((f) => process.allowedNodeEnvironmentFlags.has(f));
  // Touch the thread pool first: its threads are part of what a run reserves.
  require('crypto').pbkdf2('a', 'b', 1, 32, 'sha256', () => {
    r.vmPeakKb = Number((/VmPeak:\s+(\d+)/.exec(fs.readFileSync('/proc/self/status', 'utf8')) || [0, 0])[1]);
    console.log(JSON.stringify(r));
  });
  return;
}
r.environ = attempt(() => fs.readFileSync('/proc/self/environ'));
r.secret = attempt(() => fs.readFileSync(process.argv[3]));
r.write = attempt(() => fs.appendFileSync(__filename, ''));
// Without the permission model these would succeed, and a worker does not fit the address-space limit.
if (process.permission) {
  r.spawn = attempt(() => require('child_process').spawnSync(process.execPath, ['-e', '0']));
  r.worker = attempt(() => new (require('worker_threads').Worker)('0', { eval: true }).terminate());
}
r.interfaces = Object.keys(os.networkInterfaces());
console.log(JSON.stringify(r));
`;

interface ProbeResult {
  pid: number;
  ppid: number;
  uid: number | null;
  version: string;
  flags?: string[];
  vmPeakKb?: number;
  environ?: string;
  secret?: string;
  write?: string;
  spawn?: string;
  worker?: string;
  interfaces?: string[];
}

type Probe = { ok: true; result: ProbeResult } | { ok: false; why: string };

const PROBE_TIMEOUT_MS = 15_000;

function run(command: string, args: string[], cwd: string): Promise<Probe> {
  return new Promise((resolve) => {
    try {
      runProbe(command, args, cwd, resolve);
    } catch (err) {
      resolve({ ok: false, why: `cannot run ${command}: ${(err as Error).message}` });
    }
  });
}

function runProbe(command: string, args: string[], cwd: string, resolve: (p: Probe) => void): void {
  {
    execFile(command, args, { cwd, env: {}, timeout: PROBE_TIMEOUT_MS, killSignal: 'SIGKILL', maxBuffer: 1 << 20 }, (err, stdout, stderr) => {
      const line = stdout.trim().split('\n').at(-1) ?? '';
      if (!err) {
        try {
          return resolve({ ok: true, result: JSON.parse(line) as ProbeResult });
        } catch {
          // fall through: report what it printed
        }
      }
      const said = `${stderr}`.split('\n').map((l) => l.trim()).filter((l) => l && !/ExperimentalWarning|--trace-warnings/.test(l));
      const why = said.at(0) ?? (err ? err.message.split('\n')[0]! : `printed ${JSON.stringify(line.slice(0, 120))}`);
      resolve({ ok: false, why: why.slice(0, 300) });
    });
  }
}

/** A tool of util-linux, by absolute path (organisms run with an empty environment, so no PATH). */
function findTool(name: string): string | null {
  const dirs = [...(process.env.PATH ?? '').split(':'), '/usr/bin', '/bin', '/usr/sbin', '/sbin'].filter(Boolean);
  for (const d of dirs) {
    const p = path.join(d, name);
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      // not here
    }
  }
  return null;
}

/** What the machine offers, probed once per process and node binary (the data directory is checked per call). */
interface Capabilities {
  nodeVersion: string;
  nodeError: string | null;
  permission: { flag: string } | { flag: null; why: string };
  warningFlags: string[];
  wasmFlags: string[];
  rlimits: { prlimit: string; baselineMb: number } | { why: string };
  parentDeath: { setpriv: string } | { why: string };
  uid: { setpriv: string } | { why: string };
  namespaces: {
    unshare: string | null;
    user: boolean;
    pid: { mountProc: boolean } | { why: string };
    net: true | { why: string };
  };
  /** The whole chain, run once with every available layer. */
  chain: { ok: true } | { ok: false; why: string; dropped: OptionalLayer[] };
}

const cache = new Map<string, Promise<Capabilities>>();

async function probeCapabilities(s: SandboxSettings): Promise<Capabilities> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ouroboros-sandbox-'));
  try {
    // The probe directory must be reachable by the unprivileged uid; the "secret" must not be readable by it.
    chmodSync(dir, 0o711);
    const probe = path.join(dir, 'probe.js');
    const secret = path.join(dir, 'secret');
    writeFileSync(probe, PROBE, { mode: 0o644 });
    chmodSync(probe, 0o644);
    writeFileSync(secret, 'secret\n', { mode: 0o600 });
    const check = [probe, 'check', secret];

    const info = await run(s.nodePath, ['--max-old-space-size=16', probe, 'info'], dir);
    if (!info.ok) return unprobed(`the organism's node (${s.nodePath}) does not run: ${info.why}`);
    const flags = info.result.flags ?? [];
    const nodeVersion = info.result.version;
    const permFlag = flags.includes('--permission') ? '--permission' : flags.includes('--experimental-permission') ? '--experimental-permission' : null;
    const warningFlags = flags.includes('--disable-warning') ? ['--disable-warning=ExperimentalWarning'] : [];
    // WebAssembly's trap handler reserves gigabytes of address space per memory, which the address-space limit
    // refuses: without it, WebAssembly (undici's HTTP parser, for one) still works, with bounds checks.
    const wasmFlags = flags.includes('--disable-wasm-trap-handler') ? ['--disable-wasm-trap-handler'] : [];
    const prlimit = findTool('prlimit');
    const setpriv = findTool('setpriv');
    const unshare = findTool('unshare');
    const root = process.getuid?.() === 0;

    const [perm, rl, pd, uid, pidns, netns] = await Promise.all([
      permFlag ? run(s.nodePath, [permFlag, `--allow-fs-read=${probe}`, ...warningFlags, ...check], dir) : null,
      prlimit ? run(prlimit, ['--core=0', `--as=${(Math.ceil((info.result.vmPeakKb ?? 0) / 1024) + 320) * 1024 * 1024}`, '--', s.nodePath, ...wasmFlags, ...check], dir) : null,
      setpriv ? run(setpriv, ['--pdeathsig', 'KILL', '--', s.nodePath, ...check], dir) : null,
      setpriv && root ? run(setpriv, [`--reuid=${s.uid}`, `--regid=${s.gid}`, '--clear-groups', '--no-new-privs', '--', s.nodePath, ...check], dir) : null,
      unshare ? run(unshare, [...(root ? [] : ['--user']), '--pid', '--fork', '--kill-child', '--mount-proc', '--', s.nodePath, ...check], dir) : null,
      unshare ? run(unshare, [...(root ? [] : ['--user']), '--net', '--', s.nodePath, ...check], dir) : null,
    ]);
    const pidnsPlain = unshare && pidns && !pidns.ok ? await run(unshare, [...(root ? [] : ['--user']), '--pid', '--fork', '--kill-child', '--', s.nodePath, ...check], dir) : null;

    const caps: Capabilities = {
      nodeVersion,
      nodeError: null,
      permission: !permFlag
        ? { flag: null, why: `node ${nodeVersion} has no permission model (Node 20.0 or newer has one)` }
        : !perm!.ok
          ? { flag: null, why: `node ${permFlag} failed: ${perm!.why}` }
          : ['environ', 'write', 'spawn', 'worker'].every((k) => (perm!.result as unknown as Record<string, string>)[k] === 'ERR_ACCESS_DENIED')
            ? { flag: permFlag }
            : { flag: null, why: `node ${permFlag} did not deny everything: ${JSON.stringify(perm!.result)}` },
      warningFlags,
      wasmFlags,
      rlimits: !prlimit
        ? { why: 'prlimit (util-linux) is not installed' }
        : !rl!.ok
          ? { why: `prlimit failed: ${rl!.why}` }
          : { prlimit, baselineMb: Math.ceil((info.result.vmPeakKb ?? 0) / 1024) + 64 },
      parentDeath: !setpriv ? { why: 'setpriv (util-linux) is not installed' } : !pd!.ok ? { why: `setpriv --pdeathsig failed: ${pd!.why}` } : { setpriv },
      uid: !root
        ? { why: `the server runs as uid ${process.getuid?.() ?? '?'}, not root, so it cannot give the organism another uid` }
        : !setpriv
          ? { why: 'setpriv (util-linux) is not installed' }
          : !uid!.ok
            ? { why: `setpriv --reuid=${s.uid} failed: ${uid!.why}` }
            : uid!.result.uid !== s.uid || uid!.result.secret !== 'EACCES'
              ? { why: `as uid ${s.uid} the probe saw uid ${uid!.result.uid} and read a 0600 file: ${uid!.result.secret}` }
              : { setpriv },
      namespaces: {
        unshare,
        user: !root,
        pid: !unshare
          ? { why: 'unshare (util-linux) is not installed' }
          : pidns!.ok && pidns!.result.pid === 1
            ? { mountProc: true }
            : pidnsPlain?.ok && pidnsPlain.result.pid === 1
              ? { mountProc: false }
              : { why: `unshare --pid failed: ${pidns!.ok ? `pid ${pidns!.result.pid}` : pidns!.why}${root ? '' : ' (needs root, or unprivileged user namespaces)'}` },
        net: !unshare
          ? { why: 'unshare (util-linux) is not installed' }
          : netns!.ok && (netns!.result.interfaces ?? []).every((i) => i === 'lo')
            ? true
            : { why: `unshare --net failed: ${netns!.ok ? `interfaces ${netns!.result.interfaces?.join(',')}` : netns!.why}${root ? '' : ' (needs root, or unprivileged user namespaces)'}` },
      },
      chain: { ok: true },
    };

    // Every layer worked alone; now all of them together, dropping the riskiest ones until the chain runs.
    const dropped: OptionalLayer[] = [];
    const order: OptionalLayer[] = ['net-namespace', 'pid-namespace', 'uid', 'parent-death', 'rlimits', 'permission'];
    let lastWhy = '';
    const everything = { ...s, disabled: new Set<OptionalLayer>() }; // probed once for any later choice of layers
    for (;;) {
      const sb = assemble(caps, everything, dropped, null);
      const cmd = sandboxCommand(sb, s.nodePath, { file: probe, maxOldSpaceMb: 32, timeLimitMs: 5000 });
      const full = await run(cmd.command, [...cmd.args.slice(0, -1), probe, 'check', secret], dir);
      const why = full.ok ? chainProblem(sb, full.result) : full.why;
      if (why === null) break;
      lastWhy = why;
      const next = order.find((l) => !dropped.includes(l) && isOn(sb, l));
      if (!next) break;
      dropped.push(next);
    }
    if (dropped.length > 0) caps.chain = { ok: false, why: lastWhy, dropped };
    return caps;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function chainProblem(sb: Sandbox, r: ProbeResult): string | null {
  if (sb.permissionFlag && r.environ !== 'ERR_ACCESS_DENIED') return `the permission model let it read /proc/self/environ (${r.environ})`;
  if (sb.uid && r.uid !== sb.uid.uid) return `it ran as uid ${r.uid}, not ${sb.uid.uid}`;
  if (sb.namespaces?.pid && r.pid !== 1) return `it was pid ${r.pid} instead of 1 in its namespace`;
  if (sb.namespaces?.net && (r.interfaces ?? []).some((i) => i !== 'lo')) return `it saw network interfaces ${r.interfaces?.join(',')}`;
  return null;
}

function isOn(sb: Sandbox, l: OptionalLayer): boolean {
  switch (l) {
    case 'permission':
      return sb.permissionFlag !== null;
    case 'rlimits':
      return sb.rlimits !== null;
    case 'parent-death':
      return sb.parentDeath !== null;
    case 'uid':
      return sb.uid !== null;
    case 'pid-namespace':
      return !!sb.namespaces?.pid;
    case 'net-namespace':
      return !!sb.namespaces?.net;
    case 'pidfile':
      return sb.pidDir !== null;
  }
}

export interface DetectOptions {
  settings?: SandboxSettings;
  /** DATA_DIR: the pidfiles live in DATA_DIR/pids, the store is made 0600, DATA_DIR searchable by the uid. */
  dataDir?: string | null;
}

/**
 * Tries each layer of the sandbox on this machine and returns what runs will use, with a report of which layers
 * are active and why a missing one is missing. Never throws for a missing layer. With a data directory it also
 * kills what a killed server left running (pidfiles), and prepares the directory for an unprivileged uid.
 */
export async function detectSandbox(opts: DetectOptions = {}): Promise<Sandbox> {
  const s = opts.settings ?? defaultSandboxSettings();
  const key = JSON.stringify([s.nodePath, s.uid, s.gid, s.enabled]);
  let caps = cache.get(key);
  if (!caps) {
    caps = (s.enabled ? probeCapabilities(s) : offCapabilities(s)).catch((err: Error) => unprobed(`cannot probe: ${err.message}`));
    cache.set(key, caps);
  }
  const c = await caps;
  const dataDir = opts.dataDir ? path.resolve(opts.dataDir) : null;
  const extra: Partial<Record<LayerName, string>> = {};
  let reaped: ReapResult | null = null;
  let pidDir: string | null = null;
  if (dataDir && s.enabled && !s.disabled.has('pidfile') && !existsSync('/proc/self/stat')) {
    extra.pidfile = 'no /proc to tell a leftover process from a reused pid';
  } else if (dataDir && s.enabled && !s.disabled.has('pidfile')) {
    pidDir = path.join(dataDir, 'pids');
    try {
      ensurePidDir(pidDir);
      reaped = reapLeftovers(pidDir);
    } catch (err) {
      extra.pidfile = `cannot use ${pidDir}: ${(err as Error).message}`;
      pidDir = null;
    }
  }
  let uidBlocked: Blocked | null = null;
  if (dataDir) {
    const store = protectStore(dataDir);
    if (store) extra.uid = store;
    if (s.enabled && !s.disabled.has('uid') && 'setpriv' in c.uid) uidBlocked = openDataDir(dataDir);
  }
  let caps2 = c;
  if (dataDir?.includes(',') && c.permission.flag === '--experimental-permission') {
    // Node 20 splits --allow-fs-read at commas: the run file could not be allowed.
    caps2 = { ...c, permission: { flag: null, why: `DATA_DIR (${dataDir}) holds a comma, which node ${c.nodeVersion}'s --allow-fs-read cannot express` } };
  }
  return assemble(caps2, s, c.chain.ok ? [] : c.chain.dropped, { dataDir, pidDir, reaped, uidBlocked, extra });
}

/** Nothing could be tried (no temporary directory, say): every optional layer is missing, for this reason. */
function unprobed(why: string): Capabilities {
  return {
    nodeVersion: 'unknown',
    nodeError: why,
    permission: { flag: null, why },
    warningFlags: [],
    wasmFlags: [],
    rlimits: { why },
    parentDeath: { why },
    uid: { why },
    namespaces: { unshare: null, user: false, pid: { why }, net: { why } },
    chain: { ok: true },
  };
}

async function offCapabilities(s: SandboxSettings): Promise<Capabilities> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ouroboros-sandbox-'));
  let version = 'unknown';
  try {
    writeFileSync(path.join(dir, 'probe.js'), PROBE);
    const info = await run(s.nodePath, [path.join(dir, 'probe.js'), 'info'], dir);
    if (info.ok) version = info.result.version;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return { ...unprobed('SANDBOX=off'), nodeVersion: version, nodeError: null };
}

/** The store holds every genome and the server's history: nobody but its owner reads it. */
function protectStore(dataDir: string): string | null {
  const problems: string[] = [];
  for (const suffix of ['', '-wal', '-shm', '-journal']) {
    const f = path.join(dataDir, `ouroboros.db${suffix}`);
    try {
      const st = statSync(f);
      if ((st.mode & 0o077) !== 0) chmodSync(f, st.mode & 0o700);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') problems.push(`${path.basename(f)}: ${(err as Error).message}`);
    }
  }
  return problems.length ? `could not make the store 0600 (${problems.join('; ')})` : null;
}

/** Why a layer cannot be used where DATA_DIR lives, and the one command that changes that. */
interface Blocked {
  why: string;
  fix: string | null;
}

/**
 * An unprivileged uid must be able to open the run files, by name only: DATA_DIR and the directories above it
 * need the search bit for others, never the read bit. Returns why it cannot (with the command that lets it), or null.
 */
function openDataDir(dataDir: string): Blocked | null {
  try {
    mkdirSync(dataDir, { recursive: true });
    for (const d of [dataDir, path.join(dataDir, 'organisms')]) {
      if (!existsSync(d)) continue;
      const st = statSync(d);
      if ((st.mode & 0o001) === 0) chmodSync(d, (st.mode & 0o7777) | 0o001);
    }
  } catch (err) {
    return { why: `cannot make ${dataDir} searchable: ${(err as Error).message}`, fix: null };
  }
  const closed: string[] = [];
  for (let d = path.dirname(dataDir); ; d = path.dirname(d)) {
    try {
      if ((statSync(d).mode & 0o001) === 0) closed.unshift(d);
    } catch (err) {
      return { why: `cannot check ${d}: ${(err as Error).message}`, fix: null };
    }
    if (d === path.dirname(d)) break;
  }
  if (closed.length === 0) return null;
  // Search only (x), never read: other users may pass through these folders by name, not list them.
  return {
    why: `the organism's uid cannot reach DATA_DIR (${dataDir}): ${closed.join(', ')} ${closed.length === 1 ? 'is' : 'are'} not searchable by other users`,
    fix: `chmod o+x ${closed.join(' ')}`,
  };
}

interface DataDirFacts {
  dataDir: string | null;
  pidDir: string | null;
  reaped: ReapResult | null;
  uidBlocked: Blocked | null;
  extra: Partial<Record<LayerName, string>>;
}

function assemble(c: Capabilities, s: SandboxSettings, dropped: readonly OptionalLayer[], d: DataDirFacts | null): Sandbox {
  const off = (l: OptionalLayer): string | null =>
    !s.enabled
      ? 'SANDBOX=off'
      : s.disabled.has(l)
        ? 'switched off by SANDBOX_DISABLE'
        : dropped.includes(l)
          ? `works alone but the whole chain failed with it${c.chain.ok ? '' : ` (${c.chain.why})`}, so it is off`
          : null;
  const layers: SandboxLayer[] = [];
  const add = (name: LayerName, active: boolean, detail: string, fix: string | null = null) => {
    const more = d?.extra[name];
    layers.push({ name, active, detail: more ? (detail ? `${detail}; ${more}` : more) : detail, ...(fix && !active ? { fix } : {}) });
  };

  const fds = inheritableFds();
  add(
    'environment',
    true,
    `an empty environment (none of the server's variables); stdin, stdout and stderr are pipes; ${
      fds.length === 0
        ? 'no other descriptor is inherited (all of the server\'s are close-on-exec)'
        : `the server holds ${fds.length} descriptor(s) without close-on-exec (${fds.slice(0, 8).join(', ')}), replaced by /dev/null in every run`
    }`,
  );

  const permOff = off('permission');
  const permission = permOff === null && c.permission.flag ? c.permission.flag : null;
  add(
    'permission',
    permission !== null,
    permission
      ? `node ${c.nodeVersion} ${permission} --allow-fs-read=<the run file>: reads only its own genome; no writes, child processes, workers, addons or WASI. It does not cover the network, inherited descriptors or signals`
      : (permOff ?? ('why' in c.permission ? c.permission.why : 'off')),
  );

  const rlOff = off('rlimits');
  const rlimits = rlOff === null && 'prlimit' in c.rlimits ? c.rlimits : null;
  add(
    'rlimits',
    rlimits !== null,
    rlimits
      ? `prlimit: address space ${rlimits.baselineMb} MB (an idle node) + 2 × heap + 256 MB${
          c.wasmFlags.length ? ' (WebAssembly without its trap handler, which would reserve gigabytes)' : ' (this node cannot drop the WebAssembly trap handler, so WebAssembly memory is refused)'
        }, CPU time 2 × the time limit + 1 s, file size 0, no core dumps, 256 open files, 512 processes for its uid${
          d && process.getuid?.() === 0 && !(off('uid') === null && 'setpriv' in c.uid && !d.uidBlocked) ? ' (not enforced on root)' : ''
        }; besides --max-old-space-size (heap), the wall-time limit (SIGTERM, then SIGKILL) and the output cap, which are always on`
      : `${rlOff ?? ('why' in c.rlimits ? c.rlimits.why : 'off')}; still on: --max-old-space-size (heap), the wall-time limit (SIGTERM, then SIGKILL) and the output cap`,
  );

  add('process-group', true, 'its own process group (session), signalled as a whole: SIGTERM at the time limit, SIGKILL after the grace period and when the run ends');

  const pidOff = off('pidfile');
  const pidDir = pidOff === null && d?.pidDir ? d.pidDir : null;
  add(
    'pidfile',
    pidDir !== null,
    pidDir
      ? `a pidfile per run in ${pidDir}; at start, the process groups of runs left by a killed server are killed${
          d?.reaped ? ` (this start: ${d.reaped.files} pidfile(s), ${d.reaped.killed.length} process(es) killed)` : ''
        }`
      : (pidOff ?? (d?.extra.pidfile ? '' : 'no data directory given')),
  );

  const pdOff = off('parent-death');
  const parentDeath = pdOff === null && 'setpriv' in c.parentDeath ? c.parentDeath : null;
  add(
    'parent-death',
    parentDeath !== null,
    parentDeath ? 'setpriv --pdeathsig KILL: the organism is killed when the server dies, even by SIGKILL' : (pdOff ?? ('why' in c.parentDeath ? c.parentDeath.why : 'off')),
  );

  const uidOff = off('uid');
  const uidOk = uidOff === null && 'setpriv' in c.uid && !d?.uidBlocked;
  const uid = uidOk && 'setpriv' in c.uid ? { setpriv: c.uid.setpriv, uid: s.uid, gid: s.gid } : null;
  add(
    'uid',
    uid !== null,
    uid
      ? `runs as uid ${s.uid}, gid ${s.gid}, no supplementary groups or capabilities, no-new-privs: it cannot read the store (0600), write the genome or signal the server`
      : (uidOff ?? d?.uidBlocked?.why ?? ('why' in c.uid ? c.uid.why : 'off')),
    uidOff === null ? (d?.uidBlocked?.fix ?? null) : null,
  );

  const ns = c.namespaces;
  const pidNsOff = off('pid-namespace');
  const pidNs = pidNsOff === null && ns.unshare !== null && 'mountProc' in ns.pid ? ns.pid : null;
  add(
    'pid-namespace',
    pidNs !== null,
    pidNs
      ? `unshare --pid${ns.user ? ' --user' : ''}${pidNs.mountProc ? ' --mount-proc' : ''}: the organism is PID 1 of its own namespace and sees no other process (its parent is pid 0); when it dies everything it started dies. As PID 1 it ignores SIGTERM unless it handles it, so a hung run ends by SIGKILL after the grace period`
      : (pidNsOff ?? ('why' in ns.pid ? ns.pid.why : 'off')),
  );
  const netNsOff = off('net-namespace');
  const netNs = netNsOff === null && ns.unshare !== null && ns.net === true;
  add(
    'net-namespace',
    netNs,
    netNs ? 'unshare --net: no network at all, not even the loopback: it cannot reach the API or anything else' : (netNsOff ?? (ns.net !== true ? ns.net.why : 'off')),
  );

  return {
    report: { node: { path: s.nodePath, version: c.nodeVersion }, active: layers.filter((l) => l.active).map((l) => l.name), layers },
    nodePath: s.nodePath,
    nodeVersion: c.nodeVersion,
    permissionFlag: permission,
    nodeFlags: [...(permission ? c.warningFlags : []), ...(rlimits ? c.wasmFlags : [])],
    rlimits,
    parentDeath,
    uid,
    namespaces: ns.unshare && (pidNs || netNs) ? { unshare: ns.unshare, user: ns.user, pid: pidNs !== null, mountProc: pidNs?.mountProc ?? false, net: netNs } : null,
    pidDir,
    dataDir: d?.dataDir ?? null,
  };
}

/** Forgets what was probed (tests that change the machine's answers). */
export function clearSandboxCache(): void {
  cache.clear();
}

/**
 * The sandbox in the start-up log, for a person reading it: which layers are on (one line), and each missing one
 * on its own line. A warning only where the reader can act: a missing layer with a fix names the command; one that
 * this machine or this user cannot have (no root, no user namespaces) is information.
 */
export function sandboxStartupLines(sb: Sandbox): { level: 'info' | 'warn'; text: string }[] {
  const on = sb.report.layers.filter((l) => l.active).map((l) => l.name);
  const lines: { level: 'info' | 'warn'; text: string }[] = [{ level: 'info', text: `sandbox for organisms on node ${sb.nodeVersion}: ${on.join(', ')}` }];
  for (const l of sb.report.layers.filter((x) => !x.active)) {
    lines.push(
      l.fix
        ? { level: 'warn', text: `sandbox layer ${l.name} is off: ${l.detail}. To turn it on, run: ${l.fix} (then restart)` }
        : { level: 'info', text: `sandbox layer ${l.name} is not available here: ${l.detail}` },
    );
  }
  return lines;
}
