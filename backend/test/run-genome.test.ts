import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadOrganism } from '../src/organism/manifest.js';
import { configureRunner } from '../src/runner/process-runner.js';
import { defaultSandboxSettings, detectSandbox, type Sandbox } from '../src/sandbox/index.js';
import { runGenome } from '../src/watcher/run-genome.js';
import { FIXTURE_ORGANISMS, processGone, tempDir } from './helpers/fixtures.js';

const limits = { outputCapBytes: 16 * 1024, killGraceMs: 300 };

async function runFixture(name: string, seed = 1) {
  const organism = await loadOrganism(FIXTURE_ORGANISMS, name);
  return runGenome(organism, path.join(organism.dir, 'genome.js'), seed, limits);
}

// Each fixture organism misbehaves in exactly one way; the supervisor must name it.
describe('runGenome against misbehaving fixture organisms', () => {
  it('passes a good organism and keeps its progress lines apart from its answer', async () => {
    const r = await runFixture('good', 7);
    expect(r.verdict).toBe('ok');
    expect(r.error).toBeNull();
    expect(r.exitCode).toBe(0);
    expect(r.progress).toEqual([expect.stringMatching(/^doubling \d+$/)]);
    expect(r.seed).toBe(7);
  });

  it('gives the same input for the same seed', async () => {
    const [a, b] = await Promise.all([runFixture('good', 99), runFixture('good', 99)]);
    expect(a.input).toEqual(b.input);
  });

  it('calls an uncaught error a crash and quotes it', async () => {
    const r = await runFixture('crash');
    expect(r.verdict).toBe('crashed');
    expect(r.exitCode).toBe(1);
    expect(r.error).toMatch(/^TypeError: fixture: crash on purpose \(line \d+\)/);
  });

  it('kills a run past its time limit and calls it hung', async () => {
    const r = await runFixture('hang');
    expect(r.verdict).toBe('hung');
    expect(r.signal).toBe('SIGTERM');
    expect(r.durationMs).toBeGreaterThanOrEqual(1500);
    expect(r.durationMs).toBeLessThan(4000);
  });

  it('escalates to SIGKILL when SIGTERM is ignored', async () => {
    const r = await runFixture('ignore-sigterm');
    expect(r.verdict).toBe('hung');
    expect(r.signal).toBe('SIGKILL');
    expect(r.stderr).toContain('ignoring SIGTERM');
  });

  it('calls a wrong answer wrong, not ok, even with exit code 0', async () => {
    const r = await runFixture('wrong');
    expect(r.exitCode).toBe(0);
    expect(r.verdict).toBe('wrong');
    expect(r.error).toMatch(/wrong answer: expected \d+, got \d+/);
  });

  it('calls a silent exit 0 wrong', async () => {
    const r = await runFixture('no-answer');
    expect(r.verdict).toBe('wrong');
    expect(r.error).toMatch(/printed no answer/);
  });

  it('caps a stdout flood and kills it, in bounded memory', async () => {
    const before = process.memoryUsage().rss;
    const r = await runFixture('flood');
    expect(r.verdict).toBe('crashed');
    expect(r.error).toMatch(/printed more than \d+ bytes; killed/);
    expect(r.progress.join('\n').length).toBeLessThan(20 * 1024);
    expect(process.memoryUsage().rss - before).toBeLessThan(64 * 1024 * 1024);
  });

  it('reports a plain non-zero exit code', async () => {
    const r = await runFixture('exit-code');
    expect(r.verdict).toBe('crashed');
    expect(r.exitCode).toBe(3);
    expect(r.error).toBe('exited with code 3');
  });

  it('reports death by a signal', async () => {
    const r = await runFixture('signal');
    expect(r.verdict).toBe('crashed');
    expect(r.signal).toBe('SIGSEGV');
    expect(r.error).toMatch(/SIGSEGV/);
  });

  it('tells running out of heap apart from a crash', async () => {
    const r = await runFixture('oom');
    expect(r.verdict).toBe('oom');
    expect(r.error).toMatch(/heap|memory/i);
  });

  it('calls a correct but over-budget run slow', async () => {
    const r = await runFixture('slow');
    expect(r.verdict).toBe('slow');
    expect(r.error).toMatch(/correct but took \d+ ms; the performance budget is 400 ms/);
  });

  it('kills the whole process group, grandchildren included', async () => {
    const r = await runFixture('orphan');
    expect(r.verdict).toBe('hung');
    const pid = Number(/grandchild (\d+)/.exec(r.progress.join('\n'))?.[1]);
    expect(pid).toBeGreaterThan(0);
    await new Promise((res) => setTimeout(res, 100));
    expect(processGone(pid)).toBe(true);
  });
});

// ORGANISM_NICE: the server keeps its share of the cores when the organisms fill them. The sandbox's wrappers exec
// and fork the organism after the run starts; the niceness must reach the organism's own process through them.
describe('the niceness of organism runs', () => {
  const niceOf = async (limitsFor: typeof limits & { sandbox?: Sandbox | null }) => {
    const organism = await loadOrganism(FIXTURE_ORGANISMS, 'niceness');
    const r = await runGenome(organism, path.join(organism.dir, 'genome.js'), 3, limitsFor);
    expect(r.verdict).toBe('ok');
    return Number(/^nice (\d+)$/.exec(r.progress[0] ?? '')?.[1]);
  };
  afterEach(() => configureRunner({ spawners: 1 }));

  it('runs every organism at the configured niceness, through the spawner and without it', async () => {
    const own = os.getPriority();
    expect(await niceOf(limits)).toBe(own);
    configureRunner({ spawners: 1, nice: 7 });
    expect(await niceOf(limits)).toBe(Math.max(own, 7));
    configureRunner({ spawners: 0, nice: 5 });
    expect(await niceOf(limits)).toBe(Math.max(own, 5));
  });

  it.skipIf(process.platform !== 'linux')('reaches the organism through every layer of the sandbox', async () => {
    const tmp = tempDir('ouroboros-nice-');
    try {
      const sandbox = await detectSandbox({ settings: defaultSandboxSettings(), dataDir: tmp.dir });
      configureRunner({ spawners: 1, nice: 9 });
      expect(await niceOf({ ...limits, sandbox })).toBe(Math.max(os.getPriority(), 9));
    } finally {
      tmp.cleanup();
    }
  });
});
