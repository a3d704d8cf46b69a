import { describe, expect, it } from 'vitest';
import type { ChildOutcome } from './child-process.js';
import { classify, extractAnswer, extractError } from './verdict.js';

const outcome = (o: Partial<ChildOutcome>): ChildOutcome => ({
  exitCode: 0,
  signal: null,
  durationMs: 50,
  timedOut: false,
  outputLimited: false,
  stdout: '[1,2]\n',
  stdoutTail: '[1,2]\n',
  stderr: '',
  stdoutBytes: 6,
  stderrBytes: 0,
  spawnError: null,
  ...o,
});
const limits = { timeLimitMs: 2000, slowMs: 1000, outputKillBytes: 1_000_000 };
const accept = () => ({ ok: true as const });
const reject = () => ({ ok: false as const, reason: 'not sorted at index 1' });

const NODE_SYNTAX_ERROR = `/data/organisms/bubble-sort/run/abc.js:12
    for (let i = 0; i < end; i++ {
                               ^

SyntaxError: Unexpected token '{'
    at internalCompileFunction (node:internal/vm:76:18)

Node.js v20.20.2
`;

describe('classify', () => {
  it('judges a clean correct run ok', () => {
    expect(classify(outcome({}), limits, accept)).toEqual({ verdict: 'ok', error: null });
  });

  it('puts a timeout first, even when an answer was printed', () => {
    expect(classify(outcome({ timedOut: true, signal: 'SIGTERM' }), limits, accept).verdict).toBe('hung');
  });

  it('recognises a failed allocation outside the heap as oom', () => {
    const stderr = '#\n# Fatal process out of memory: Failed to reserve virtual memory for CodeRange\n#';
    expect(classify(outcome({ signal: 'SIGTRAP', exitCode: null, stderr }), limits, accept).verdict).toBe('oom');
  });

  it('recognises a V8 heap exhaustion as oom', () => {
    const stderr = 'FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory';
    expect(classify(outcome({ signal: 'SIGABRT', exitCode: null, stderr }), limits, accept).verdict).toBe('oom');
  });

  it('quotes the error and its genome line for a crash', () => {
    const c = classify(outcome({ exitCode: 1, stderr: NODE_SYNTAX_ERROR }), limits, accept);
    expect(c.verdict).toBe('crashed');
    expect(c.error).toBe("SyntaxError: Unexpected token '{' (line 12); exit code 1");
  });

  it('judges the answer before the time, so a slow wrong answer is wrong', () => {
    expect(classify(outcome({ durationMs: 5000 }), limits, reject)).toEqual({
      verdict: 'wrong',
      error: 'wrong answer: not sorted at index 1',
    });
    expect(classify(outcome({ durationMs: 1500 }), limits, accept).verdict).toBe('slow');
  });

  it('turns an oracle that throws into a wrong verdict, not a server error', () => {
    const c = classify(outcome({}), limits, () => {
      throw new Error('boom');
    });
    expect(c).toEqual({ verdict: 'wrong', error: 'wrong answer: the oracle could not judge the answer: boom' });
  });
});

describe('extractAnswer', () => {
  it('reads the last non-empty line as JSON', () => {
    expect(extractAnswer('progress\n[3,4]\n\n')).toEqual({ ok: true, answer: [3, 4] });
  });
  it('explains a missing or malformed answer', () => {
    expect(extractAnswer('')).toEqual({ ok: false, reason: 'printed no answer' });
    expect(extractAnswer('done sorting')).toEqual({ ok: false, reason: 'its last line is not a JSON answer: done sorting' });
  });
});

describe('extractError', () => {
  it("reads Node 22+'s bracketed form of an error with properties", () => {
    const stderr = "node:internal/deps/undici:13510\n      Error.captureStackTrace(err);\n\n[TypeError: fetch failed] {\n  [cause]: Error: connect ENETUNREACH\n}\n";
    expect(extractError(stderr)).toBe('TypeError: fetch failed');
  });

  it('falls back to the last meaningful stderr line', () => {
    expect(extractError('something odd happened\nNode.js v20.20.2\n')).toBe('something odd happened');
    expect(extractError('')).toBeNull();
  });
});
