import { describe, expect, it } from 'vitest';
import type { Verdict } from '../domain.js';
import type { GenomeRunResult } from '../watcher/run-genome.js';
import { runCasesInBatch, type RunInWorkers } from './batch-cases.js';
import { caseFor, type SuiteCase } from './suite.js';

// The order of a suite in a batch host with its first case as a process beside it (firstAlone): which runs happen,
// and which verdict counts. The runs here are functions that answer at once; batch-proof.test.ts runs real ones.

const cases: SuiteCase[] = [0, 1, 2, 3].map((i) => caseFor('property', `case ${i}`, { values: [i] }, i));

function result(verdict: Verdict): GenomeRunResult {
  return { seed: 0, startedAt: '', durationMs: 1, exitCode: verdict === 'ok' ? 0 : null, signal: null, verdict, error: verdict === 'ok' ? null : verdict, progress: [], stderr: '', input: null };
}

/** A host that answers `verdicts` (null: unreported), and remembers whether it was stopped. */
function host(verdicts: (Verdict | null)[]): RunInWorkers & { stopped: () => boolean; asked: () => number } {
  let aborted = false;
  let asked = 0;
  const f = (async (cs: readonly SuiteCase[], signal: AbortSignal | undefined) => {
    asked = cs.length;
    signal?.addEventListener('abort', () => (aborted = true));
    await new Promise((r) => setTimeout(r, 5));
    return cs.map((_, i) => (verdicts[i] ? result(verdicts[i]!) : null));
  }) as RunInWorkers & { stopped: () => boolean; asked: () => number };
  f.stopped = () => aborted;
  f.asked = () => asked;
  return f;
}

/** A host that never answers until it is stopped, and then only after `lingerMs` (a host killed in its start). */
function slowToDie(lingerMs: number): RunInWorkers & { stopped: () => boolean } {
  let aborted = false;
  const f = ((cs: readonly SuiteCase[], signal: AbortSignal | undefined) =>
    new Promise<(GenomeRunResult | null)[]>((resolve) => {
      signal?.addEventListener('abort', () => {
        aborted = true;
        setTimeout(() => resolve(cs.map(() => null)), lingerMs);
      });
    })) as RunInWorkers & { stopped: () => boolean };
  f.stopped = () => aborted;
  return f;
}

/** Process runs that answer per case name, in turn for repeated runs of one case; each call is logged. */
function processes(answers: Record<string, Verdict[]>) {
  const calls: string[] = [];
  const run = async (c: SuiteCase) => {
    calls.push(c.name);
    const list = answers[c.name] ?? ['ok'];
    return result(list.length > 1 ? list.shift()! : list[0]!);
  };
  return { run, calls };
}

describe('a suite in a batch host, its first case as a process', () => {
  it('fails on the first case\'s crash from its one process run, and stops the host', async () => {
    const h = host(['crashed', null, null, null]);
    const p = processes({ 'case 0': ['crashed'] });
    const r = await runCasesInBatch(cases, h, p.run, { parallelism: 2, firstAlone: true });
    expect(r).toMatchObject({ passed: false, runs: 1, cancelled: false });
    expect(r.failure?.case.name).toBe('case 0');
    expect(p.calls).toEqual(['case 0']);
    expect(h.stopped()).toBe(true);
  });

  it('reports the first case\'s crash without waiting for the stopped host to end', async () => {
    const h = slowToDie(60_000);
    const p = processes({ 'case 0': ['crashed'] });
    const r = await runCasesInBatch(cases, h, p.run, { parallelism: 2, firstAlone: true });
    expect(r).toMatchObject({ passed: false, runs: 1, cancelled: false });
    expect(h.stopped()).toBe(true);
  });

  it('takes a hang in the host as the second run of a hang in the process: no third run', async () => {
    const h = host(['hung', null, null, null]);
    const p = processes({ 'case 0': ['hung'] });
    const r = await runCasesInBatch(cases, h, p.run, { parallelism: 2, firstAlone: true });
    expect(r).toMatchObject({ passed: false, runs: 2 });
    expect(r.failure?.result.verdict).toBe('hung');
    expect(p.calls).toEqual(['case 0']);
  });

  it('runs a hang again as a process when the host did not see it hang, and goes on when that passes', async () => {
    const h = host(['ok', 'ok', 'ok', 'ok']);
    const p = processes({ 'case 0': ['hung', 'ok'] });
    const r = await runCasesInBatch(cases, h, p.run, { parallelism: 2, firstAlone: true });
    expect(p.calls).toEqual(['case 0', 'case 0']);
    expect(r).toMatchObject({ passed: true, failure: null, runs: 5, inWorkers: 3 });
  });

  it('once the first case passes, counts the host\'s passes and confirms its failures as processes', async () => {
    const h = host(['ok', 'ok', 'wrong', 'ok']);
    const p = processes({ 'case 2': ['wrong'] });
    const r = await runCasesInBatch(cases, h, p.run, { parallelism: 2, firstAlone: true });
    expect(h.asked()).toBe(4);
    expect(p.calls).toEqual(['case 0', 'case 2']);
    expect(r.passed).toBe(false);
    expect(r.failure?.case.name).toBe('case 2');
    // case 0 as a process, case 1 in the host, case 2's real run; case 3 after the failure is not counted.
    expect(r).toMatchObject({ runs: 3, inWorkers: 1 });
  });

  it('passes a case that failed only in the host on its real run', async () => {
    const h = host(['ok', 'crashed', 'ok', 'ok']);
    const p = processes({});
    const r = await runCasesInBatch(cases, h, p.run, { parallelism: 2, firstAlone: true });
    expect(p.calls).toEqual(['case 0', 'case 1']);
    expect(r).toMatchObject({ passed: true, runs: 4, inWorkers: 2 });
  });

  it('with the host held back, decides a crash of the first case before the host ever starts', async () => {
    const h = host(['crashed', null, null, null]);
    const p = processes({ 'case 0': ['crashed'] });
    const r = await runCasesInBatch(cases, h, p.run, { parallelism: 2, firstAlone: true, hostAfterMs: 60_000 });
    expect(r).toMatchObject({ passed: false, runs: 1, cancelled: false });
    expect(r.failure?.case.name).toBe('case 0');
    expect(h.asked()).toBe(0);
  });

  it('with the host held back, starts it once the first case passed, and its results decide the rest', async () => {
    const h = host(['ok', 'ok', 'wrong', 'ok']);
    const p = processes({ 'case 2': ['wrong'] });
    const r = await runCasesInBatch(cases, h, p.run, { parallelism: 2, firstAlone: true, hostAfterMs: 60_000 });
    expect(h.asked()).toBe(4);
    expect(r).toMatchObject({ passed: false });
    expect(r.failure?.case.name).toBe('case 2');
    expect(p.calls).toEqual(['case 0', 'case 2']);
  });

  it('with the host held back, starts it for a hang of the first case and takes its hang as the second run', async () => {
    const h = host(['hung', null, null, null]);
    const p = processes({ 'case 0': ['hung'] });
    const r = await runCasesInBatch(cases, h, p.run, { parallelism: 2, firstAlone: true, hostAfterMs: 60_000 });
    expect(r).toMatchObject({ passed: false, runs: 2 });
    expect(r.failure?.result.verdict).toBe('hung');
    expect(p.calls).toEqual(['case 0']);
    expect(h.asked()).toBe(4);
  });
});
