import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadOrganism, type Organism } from '../src/organism/manifest.js';
import { EmbeddedRunner } from '../src/runner/embedded.js';
import { processRunner } from '../src/runner/process-runner.js';
import { RunnerFault } from '../src/runner/runner.js';
import { procStat } from '../src/sandbox/pidfile.js';
import type { ChildRunOptions } from '../src/watcher/child-process.js';
import { runGenome } from '../src/watcher/run-genome.js';
import { FIXTURE_ORGANISMS, processGone, tempDir, waitFor } from './helpers/fixtures.js';
import { startServer } from './helpers/server-process.js';

// The spawner process (src/spawner) that starts every organism run instead of the server, and its faults. The
// contract it keeps is the one runGenome always had: test/run-genome.test.ts and test/sandbox.test.ts run through it.

const CAP = 16 * 1024;

function options(organism: Organism, extra: Partial<ChildRunOptions> = {}): ChildRunOptions {
  return {
    file: path.join(organism.dir, 'genome.js'),
    cwd: organism.dir,
    stdin: JSON.stringify({ n: 21 }),
    // Far beyond what any of these takes, however loaded the machine: what ends them here is not the clock.
    timeLimitMs: 30_000,
    maxOldSpaceMb: organism.manifest.maxOldSpaceMb,
    outputCapBytes: CAP,
    outputKillBytes: CAP * 64,
    killGraceMs: 300,
    ...extra,
  };
}

const fixture = (name: string) => loadOrganism(FIXTURE_ORGANISMS, name);

function allProcs() {
  return readdirSync('/proc')
    .filter((n) => /^\d+$/.test(n))
    .map((n) => procStat(Number(n)))
    .filter((p): p is NonNullable<typeof p> => p !== null);
}

/** The live processes whose parent is `pid`. */
const childrenOf = (pid: number) => allProcs().filter((p) => p.ppid === pid);
/** The live members of process group `pgrp`. */
const groupOf = (pgrp: number) => allProcs().filter((p) => p.pgrp === pgrp);

function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return '';
  }
}

/**
 * The organism process a spawner started for a run (its only run), once it exists. tsx's esbuild service is a child of
 * a spawner too while it compiles (a cold cache): it is not a run.
 */
const runOf = (spawner: number) =>
  waitFor(() => childrenOf(spawner).filter((p) => !/esbuild/.test(cmdline(p.pid))), (c) => c.length === 1, { what: `the run started by spawner ${spawner}`, timeoutMs: 20_000 }).then((c) => c[0]!.pid);

/** A run of the `orphan` fixture (a leader and its grandchild) on `r`, once both exist: its spawner and group. */
async function orphanRun(r: EmbeddedRunner) {
  const run = r.run(options(await fixture('orphan'), { timeLimitMs: 20_000 }));
  // Observed: a run killed under the test rejects, and the test awaits that rejection itself.
  run.catch(() => {});
  const spawner = (await waitFor(() => r.pids()[0], Boolean, { what: 'the spawner' }))!;
  const leader = await runOf(spawner);
  await waitFor(() => groupOf(leader), (g) => g.length >= 2, { what: 'the grandchild' });
  return { run, spawner, members: groupOf(leader).map((p) => p.pid) };
}

const runners: EmbeddedRunner[] = [];
function runner(o: { spawners?: number; attempts?: number } = {}): EmbeddedRunner {
  const r = new EmbeddedRunner({ spawners: o.spawners ?? 1, ...(o.attempts ? { attempts: o.attempts } : {}) });
  runners.push(r);
  return r;
}

afterAll(async () => {
  await Promise.all(runners.map((r) => r.close()));
});

describe('the spawner', () => {
  it('starts every run itself: the organism is the spawner\'s child, never this process\'s', async () => {
    const r = runner();
    const organism = await fixture('slow');
    const run = r.run(options(organism));
    const spawners = await waitFor(() => r.pids(), (p) => p.length === 1, { what: 'the spawner' });
    const organismPid = await runOf(spawners[0]!);
    expect(procStat(organismPid)!.ppid).not.toBe(process.pid);
    expect(cmdline(spawners[0]!)).toMatch(/spawner\/main\.ts/);
    const out = await run;
    expect(out.exitCode).toBe(0);
    expect(out.stdoutTail.trim()).toBe('42');
    expect(out.pid).toBe(organismPid);
  });

  it('runs many at once through one spawner, each with its own answer, and leaves nothing behind', async () => {
    const r = runner();
    const organism = await fixture('good');
    const outs = await Promise.all(Array.from({ length: 24 }, (_, n) => r.run(options(organism, { stdin: JSON.stringify({ n }) }))));
    expect(r.pids()).toHaveLength(1);
    outs.forEach((o, n) => {
      expect(o.exitCode, `run ${n}: ${o.signal} ${o.stderr}`).toBe(0);
      expect(o.stdoutTail.trim().split('\n').at(-1)).toBe(String(n * 2));
    });
    const pids = outs.map((o) => o.pid!);
    expect(new Set(pids).size).toBe(pids.length);
    expect(pids.filter((p) => !processGone(p))).toEqual([]);
  });

  it('warm() boots the whole pool before any run, and the first runs go to those processes', async () => {
    const r = runner({ spawners: 2 });
    expect(r.pids()).toEqual([]);
    await r.warm();
    const booted = r.pids();
    expect(booted).toHaveLength(2);
    const organism = await fixture('good');
    const outs = await Promise.all([0, 1].map((n) => r.run(options(organism, { stdin: JSON.stringify({ n }) }))));
    expect(outs.map((o) => o.exitCode)).toEqual([0, 0]);
    expect(r.pids().sort()).toEqual(booted.sort());
  });

  it('shares runs across a pool of spawners', async () => {
    const r = runner({ spawners: 2 });
    const organism = await fixture('slow');
    await Promise.all(Array.from({ length: 4 }, () => r.run(options(organism))));
    expect(r.pids()).toHaveLength(2);
  });

  it('caps a flood inside the spawner: bounded output comes back, the run is killed', async () => {
    const r = runner();
    const organism = await fixture('flood');
    const out = await r.run(options(organism, { outputCapBytes: 1024, outputKillBytes: 64 * 1024 }));
    expect(out.outputLimited).toBe(true);
    expect(out.signal).toBe('SIGKILL');
    expect(out.stdoutBytes).toBeGreaterThan(64 * 1024);
    expect(out.stdout.length).toBeLessThan(2 * 1024);
  });

  it('relays an abort: the run\'s whole group is killed at once', async () => {
    const r = runner();
    const organism = await fixture('orphan');
    const abort = new AbortController();
    const run = r.run(options(organism, { timeLimitMs: 20_000, signal: abort.signal }));
    const leader = await runOf(await waitFor(() => r.pids()[0], Boolean, { what: 'the spawner' }).then((p) => p!));
    // The grandchild is in the run's group.
    await waitFor(() => groupOf(leader), (g) => g.length >= 2, { what: 'the grandchild' });
    const members = groupOf(leader).map((p) => p.pid);
    abort.abort();
    const out = await run;
    expect(out.signal).toBe('SIGKILL');
    expect(out.timedOut).toBe(false);
    await waitFor(() => members.filter((p) => !processGone(p)), (l) => l.length === 0, { what: 'the group to be gone', timeoutMs: 5000 });
  });
});

describe('when the spawner dies', () => {
  it('runGenome tries the run again on a new spawner and reports the organism\'s own verdict, nothing left of the first', async () => {
    const slow = await fixture('slow');
    const organism = { ...slow, manifest: { ...slow.manifest, timeLimitMs: 30_000 } };
    // The process's own runner: the one every run of the server goes through.
    const r = processRunner() as EmbeddedRunner;
    const run = runGenome(organism, path.join(organism.dir, 'genome.js'), 3, { outputCapBytes: CAP, killGraceMs: 300 });
    const first = await waitFor(() => r.pids()[0], Boolean, { what: 'the spawner' });
    const firstRun = await runOf(first!);
    process.kill(first!, 'SIGKILL');
    const result = await run;
    // slow: correct, over its 400 ms budget. Not crashed, not hung: the genome did nothing wrong.
    expect(result.verdict).toBe('slow');
    expect(result.pid).not.toBe(firstRun);
    expect(r.pids()).toHaveLength(1);
    expect(r.pids()[0]).not.toBe(first);
    // Without the sandbox's parent-death signal nothing kills the orphan but the server.
    await waitFor(() => processGone(firstRun), Boolean, { what: 'the first attempt\'s organism to be killed', timeoutMs: 5000 });
  });

  it('with no attempt left, the run fails as the runner\'s fault (not a verdict), and its whole group is killed', async () => {
    const r = runner({ attempts: 1 });
    const { run, spawner, members } = await orphanRun(r);
    process.kill(spawner, 'SIGKILL');
    await expect(run).rejects.toThrow(RunnerFault);
    await expect(run).rejects.toThrow(new RegExp(`spawner \\(pid ${spawner}\\) killed by SIGKILL`));
    await waitFor(() => members.filter((p) => !processGone(p)), (l) => l.length === 0, { what: 'the orphaned group to be killed', timeoutMs: 5000 });
    // And the runner carries on with a new spawner.
    const good = await r.run(options(await fixture('good')));
    expect(good.exitCode).toBe(0);
    expect(r.pids()[0]).not.toBe(spawner);
  });

  it('closing the runner kills the runs in flight and the spawner exits', async () => {
    const r = new EmbeddedRunner({ spawners: 1 });
    const { run, spawner, members } = await orphanRun(r);
    const failed = expect(run).rejects.toThrow(/the runner is closing/);
    await r.close();
    await failed;
    expect(processGone(spawner)).toBe(true);
    await waitFor(() => members.filter((p) => !processGone(p)), (l) => l.length === 0, { what: 'the runs to be killed', timeoutMs: 5000 });
    await expect(r.run(options(await fixture('orphan')))).rejects.toThrow(RunnerFault);
  });
});

describe('a server and its spawner', () => {
  it('restarts a killed spawner and keeps judging without blaming the genome; its shutdown stops the spawner', async () => {
    const tmp = tempDir('ouroboros-spawner-');
    const server = await startServer({ DATA_DIR: tmp.dir, LOOP_INTERVAL_MS: '50', ORGANISMS: 'bubble-sort' });
    const serverPid = server.child.pid!;
    const spawnerOf = () => childrenOf(serverPid).filter((p) => cmdline(p.pid).includes('spawner/main')).map((p) => p.pid);
    try {
      const [spawner] = await waitFor(spawnerOf, (s) => s.length === 1, { what: 'the server\'s spawner' });
      const runsNow = async () => ((await (await fetch(`${server.url}/status`)).json()) as { stats: { totalRuns: number } }).stats.totalRuns;
      // Kill it while a run is in flight (the loop runs one every 50 ms or so), its warm host and standbys beside it.
      await waitFor(() => childrenOf(spawner!).filter((p) => !/esbuild/.test(cmdline(p.pid))), (c) => c.length >= 1, { what: `a process started by spawner ${spawner}`, timeoutMs: 20_000 });
      const before = await runsNow();
      process.kill(spawner!, 'SIGKILL');
      await waitFor(runsNow, (n) => n >= before + 3, { what: 'runs after the spawner died' });
      const [again] = await waitFor(spawnerOf, (s) => s.length === 1, { what: 'a new spawner' });
      expect(again).not.toBe(spawner);
      const runs = (await (await fetch(`${server.url}/runs?limit=50`)).json()) as { runs: { verdict: string; error: string | null }[] };
      // Every run answered correctly ('slow' is the machine's load): none is blamed for the spawner's death.
      expect(runs.runs.filter((x) => x.verdict !== 'ok' && x.verdict !== 'slow')).toEqual([]);
      const stop = await server.stop();
      expect(stop.code).toBe(0);
      expect(processGone(again!)).toBe(true);
      expect(allProcs().filter((p) => cmdline(p.pid).includes(tmp.dir))).toEqual([]);
    } finally {
      if (!processGone(serverPid)) server.child.kill('SIGKILL');
      tmp.cleanup();
    }
  });
});
