/**
 * Delta debugging: Zeller & Hildebrandt's ddmin ("Simplifying and Isolating Failure-Inducing
 * Input", IEEE TSE 2002), with memoised tests and a bounded number of concurrent tests.
 *
 * Pure apart from calling the predicate. Generic: it minimises a set of items for which a
 * predicate ("fails") holds. The caller frames what "fails" means; for the healer it is
 * "reverting exactly these hunks makes the organism pass".
 */

export interface DdminOptions {
  /** How many predicate calls may run at once (default 2: the core count of the target machine). */
  parallelism?: number;
  /** Upper bound on predicate calls; when reached, the smallest failing set found so far is returned. */
  maxTests?: number;
  /** Aborting rejects the search with the signal's reason; tests already running are not awaited. */
  signal?: AbortSignal;
}

export interface DdminResult<T> {
  /** A 1-minimal failing subset (items in input order), or the best found when exhausted. */
  result: T[];
  /** How many times the predicate was called (memoised repeats are not counted). */
  tests: number;
  /** True when maxTests stopped the search before 1-minimality was established. */
  exhausted: boolean;
}

type Config = readonly number[]; // sorted indices into items

/** Splits a sorted config into n contiguous chunks whose sizes differ by at most one. */
function split(c: Config, n: number): number[][] {
  const parts: number[][] = [];
  let start = 0;
  for (let i = 0; i < n; i++) {
    const end = start + Math.floor((c.length - start) / (n - i));
    parts.push(c.slice(start, end));
    start = end;
  }
  return parts;
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw signal.reason ?? new Error('aborted');
}

/**
 * Finds a 1-minimal subset of `items` for which `fails` is true, assuming `fails(items)` is true
 * (it is not re-checked) and `fails([])` is false (it is never called with the empty set).
 * 1-minimal: removing any single element makes `fails` false. It is not necessarily the smallest
 * such subset overall. Each distinct subset is tested at most once.
 *
 * Within a round the candidate subsets and then their complements are tested in order, up to
 * `parallelism` at a time; the first candidate in that order that fails is taken, so the result
 * depends only on the predicate's answers, not on timing (speculative tests may be wasted).
 */
export async function ddmin<T>(
  items: readonly T[],
  fails: (subset: readonly T[]) => Promise<boolean>,
  options: DdminOptions = {},
): Promise<DdminResult<T>> {
  const parallelism = Math.max(1, Math.floor(options.parallelism ?? 2));
  const maxTests = options.maxTests ?? Number.POSITIVE_INFINITY;
  const { signal } = options;
  const memo = new Map<string, Promise<boolean>>();
  let tests = 0;

  throwIfAborted(signal);
  const toItems = (c: Config): T[] => c.map((i) => items[i] as T);

  // Tests in flight across rounds: a round may be decided while speculative tests of it still
  // run, and those count against `parallelism` until they finish.
  let running = 0;
  let wake: (() => void) | null = null;

  /** The memoised outcome if this subset was tested (or is being tested), else undefined. */
  const known = (c: Config): Promise<boolean> | undefined => memo.get(c.join(','));

  /** Starts a new test of a subset not yet in the memo. */
  const start = (c: Config): Promise<boolean> => {
    tests++;
    running++;
    const outcome = Promise.resolve().then(() => fails(toItems(c)));
    memo.set(c.join(','), outcome);
    const done = (): void => {
      running--;
      wake?.();
    };
    outcome.then(done, done);
    return outcome;
  };

  /**
   * Tests candidates in order, within the parallelism bound. Resolves with the index of the first
   * failing candidate (-1 when none fails); or, when the budget runs out before that is known,
   * with exhausted and the smallest failing candidate seen (-1 if none).
   */
  const firstFailing = (candidates: readonly Config[]): Promise<{ index: number; exhausted: boolean }> =>
    new Promise((resolve, reject) => {
      const outcome: (boolean | undefined)[] = candidates.map(() => undefined);
      let next = 0;
      let pending = 0; // this round's tests not yet answered
      let best = candidates.length; // lowest failing index seen; candidates.length = none yet
      let outOfBudget = false;
      let settled = false;

      const finish = (f: () => void): void => {
        if (settled) return;
        settled = true;
        wake = null;
        signal?.removeEventListener('abort', onAbort);
        f();
      };
      const onAbort = (): void => finish(() => reject(signal?.reason ?? new Error('aborted')));

      const pump = (): void => {
        if (settled) return;
        // Decided once every candidate before the lowest failing one is known to pass.
        if (outcome.slice(0, best).every((o) => o !== undefined)) {
          return finish(() => resolve({ index: best < candidates.length ? best : -1, exhausted: false }));
        }
        while (!outOfBudget && next < best) {
          const i = next;
          let answer = known(candidates[i] as Config);
          if (!answer) {
            if (tests >= maxTests) {
              outOfBudget = true;
              break;
            }
            if (running >= parallelism) break;
            answer = start(candidates[i] as Config);
          }
          next++;
          pending++;
          answer.then(
            (failed) => {
              pending--;
              outcome[i] = failed;
              if (failed && i < best) best = i;
              pump();
            },
            (err: unknown) => {
              pending--;
              finish(() => reject(err));
            },
          );
        }
        if (outOfBudget && pending === 0) {
          let pick = -1;
          outcome.forEach((o, i) => {
            if (o === true && (pick === -1 || (candidates[i] as Config).length < (candidates[pick] as Config).length)) pick = i;
          });
          finish(() => resolve({ index: pick, exhausted: true }));
        }
      };

      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      wake = pump;
      pump();
    });

  let c: Config = items.map((_, i) => i);
  let n = 2;
  let exhausted = false;

  while (c.length >= 2) {
    throwIfAborted(signal);
    n = Math.min(n, c.length);
    const subsets = split(c, n);
    const complements = n === 2 ? [] : subsets.map((_, i) => subsets.filter((__, j) => j !== i).flat());
    const candidates = [...subsets, ...complements];
    const { index, exhausted: out } = await firstFailing(candidates);
    if (index >= 0) {
      const chosen = candidates[index] as Config;
      c = chosen;
      n = index < subsets.length ? 2 : Math.max(n - 1, 2);
    }
    if (out) {
      exhausted = true;
      break;
    }
    if (index < 0) {
      if (n >= c.length) break; // every single-element removal passes: 1-minimal
      n = Math.min(c.length, 2 * n);
    }
  }

  return { result: toItems(c), tests, exhausted };
}

export interface RepairSet {
  /** Hunk indices (ascending) whose revert makes the organism pass; 1-minimal. */
  reverted: number[];
  /** Predicate calls made, including the initial revert-everything check. */
  tests: number;
  /** True when maxTests cut the minimisation short (reverted still passes, but may not be minimal). */
  exhausted: boolean;
}

/**
 * The healer's framing of ddmin: checks that reverting every hunk passes (if not, no subset of
 * reverts can help and the answer is null), then minimises the set of hunks to revert.
 * `maxTests` counts the initial check. With no hunks there is nothing to revert: null.
 */
export async function findRepairSet(
  hunkCount: number,
  passesWithReverted: (revert: ReadonlySet<number>) => Promise<boolean>,
  opts: DdminOptions = {},
): Promise<RepairSet | null> {
  throwIfAborted(opts.signal);
  if (hunkCount <= 0) return null;
  const all = Array.from({ length: hunkCount }, (_, i) => i);
  if (opts.maxTests !== undefined && opts.maxTests < 1) return null;
  if (!(await passesWithReverted(new Set(all)))) return null;
  throwIfAborted(opts.signal);
  const { result, tests, exhausted } = await ddmin(all, (subset) => passesWithReverted(new Set(subset)), {
    ...opts,
    ...(opts.maxTests !== undefined ? { maxTests: opts.maxTests - 1 } : {}),
  });
  return { reverted: result, tests: tests + 1, exhausted };
}
