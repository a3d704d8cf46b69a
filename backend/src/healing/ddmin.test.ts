import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ddmin, findRepairSet } from './ddmin.js';
import { computeHunks, revertHunks } from './hunks.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Wraps a synchronous predicate, recording every call and the peak number of calls in flight. */
function instrument<T>(pred: (s: readonly T[]) => boolean, delay: (s: readonly T[]) => number = () => 0) {
  const calls: string[] = [];
  let inFlight = 0;
  let peak = 0;
  const fails = async (s: readonly T[]): Promise<boolean> => {
    calls.push(JSON.stringify(s));
    inFlight++;
    peak = Math.max(peak, inFlight);
    const ms = delay(s);
    if (ms > 0) await sleep(ms);
    else await Promise.resolve();
    inFlight--;
    return pred(s);
  };
  return { fails, calls, peak: () => peak };
}

function isOneMinimal<T>(result: readonly T[], pred: (s: readonly T[]) => boolean): boolean {
  return result.every((_, i) => !pred(result.filter((__, j) => j !== i)));
}

function isSubsequence<T>(sub: readonly T[], of: readonly T[]): boolean {
  let j = 0;
  for (const x of of) if (j < sub.length && sub[j] === x) j++;
  return j === sub.length;
}

describe('ddmin', () => {
  it('finds the single culprit among eight items', async () => {
    const items = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'];
    const { fails, calls } = instrument<string>((s) => s.includes('f'));
    const out = await ddmin(items, fails);
    expect(out).toEqual({ result: ['f'], tests: calls.length, exhausted: false });
    expect(out.tests).toBeLessThanOrEqual(2 * Math.log2(items.length) + 2);
  });

  it('finds two interacting culprits and keeps their input order', async () => {
    const items = [9, 3, 7, 1, 5, 8, 2, 6];
    const { fails } = instrument<number>((s) => s.includes(2) && s.includes(3));
    expect((await ddmin(items, fails)).result).toEqual([3, 2]);
  });

  it('returns the input when it is already minimal, and copes with 0 or 1 items', async () => {
    const pred = (s: readonly number[]): boolean => s.length === 3;
    expect(await ddmin([1, 2, 3], instrument(pred).fails)).toMatchObject({ result: [1, 2, 3], exhausted: false });
    const never = instrument<number>(() => false);
    expect(await ddmin([], never.fails)).toEqual({ result: [], tests: 0, exhausted: false });
    expect(await ddmin([4], never.fails)).toEqual({ result: [4], tests: 0, exhausted: false });
  });

  it('tests two subsets at once by default and never more than asked', async () => {
    const items = Array.from({ length: 16 }, (_, i) => i);
    const two = instrument<number>((s) => s.includes(11) && s.includes(2), () => 5);
    await ddmin(items, two.fails);
    expect(two.peak()).toBe(2);
    const four = instrument<number>((s) => s.includes(11) && s.includes(2), () => 5);
    await ddmin(items, four.fails, { parallelism: 4 });
    expect(four.peak()).toBeLessThanOrEqual(4);
    expect(four.peak()).toBeGreaterThan(2);
    const one = instrument<number>((s) => s.includes(11) && s.includes(2), () => 1);
    await ddmin(items, one.fails, { parallelism: 1 });
    expect(one.peak()).toBe(1);
  });

  it('stops at maxTests with the smallest failing set found so far', async () => {
    const items = Array.from({ length: 32 }, (_, i) => i);
    const pred = (s: readonly number[]): boolean => s.includes(5) && s.includes(12);
    const { fails, calls } = instrument(pred);
    const out = await ddmin(items, fails, { maxTests: 3 });
    expect(out.exhausted).toBe(true);
    expect(out.tests).toBe(3);
    expect(calls).toHaveLength(3);
    expect(pred(out.result)).toBe(true);
    expect(out.result).toEqual(items.slice(0, 16));
    const none = await ddmin(items, instrument(pred).fails, { maxTests: 0 });
    expect(none).toEqual({ result: items, tests: 0, exhausted: true });
  });

  it('rejects when the predicate throws', async () => {
    await expect(ddmin([1, 2, 3, 4], async () => Promise.reject(new Error('trial crashed')))).rejects.toThrow('trial crashed');
  });

  it('rejects with the abort reason when aborted, before or during the search', async () => {
    const before = new AbortController();
    before.abort(new Error('healing cancelled'));
    await expect(ddmin([1, 2, 3], async () => true, { signal: before.signal })).rejects.toThrow('healing cancelled');

    const during = new AbortController();
    const { fails, calls } = instrument<number>((s) => s.includes(3), () => 20);
    const search = ddmin(Array.from({ length: 64 }, (_, i) => i), fails, { signal: during.signal });
    setTimeout(() => during.abort(new Error('stop')), 30);
    await expect(search).rejects.toThrow('stop');
    const seen = calls.length;
    await sleep(60);
    expect(calls.length).toBe(seen); // nothing new is started after the abort
  });
});

describe('findRepairSet', () => {
  it('returns null when reverting every hunk does not pass', async () => {
    let calls = 0;
    const out = await findRepairSet(5, async () => {
      calls++;
      return false;
    });
    expect(out).toBeNull();
    expect(calls).toBe(1);
  });

  it('returns null with no hunks, without testing', async () => {
    let calls = 0;
    expect(await findRepairSet(0, async () => (calls++, true))).toBeNull();
    expect(calls).toBe(0);
  });

  it('finds the hunks whose revert is needed, and counts the initial check', async () => {
    const seen: number[][] = [];
    const out = await findRepairSet(6, async (revert) => {
      seen.push([...revert].sort((a, b) => a - b));
      return revert.has(1) && revert.has(4);
    });
    expect(out).toMatchObject({ reverted: [1, 4], exhausted: false });
    expect(seen[0]).toEqual([0, 1, 2, 3, 4, 5]);
    expect(out?.tests).toBe(seen.length);
  });

  it('answers a single hunk with one test', async () => {
    expect(await findRepairSet(1, async () => true)).toEqual({ reverted: [0], tests: 1, exhausted: false });
  });

  it('keeps maxTests including the initial check', async () => {
    let calls = 0;
    const out = await findRepairSet(
      16,
      async (r) => {
        calls++;
        return r.has(3) && r.has(12);
      },
      { maxTests: 4 },
    );
    expect(calls).toBe(4);
    expect(out?.tests).toBe(4);
    expect(out?.exhausted).toBe(true);
    expect(out?.reverted).toEqual(expect.arrayContaining([3, 12]));
  });
});

// ---- properties -------------------------------------------------------------------------------

const itemsArb = fc.integer({ min: 1, max: 24 }).map((n) => Array.from({ length: n }, (_, i) => `h${i}`));

/** A non-empty subset of the items, picked by a list of positions. */
function pick(items: readonly string[], positions: readonly number[]): Set<string> {
  return new Set(positions.map((p) => items[p % items.length] as string));
}

describe('ddmin properties', () => {
  it('contains-all-culprits: finds exactly the culprits, 1-minimal, never repeating a test', async () => {
    await fc.assert(
      fc.asyncProperty(itemsArb, fc.array(fc.nat(), { minLength: 1, maxLength: 5 }), fc.integer({ min: 1, max: 4 }), async (items, pos, parallelism) => {
        const culprits = pick(items, pos);
        const pred = (s: readonly string[]): boolean => [...culprits].every((c) => s.includes(c));
        const { fails, calls } = instrument(pred);
        const out = await ddmin(items, fails, { parallelism });
        expect(pred(out.result)).toBe(true);
        expect(isOneMinimal(out.result, pred)).toBe(true);
        expect(new Set(out.result)).toEqual(culprits);
        expect(isSubsequence(out.result, items)).toBe(true);
        expect(new Set(calls).size).toBe(calls.length);
        expect(out.tests).toBe(calls.length);
        expect(out.exhausted).toBe(false);
      }),
      { numRuns: 300 },
    );
  });

  it('contains-any: finds a single element of the set', async () => {
    await fc.assert(
      fc.asyncProperty(itemsArb, fc.array(fc.nat(), { minLength: 1, maxLength: 5 }), async (items, pos) => {
        const any = pick(items, pos);
        const pred = (s: readonly string[]): boolean => s.some((x) => any.has(x));
        const { fails, calls } = instrument(pred);
        const out = await ddmin(items, fails);
        expect(out.result).toHaveLength(1);
        expect(any.has(out.result[0] as string)).toBe(true);
        expect(new Set(calls).size).toBe(calls.length);
      }),
      { numRuns: 300 },
    );
  });

  it('any monotone predicate (one of several culprit groups): result fails and is 1-minimal', async () => {
    await fc.assert(
      fc.asyncProperty(
        itemsArb,
        fc.array(fc.array(fc.nat(), { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 4 }),
        async (items, groupsPos) => {
          const groups = groupsPos.map((g) => pick(items, g));
          const pred = (s: readonly string[]): boolean => groups.some((g) => [...g].every((c) => s.includes(c)));
          const { fails, calls } = instrument(pred);
          const out = await ddmin(items, fails);
          expect(pred(out.result)).toBe(true);
          expect(isOneMinimal(out.result, pred)).toBe(true);
          expect(new Set(calls).size).toBe(calls.length);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('arbitrary (non-monotone) predicates: still a failing, 1-minimal, memoised result', async () => {
    await fc.assert(
      fc.asyncProperty(itemsArb, fc.func(fc.boolean()), async (items, f) => {
        const pred = (s: readonly string[]): boolean =>
          s.length === items.length ? true : s.length === 0 ? false : f(s.join(','));
        const { fails, calls } = instrument(pred);
        const out = await ddmin(items, fails);
        expect(pred(out.result)).toBe(true);
        expect(isOneMinimal(out.result, pred)).toBe(true);
        expect(isSubsequence(out.result, items)).toBe(true);
        expect(new Set(calls).size).toBe(calls.length);
      }),
      { numRuns: 300 },
    );
  });

  it('gives the same result whatever the parallelism and the timing of tests', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 16 }).map((n) => Array.from({ length: n }, (_, i) => `h${i}`)),
        fc.func(fc.boolean()),
        fc.func(fc.integer({ min: 0, max: 3 })),
        fc.integer({ min: 2, max: 5 }),
        async (items, f, delayOf, parallelism) => {
          const pred = (s: readonly string[]): boolean =>
            s.length === items.length ? true : s.length === 0 ? false : f(s.join(','));
          const serial = await ddmin(items, instrument(pred).fails, { parallelism: 1 });
          const parallel = instrument(pred, (s) => delayOf(s.join(',')));
          const out = await ddmin(items, parallel.fails, { parallelism });
          expect(out.result).toEqual(serial.result);
          expect(parallel.peak()).toBeLessThanOrEqual(parallelism);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('respects maxTests and still returns a failing set', async () => {
    await fc.assert(
      fc.asyncProperty(itemsArb, fc.array(fc.nat(), { minLength: 1, maxLength: 5 }), fc.nat(12), async (items, pos, maxTests) => {
        const culprits = pick(items, pos);
        const pred = (s: readonly string[]): boolean => [...culprits].every((c) => s.includes(c));
        const { fails, calls } = instrument(pred);
        const out = await ddmin(items, fails, { maxTests });
        expect(calls.length).toBeLessThanOrEqual(maxTests);
        expect(out.tests).toBe(calls.length);
        expect(pred(out.result)).toBe(true);
        if (!out.exhausted) expect(isOneMinimal(out.result, pred)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});

// ---- the pieces together: real hunks of the real organism, judged by running it ----------------

const organismDir = new URL('../../../organisms/bubble-sort/', import.meta.url);

/** Runs a genome source with node on the input and judges its last stdout line with the harness. */
async function runsCorrectly(source: string, values: number[]): Promise<boolean> {
  const { judge } = (await import(new URL('harness.mjs', organismDir).href)) as { judge: (i: unknown, a: unknown) => { ok: boolean } };
  const stdout = await new Promise<string | null>((resolve) => {
    const child = spawn(process.execPath, ['-'], { stdio: ['pipe', 'pipe', 'ignore'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve(code === 0 ? out : null);
    });
    // The genome reads its input from stdin, so feed the program through a wrapper that sets it.
    child.stdin.end(
      `const { Readable } = require('node:stream');\n` +
        `Object.defineProperty(process, 'stdin', { value: Readable.from([Buffer.from(${JSON.stringify(JSON.stringify({ values }))})]) });\n` +
        source.replace(/^'use strict';/, ''),
    );
  });
  if (stdout === null) return false;
  try {
    const last = stdout.trim().split('\n').pop() ?? '';
    return judge({ values }, JSON.parse(last)).ok;
  } catch {
    return false;
  }
}

describe('findRepairSet on the bubble-sort genome', () => {
  it('reverts only the two harmful hunks among harmless ones', async () => {
    const healthy = readFileSync(new URL('genome.js', organismDir), 'utf8');
    const broken = healthy
      .replace('// It is slow on purpose', '// It is slow, on purpose') // harmless
      .replace('        swapped = true;\n', '') // harmful: the loop stops after one pass
      .replace('if (values[i] > values[i + 1]) {', 'if (values[i] < values[i + 1]) {') // harmful
      .replace("  const chunks = [];", "  const chunks = []; // collected"); // harmless
    const hunks = computeHunks(healthy, broken);
    expect(hunks).toHaveLength(4);
    const values = [5, -3, 9, 0, 2, 2, -8];
    expect(await runsCorrectly(healthy, values)).toBe(true);
    expect(await runsCorrectly(broken, values)).toBe(false);

    const out = await findRepairSet(hunks.length, (revert) => runsCorrectly(revertHunks(broken, hunks, revert), values));
    expect(out).not.toBeNull();
    const comparison = hunks.findIndex((h) => h.newLines.some((l) => l.includes('values[i] < values[i + 1]')));
    const swapped = hunks.findIndex((h) => h.oldLines.some((l) => l.includes('swapped = true;')));
    expect(out!.reverted).toEqual([comparison, swapped].sort((a, b) => a - b));
    expect(out!.exhausted).toBe(false);
  });
});
