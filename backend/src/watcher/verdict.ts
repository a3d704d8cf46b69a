import type { Verdict } from '../domain.js';
import type { Judgement } from '../organism/manifest.js';
import type { ChildOutcome } from './child-process.js';

export interface Classification {
  verdict: Verdict;
  /** Why the run failed, for people; null when it is ok. */
  error: string | null;
}

const OOM_MARKERS = [
  /JavaScript heap out of memory/,
  /Reached heap limit/,
  /Array buffer allocation failed/,
  /ERR_MEMORY_ALLOCATION_FAILED/,
  /process out of memory/,
];
// Node 22+ prints an error that has properties as `[TypeError: fetch failed] {`: the bracket is optional.
const ERROR_LINE = /^\[?(?:Uncaught )?(?:[A-Z][A-Za-z]*(?:Error|Exception)|Error)(?: \[[A-Z_0-9]+\])?:? ?.*$/m;
const LOCATION_LINE = /^(?:file:\/\/)?\/.*?\.(?:m?js|cjs):(\d+)$/m;

/** The error a failed Node process printed, with the genome line it points at when there is one. */
export function extractError(stderr: string): string | null {
  const errorLine = ERROR_LINE.exec(stderr)?.[0]?.trim().replace(/^\[(.*)\]\s*\{$/, '$1');
  const line = LOCATION_LINE.exec(stderr)?.[1];
  if (errorLine) return line ? `${errorLine} (line ${line})` : errorLine;
  const lastLine = stderr
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('Node.js v'))
    .at(-1);
  return lastLine ?? null;
}

/** The answer is the last non-empty stdout line, as JSON. */
export function extractAnswer(stdoutTail: string): { ok: true; answer: unknown } | { ok: false; reason: string } {
  const last = stdoutTail
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .at(-1);
  if (last === undefined) return { ok: false, reason: 'printed no answer' };
  try {
    return { ok: true, answer: JSON.parse(last) };
  } catch {
    const shown = last.length > 80 ? `${last.slice(0, 80)}…` : last;
    return { ok: false, reason: `its last line is not a JSON answer: ${shown}` };
  }
}

/**
 * Turns what a process did into a verdict. Order matters: a killed run is hung even if it printed an answer,
 * an out-of-memory abort is oom rather than a plain crash, and correctness is judged before speed.
 */
export function classify(
  outcome: ChildOutcome,
  limits: { timeLimitMs: number; slowMs: number; outputKillBytes: number },
  judge: (answer: unknown) => Judgement,
): Classification {
  if (outcome.spawnError) return { verdict: 'crashed', error: `could not start: ${outcome.spawnError}` };
  if (outcome.timedOut) {
    return { verdict: 'hung', error: `no result within the ${limits.timeLimitMs} ms time limit; killed (SIGTERM, then SIGKILL)` };
  }
  const oomLine = outcome.stderr.split('\n').find((l) => OOM_MARKERS.some((m) => m.test(l)));
  if (oomLine !== undefined) return { verdict: 'oom', error: oomLine.trim() };
  if (outcome.outputLimited) {
    return { verdict: 'crashed', error: `printed more than ${limits.outputKillBytes} bytes; killed` };
  }
  if (outcome.signal) {
    return { verdict: 'crashed', error: extractError(outcome.stderr) ?? `killed by signal ${outcome.signal}` };
  }
  if (outcome.exitCode !== 0) {
    const printed = extractError(outcome.stderr);
    return { verdict: 'crashed', error: printed ? `${printed}; exit code ${outcome.exitCode}` : `exited with code ${outcome.exitCode}` };
  }
  const answer = extractAnswer(outcome.stdoutTail);
  if (!answer.ok) return { verdict: 'wrong', error: `exited 0 but ${answer.reason}` };
  let judgement: Judgement;
  try {
    judgement = judge(answer.answer);
  } catch (err) {
    judgement = { ok: false, reason: `the oracle could not judge the answer: ${(err as Error).message}` };
  }
  if (!judgement.ok) return { verdict: 'wrong', error: `wrong answer: ${judgement.reason}` };
  if (outcome.durationMs > limits.slowMs) {
    return {
      verdict: 'slow',
      error: `correct but took ${Math.round(outcome.durationMs)} ms; the performance budget is ${limits.slowMs} ms`,
    };
  }
  return { verdict: 'ok', error: null };
}
