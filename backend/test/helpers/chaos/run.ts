/**
 * Runs a (corrupted) genome for real, the way the watcher does, and judges it: for the chaos tests that check
 * each operator produces the verdict it promises. The verdict rules mirror the watcher's: killed → hung,
 * heap exhaustion → oom, a signal or a non-zero exit → crashed, a wrong or missing answer → wrong, a right
 * answer after the performance budget → slow.
 *
 * One difference, because these tests judge what the program does and not how busy the machine is: a run is
 * killed as hung when it has spent the time limit in CPU time (or waited far longer than that), where the watcher
 * kills at the time limit in wall time. On two busy cores a memory leak needs 2 to 5 s of wall time for the
 * half second of work that exhausts its heap: the watcher may call that a hang, and retries it as one, but the
 * operator kept its promise.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Verdict } from '../../../src/domain.js';
import { createRng } from '../../../src/lib/rng.js';
import { cpuReport } from '../../../src/watcher/cpu-report.js';
import { orphanProof } from './orphan-proof.js';
import { ORGANISM_DIR } from './programs.js';

interface Harness {
  generateInput(rng: { int(min: number, max: number): number }, params: unknown): unknown;
  judge(input: unknown, answer: unknown): { ok: boolean; reason?: string };
}

interface Manifest {
  timeLimitMs: number;
  slowMs: number;
  maxOldSpaceMb: number;
  input: unknown;
}

export interface Organism {
  harness: Harness;
  manifest: Manifest;
}

export async function loadOrganism(): Promise<Organism> {
  const harness = (await import(new URL('harness.mjs', ORGANISM_DIR).href)) as Harness;
  const { readFile } = await import('node:fs/promises');
  const manifest = JSON.parse(await readFile(new URL('manifest.json', ORGANISM_DIR), 'utf8')) as Manifest;
  return { harness, manifest };
}

export interface RunOutcome {
  verdict: Verdict;
  durationMs: number;
  /** The run's own CPU time (src/watcher/cpu-report.ts); null when it ended without reporting it. */
  cpuMs: number | null;
  detail: string;
}

/** A run that has not spent its time limit in CPU time is still killed after this much wall time (it waits). */
export const WALL_BACKSTOP_MS = 30_000;
const CPU_POLL_MS = 25;
/** Linux's USER_HZ: /proc/<pid>/stat counts CPU time in these ticks. */
const TICKS_PER_S = 100;

/** User + system CPU time of a live process (every thread), in ms; null once it is gone or without /proc. */
export function processCpuMs(pid: number): number | null {
  try {
    // The command name (field 2) may hold spaces and parentheses: count fields after its closing one.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_S;
  } catch {
    return null;
  }
}
const OUTPUT_CAP = 64 * 1024;
const OOM_MARKERS = [/JavaScript heap out of memory/, /Reached heap limit/];

export async function runGenomeSource(organism: Organism, source: string, seed: number): Promise<RunOutcome> {
  const input = organism.harness.generateInput(createRng(seed), organism.manifest.input);
  const dir = await mkdtemp(path.join(tmpdir(), 'ouroboros-chaos-'));
  try {
    const file = path.join(dir, 'genome.js');
    await writeFile(file, source);
    const started = performance.now();
    const cpu = cpuReport();
    const run = orphanProof(process.execPath, [...cpu.nodeArgs, `--max-old-space-size=${organism.manifest.maxOldSpaceMb}`, file]);
    const child = spawn(run.command, run.args, {
      cwd: dir,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout = (stdout + chunk.toString('utf8')).slice(-OUTPUT_CAP);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString('utf8')).slice(-OUTPUT_CAP);
    });
    child.stdin.on('error', () => {}); // the organism may die before reading its input
    child.stdin.end(JSON.stringify(input));
    let killed: string | null = null;
    const kill = (why: string) => {
      if (killed !== null) return;
      killed = why;
      child.kill('SIGKILL');
    };
    const backstop = setTimeout(() => kill(`still running after ${WALL_BACKSTOP_MS} ms`), WALL_BACKSTOP_MS);
    const cpuWatch = setInterval(() => {
      const cpu = child.pid === undefined ? null : processCpuMs(child.pid);
      if (cpu !== null && cpu >= organism.manifest.timeLimitMs) kill(`spent ${Math.round(cpu)} ms of CPU time`);
    }, CPU_POLL_MS);
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => {
      child.on('close', (c, s) => resolve([c, s]));
    });
    clearTimeout(backstop);
    clearInterval(cpuWatch);
    const durationMs = performance.now() - started;
    const reported = cpu.read(stderr);
    stderr = reported.stderr;
    const cpuMs = reported.cpuMs;
    const { slowMs } = organism.manifest;
    const errorLine = stderr.split('\n').find((l) => /Error|FATAL/.test(l))?.trim() ?? stderr.trim().split('\n').at(-1) ?? '';
    if (killed !== null) return { verdict: 'hung', durationMs, cpuMs, detail: `killed: ${killed as string} (ran ${Math.round(durationMs)} ms)` };
    if (OOM_MARKERS.some((m) => m.test(stderr))) return { verdict: 'oom', durationMs, cpuMs, detail: errorLine };
    if (signal || code !== 0) return { verdict: 'crashed', durationMs, cpuMs, detail: `exit ${code ?? signal}: ${errorLine}` };
    const last = stdout.split('\n').map((l) => l.trim()).filter(Boolean).at(-1);
    let answer: unknown;
    try {
      answer = JSON.parse(last ?? '');
    } catch {
      return { verdict: 'wrong', durationMs, cpuMs, detail: `no JSON answer: ${last ?? '(nothing)'}` };
    }
    const judgement = organism.harness.judge(input, answer);
    if (!judgement.ok) return { verdict: 'wrong', durationMs, cpuMs, detail: judgement.reason ?? 'wrong answer' };
    if (durationMs > slowMs) return { verdict: 'slow', durationMs, cpuMs, detail: `correct after ${Math.round(durationMs)} ms (${cpuMs ?? '?'} ms of CPU)` };
    return { verdict: 'ok', durationMs, cpuMs, detail: '' };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Runs `task` over `items`, at most `limit` at a time, keeping the order of the results. */
export async function mapConcurrently<T, R>(items: readonly T[], limit: number, task: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await task(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
