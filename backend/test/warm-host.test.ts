import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scratchDirAt, type ScratchDir } from '../src/files/scratch.js';
import { loadOrganism, type Organism } from '../src/organism/manifest.js';
import { WarmHost, type WarmHostOptions } from '../src/runner/batch/warm-host.js';
import { detectSandbox, type Sandbox } from '../src/sandbox/index.js';
import { REAL_ORGANISMS, tempDir, waitFor } from './helpers/fixtures.js';
import { api, startServer } from './helpers/server-process.js';

// ROUTINE_RUNS=contexts: a warm host per organism (src/runner/batch/warm-host.ts), a real sandboxed process started by
// the spawner, that runs each routine run of the live genome in a fresh vm context.

const tmp = tempDir('ouroboros-warm-');
let sandbox: Sandbox;
let organism: Organism;
let scratch: ScratchDir;
const hosts: WarmHost[] = [];

beforeAll(async () => {
  sandbox = await detectSandbox({ dataDir: tmp.dir });
  organism = await loadOrganism(REAL_ORGANISMS, 'bubble-sort');
  const run = path.join(tmp.dir, 'organisms', 'bubble-sort', 'run');
  mkdirSync(run, { recursive: true });
  scratch = scratchDirAt(run);
}, 60_000);

afterAll(async () => {
  await Promise.all(hosts.map((h) => h.close()));
  tmp.cleanup();
});

function warmHost(o: Partial<WarmHostOptions> = {}): WarmHost {
  const h = new WarmHost({
    scratch,
    organism: 'bubble-sort',
    timeLimitMs: organism.manifest.timeLimitMs,
    maxOldSpaceMb: organism.manifest.maxOldSpaceMb,
    outputCapBytes: 16 * 1024,
    outputKillBytes: 64 * 16 * 1024,
    killGraceMs: 300,
    sandbox,
    ...o,
  });
  hosts.push(h);
  return h;
}

/** Processes whose command line names this test's run directory: the hosts (and the sandbox's wrappers around them). */
const processesOfTmp = () => processesOfDir(tmp.dir);

const input = (values: number[]) => JSON.stringify({ values });

/** The host's answer for `source` on `stdin`, once it has started (null until then). */
async function warmRun(h: WarmHost, source: string, stdin: string) {
  return waitFor(() => h.run(source, stdin), (r) => r !== null, { what: 'an answer from the warm host', intervalMs: 50 });
}

describe('warm host', () => {
  it('answers many runs of one genome from one host process, each in a fresh context, and ends it on close', async () => {
    const h = warmHost();
    const first = (await warmRun(h, organism.seedSource, input([3, 1, 2])))!;
    expect(first).toMatchObject({ via: 'context', exitCode: 0, timedOut: false, pid: null });
    expect(first.stdout.trim().split('\n').at(-1)).toBe('[1,2,3]');
    const running = processesOfTmp();
    expect(running.length).toBeGreaterThan(0);
    for (let k = 0; k < 20; k++) {
      const r = await h.run(organism.seedSource, input([k, -k, 7]));
      expect(r?.stdout.trim().split('\n').at(-1)).toBe(JSON.stringify([-k, k, 7].sort((a, b) => a - b)));
    }
    // One host for them all: no process was started per run.
    expect(h.counts).toEqual({ started: 1, answered: 21 });
    expect(processesOfTmp()).toEqual(running);
    await h.close();
    await waitFor(processesOfTmp, (p) => p.length === 0, { what: 'the host to exit' });
  }, 90_000);

  it('keeps no state from one run to the next', async () => {
    const h = warmHost();
    const source = `globalThis.count = (globalThis.count || 0) + 1; Object.prototype.leak = 'x';
let s = ''; process.stdin.on('data', (c) => (s += c));
process.stdin.on('end', () => console.log(JSON.stringify(globalThis.count === 1 && ({}).leak === 'x' ? JSON.parse(s).values.sort((a, b) => a - b) : ['state left behind'])));`;
    await warmRun(h, source, input([2, 1]));
    const again = await h.run(source, input([2, 1]));
    expect(again?.stdout.trim()).toBe('[1,2]');
    await h.close();
  }, 90_000);

  it('starts a host for a new genome and ends the old one', async () => {
    const h = warmHost();
    await warmRun(h, organism.seedSource, input([2, 1]));
    const reversed = organism.seedSource.replace('console.log(JSON.stringify(result.values));', 'console.log(JSON.stringify(result.values.reverse()));');
    expect(reversed).not.toBe(organism.seedSource);
    // The new genome's first run has no answer yet: its host is starting.
    expect(await h.run(reversed, input([2, 1]))).toBeNull();
    const r = await warmRun(h, reversed, input([2, 1, 3]));
    expect(r?.stdout.trim().split('\n').at(-1)).toBe('[3,2,1]');
    expect(h.counts.started).toBe(2);
    await h.close();
    await waitFor(processesOfTmp, (p) => p.length === 0, { what: 'both hosts to exit' });
  }, 90_000);

  it('has no answer for an input that needs more than a context, and reports a crash and a hang as they happened', async () => {
    const h = warmHost();
    const reads = (body: string) => `let s = ''; process.stdin.on('data', (c) => (s += c)); process.stdin.on('end', () => { const v = JSON.parse(s).values; ${body} });`;
    // require, a timer: the caller runs these as processes.
    await warmRun(h, reads('console.log(JSON.stringify(v));'), input([1]));
    const needsMore = reads(`if (v[0] === 9) require('node:fs'); console.log(JSON.stringify(v));`);
    await warmRun(h, needsMore, input([1]));
    expect(await h.run(needsMore, input([9]))).toBeNull();
    const crashes = reads(`if (v[0] === 9) throw new Error('nine'); console.log(JSON.stringify(v));`);
    await warmRun(h, crashes, input([1]));
    const crash = await h.run(crashes, input([9]));
    expect(crash).toMatchObject({ via: 'context', exitCode: 1, timedOut: false });
    expect(crash?.stderr).toMatch(/Error: nine/);
    const hangs = reads(`if (v[0] === 9) for (;;) {} console.log(JSON.stringify(v));`);
    const fast = warmHost({ timeLimitMs: 300 });
    await warmRun(fast, hangs, input([1]));
    const hang = await fast.run(hangs, input([9]));
    expect(hang).toMatchObject({ via: 'context', timedOut: true, exitCode: null });
    // The host outlived the hang: the next run is answered by the same process.
    expect(await fast.run(hangs, input([4]))).toMatchObject({ exitCode: 0 });
    expect(fast.counts.started).toBe(1);
    await Promise.all([h.close(), fast.close()]);
  }, 90_000);

  it('gives up on hosts for a genome that kills them: its runs go to processes', async () => {
    const h = warmHost({ maxOldSpaceMb: 32 });
    const source = `let s = ''; process.stdin.on('data', (c) => (s += c)); process.stdin.on('end', () => {
  const v = JSON.parse(s).values; const keep = []; if (v[0] === 9) for (;;) keep.push(new Array(1e5).fill(v.length));
  console.log(JSON.stringify(v)); });`;
    await warmRun(h, source, input([1]));
    // Each host dies of the heap limit at its first such run; a second one is started, and no third.
    await waitFor(
      async () => {
        await h.run(source, input([9]));
        return h.counts.started;
      },
      (n) => n >= 2 && processesOfTmp().length === 0,
      { what: 'two hosts to die', intervalMs: 100 },
    );
    for (let k = 0; k < 5; k++) expect(await h.run(source, input([1]))).toBeNull();
    expect(h.counts.started).toBe(2);
    expect(processesOfTmp()).toEqual([]);
    await h.close();
  }, 90_000);
});

describe('a server with warm hosts', () => {
  it('answers routine runs from the organism\'s warm host and still detects and heals a chaos', async () => {
    const dir = tempDir('ouroboros-warm-server-');
    const server = await startServer({ DATA_DIR: dir.dir, LOOP_INTERVAL_MS: '50', ORGANISMS: 'bubble-sort', ROUTINE_RUNS: 'contexts' });
    const ofDir = () => processesOfDir(dir.dir);
    try {
      type Status = { state: string; generation: number; stats: { totalRuns: number } };
      const status = () => api<Status>(server.url, '/status');
      const before = await waitFor(status, (s) => s.stats.totalRuns >= 5 && s.state === 'healthy', { what: 'routine runs' });
      // The host: a process of this DATA_DIR that outlives many runs (a routine run's process lives for one).
      const host = await waitFor(ofDir, (p) => p.length > 0, { what: 'the warm host' });
      await waitFor(status, (s) => s.stats.totalRuns >= before.stats.totalRuns + 20, { what: 'twenty more runs' });
      expect(ofDir().filter((p) => host.includes(p))).not.toEqual([]);
      const chaos = await api<{ chaos_type: string }>(server.url, '/chaos', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ chaos_type: 'throw' }) });
      expect(chaos.chaos_type).toBe('throw');
      const healed = await waitFor(status, (s) => s.generation >= 2 && s.state === 'healthy', { what: 'the heal' });
      const runs = await api<{ runs: { verdict: string; generation: number }[] }>(server.url, '/runs?limit=200');
      expect(runs.runs.some((r) => r.generation === 1 && r.verdict === 'crashed')).toBe(true);
      // Routine runs of the healed genome come from a host of its own.
      await waitFor(status, (s) => s.stats.totalRuns >= healed.stats.totalRuns + 10, { what: 'runs of the healed genome' });
      expect((await server.stop()).code).toBe(0);
      await waitFor(ofDir, (p) => p.length === 0, { what: 'the hosts to end with the server' });
    } finally {
      if (server.child.exitCode === null) server.child.kill('SIGKILL');
      dir.cleanup();
    }
  }, 180_000);
});

function processesOfDir(dir: string): number[] {
  const pids: number[] = [];
  for (const n of readdirSync('/proc')) {
    if (!/^\d+$/.test(n)) continue;
    try {
      const cmd = readFileSync(`/proc/${n}/cmdline`, 'utf8');
      // A host's command line names its file in the run directory; the server's own names none.
      if (cmd.includes(path.join(dir, 'organisms'))) pids.push(Number(n));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}
