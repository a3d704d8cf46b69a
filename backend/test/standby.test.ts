import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { detectSandbox, type Sandbox } from '../src/sandbox/index.js';
import { execChild } from '../src/spawner/exec-child.js';
import type { ExecResult } from '../src/spawner/exec-spec.js';
import { standbyKey, Standbys } from '../src/spawner/standby.js';
import { planChild, type ChildRunOptions } from '../src/watcher/child-process.js';
import { tempDir, waitFor } from './helpers/fixtures.js';

// STANDBY_RUNS (src/spawner/standby.ts): a run's process started ahead of it, with every layer of the detected
// sandbox, that runs the genome's file when it is given. Each test compares it with a cold start of the same run.

const tmp = tempDir('ouroboros-standby-');
const runDir = path.join(tmp.dir, 'run');
let sandbox: Sandbox;
const pools: Standbys[] = [];
let n = 0;

beforeAll(async () => {
  sandbox = await detectSandbox({ dataDir: tmp.dir });
  mkdirSync(runDir, { recursive: true });
}, 60_000);

afterEach(() => {
  for (const p of pools.splice(0)) p.close();
});

afterAll(() => {
  for (const p of pools) p.close();
  tmp.cleanup();
});

function pool(o: ConstructorParameters<typeof Standbys>[0] = {}): Standbys {
  const p = new Standbys(o);
  pools.push(p);
  return p;
}

/** A run's file in the run directory, as the scratch directory writes it, and its plan with the sandbox. */
function plan(source: string, stdin: string, o: Partial<ChildRunOptions> = {}) {
  const file = path.join(runDir, `g${++n}.js`);
  writeFileSync(file, source, { mode: 0o644 });
  const p = planChild({ file, cwd: runDir, stdin, timeLimitMs: 5000, maxOldSpaceMb: 64, outputCapBytes: 64 * 1024, outputKillBytes: 1 << 20, killGraceMs: 200, sandbox, standby: true, ...o });
  return { file, spec: p.exec, finish: p.finish };
}

/** Makes a standby of `source`'s shape ready (two cold runs first, as the spawner does) and waits until it waits. */
async function readyPool(p: Standbys, source = 'process.exit(0)'): Promise<void> {
  for (let k = 0; k < 2; k++) {
    const { spec } = plan(source, '');
    await execChild(spec);
    p.keepReady(spec);
  }
  expect(p.size).toBe(1);
  // The bootstrap is up once its process reads stdin; a run given earlier would only wait for it, as it may.
  await new Promise((resolve) => setTimeout(resolve, 300));
}

const standbyFiles = () => readdirSync(runDir).filter((f) => f.startsWith('.standby-'));

// Reports what a cold start of the same file would see: its argv, its main module, its stdin.
const INTROSPECT = `
let input = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (c) => (input += c));
process.stdin.on('end', () => {
  console.log(JSON.stringify({
    argc: process.argv.length,
    argvIsFile: process.argv[1] === __filename,
    main: require.main === module,
    input,
  }));
});
`;

describe('standby runs', () => {
  it('runs the genome as a cold start would: its own argv, main module and stdin, the same output and exit code', async () => {
    const p = pool();
    await readyPool(p, INTROSPECT);
    const stdin = JSON.stringify({ values: Array.from({ length: 5000 }, (_, i) => i) });
    const cold = plan(INTROSPECT, stdin);
    const warm = plan(INTROSPECT, stdin);
    const coldResult = cold.finish(await execChild(cold.spec));
    const taken = p.take(warm.spec);
    expect(taken).not.toBeNull();
    const warmResult = warm.finish((await taken)!);
    expect(p.counts.taken).toBe(1);
    for (const r of [coldResult, warmResult]) {
      expect(r).toMatchObject({ exitCode: 0, signal: null, timedOut: false, outputLimited: false, spawnError: null });
      expect(JSON.parse(r.stdout)).toEqual({ argc: 2, argvIsFile: true, main: true, input: stdin });
    }
    expect(warmResult.stderr).toBe(coldResult.stderr);
    // The standby's files are gone, and the caller's file has its one link again (its own check counts them).
    expect(standbyFiles()).toEqual([]);
    expect(statSync(warm.file).nlink).toBe(1);
  }, 60_000);

  it('gives a thrown error, its exit code and its stderr as a cold start does', async () => {
    const p = pool();
    const source = `console.log('before'); throw new TypeError('bad input ' + 42);`;
    await readyPool(p, source);
    const cold = plan(source, '{}');
    const warm = plan(source, '{}');
    const c = cold.finish(await execChild(cold.spec));
    const w = warm.finish((await p.take(warm.spec))!);
    expect(w.exitCode).toBe(c.exitCode);
    expect(c.exitCode).toBe(1);
    expect(w.stdout).toBe('before\n');
    expect(w.stderr).toContain('TypeError: bad input 42');
    expect(c.stderr).toContain('TypeError: bad input 42');
  }, 60_000);

  it('counts the time limit from the moment the run is given, and kills a hang at it', async () => {
    const p = pool();
    await readyPool(p);
    // Waited longer than the run's whole time limit (1 s) before it was given: a quick genome still passes.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const quick = plan('console.log("done")', '', { timeLimitMs: 1000 });
    // Another shape (its time limit differs): no standby of its own yet.
    expect(p.take(quick.spec)).toBeNull();
    p.keepReady(quick.spec);
    p.keepReady(quick.spec);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const r = (await p.take(plan('console.log("done")', '', { timeLimitMs: 1000 }).spec))!;
    expect(r).toMatchObject({ exitCode: 0, timedOut: false, stdout: 'done\n' });
    expect(r.durationMs).toBeLessThan(1000);
    p.keepReady(quick.spec);
    const hang = (await waitFor(() => p.take(plan('for (;;) {}', '', { timeLimitMs: 1000 }).spec), (t) => t !== null, { what: 'the next standby' }))!;
    const h: ExecResult = await hang;
    expect(h.timedOut).toBe(true);
    expect(h.exitCode === 0 && h.signal === null).toBe(false);
  }, 60_000);

  it('keeps one standby per shape, ends it after its age and starts another while runs of its shape come', async () => {
    const p = pool({ maxAgeMs: 800, keepMs: 60_000 });
    const { spec } = plan('process.exit(0)', '');
    const other = plan('process.exit(0)', '', { maxOldSpaceMb: 96 }).spec;
    expect(standbyKey(spec)).not.toBe(standbyKey(other));
    expect(standbyKey(spec)).toBe(standbyKey(plan('different source', 'different input').spec));
    // A shape seen once gets none: it may never come again (each measurement's command line is new).
    p.keepReady(other);
    p.keepReady(spec);
    expect(p.counts.started).toBe(0);
    p.keepReady(spec);
    p.keepReady(spec);
    expect(p.counts.started).toBe(1);
    await waitFor(() => p.counts.started, (s) => s >= 3, { what: 'two renewals of the standby', timeoutMs: 30_000 });
    expect(p.size).toBe(1);
    // One bootstrap at a time on disk: an ended standby's files went with it.
    await waitFor(standbyFiles, (f) => f.length === 1, { what: 'one standby file' });
    p.close();
    expect(p.size).toBe(0);
    await waitFor(standbyFiles, (f) => f.length === 0, { what: 'the standby files to go' });
  }, 60_000);

  it('answers null when its standby died waiting, and the run starts cold', async () => {
    const p = pool();
    const { spec } = plan('process.exit(0)', '');
    p.keepReady(spec);
    p.keepReady(spec);
    // The standby's group is killed from outside while it waits.
    const [pid] = p.pids();
    expect(pid).toBeGreaterThan(0);
    process.kill(-pid!, 'SIGKILL');
    await waitFor(() => p.size, (s) => s === 0, { what: 'the dead standby to be dropped' });
    expect(p.take(plan('process.exit(0)', '').spec)).toBeNull();
    expect(standbyFiles()).toEqual([]);
  }, 60_000);

  it('never gives a run to a standby that died before its end was reported', async () => {
    const p = pool();
    const { spec } = plan('process.exit(0)', '');
    p.keepReady(spec);
    p.keepReady(spec);
    const [pid] = p.pids();
    await new Promise((resolve) => setTimeout(resolve, 300));
    process.kill(-pid!, 'SIGKILL');
    // Blocked here until the kernel has it as a zombie: this process has not heard of its end yet.
    const stateOf = () => {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      return stat.charAt(stat.lastIndexOf(')') + 2);
    };
    for (let i = 0; i < 500 && stateOf() !== 'Z'; i++) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
    expect(stateOf()).toBe('Z');
    expect(p.take(plan('process.exit(0)', '').spec)).toBeNull();
    expect(p.size).toBe(0);
  }, 60_000);
});
