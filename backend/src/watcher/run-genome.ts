import path from 'node:path';
import type { Verdict } from '../domain.js';
import { createRng } from '../lib/rng.js';
import type { Organism } from '../organism/manifest.js';
import { runChild, type ChildOutcome } from './child-process.js';
import { classify } from './verdict.js';

export interface RunLimits {
  outputCapBytes: number;
  killGraceMs: number;
}

export interface GenomeRunResult {
  seed: number;
  startedAt: string;
  durationMs: number;
  exitCode: number | null;
  signal: string | null;
  verdict: Verdict;
  error: string | null;
  /** Progress lines the organism printed before its answer line (bounded). */
  progress: string[];
  stderr: string;
  input: unknown;
}

const MAX_PROGRESS_LINES = 20;
const MAX_LINE_CHARS = 500;

/** Runs one genome file once on the input made from `seed`, and judges it with the organism's oracle. */
export async function runGenome(
  organism: Organism,
  file: string,
  seed: number,
  limits: RunLimits,
): Promise<GenomeRunResult> {
  const input = organism.harness.generateInput(createRng(seed), organism.manifest.input);
  const startedAt = new Date().toISOString();
  const outputKillBytes = limits.outputCapBytes * 64;
  const outcome = await runChild({
    file,
    cwd: path.dirname(file),
    stdin: JSON.stringify(input),
    timeLimitMs: organism.manifest.timeLimitMs,
    maxOldSpaceMb: organism.manifest.maxOldSpaceMb,
    outputCapBytes: limits.outputCapBytes,
    outputKillBytes,
    killGraceMs: limits.killGraceMs,
  });
  const { verdict, error } = classify(
    outcome,
    { timeLimitMs: organism.manifest.timeLimitMs, slowMs: organism.manifest.slowMs, outputKillBytes },
    (answer) => organism.harness.judge(input, answer),
  );
  return {
    seed,
    startedAt,
    durationMs: Math.round(outcome.durationMs * 100) / 100,
    exitCode: outcome.exitCode,
    signal: outcome.signal,
    verdict,
    error,
    progress: progressLines(outcome),
    stderr: outcome.stderr,
    input,
  };
}

function progressLines(outcome: ChildOutcome): string[] {
  const lines = outcome.stdout.split('\n').filter((l) => l.trim() !== '');
  // The last line is the answer, not progress (when the run got that far).
  if (outcome.exitCode === 0) lines.pop();
  return lines
    .slice(0, MAX_PROGRESS_LINES)
    .map((l) => (l.length > MAX_LINE_CHARS ? `${l.slice(0, MAX_LINE_CHARS)}…` : l));
}
