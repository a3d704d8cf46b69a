/**
 * The search rung: repair without history or a model. Small edits of the failing genome (edits.ts), the most suspicious
 * lines first (localize.ts, order.ts), each tried in the sandbox: one run on the failing input, then the whole suite,
 * then a held-out set of property inputs the search never saw. A candidate that passes the suite but not the held-out set
 * overfits the suite: it is counted in the record and never proposed.
 */
import { codeLineNumbers, parseSource, type Parsed } from '../../chaos/ast.js';
import { SourceTooLarge } from '../../files/source-size.js';
import { passes } from '../../verification/runner.js';
import { caseFor, type SuiteCase } from '../../verification/suite.js';
import type { HealContext, HealStrategy } from '../types.js';
import { applyEdits, repairEdits, type Edit } from './edits.js';
import { demoteUnrun, ochiaiRanking, stackLines, stackRanking, type Ranking } from './localize.js';
import { orderCandidates, screenedBeforeLocalizing } from './order.js';
import { originLines } from './origins.js';
import type { SearchRuns } from './runs.js';

export interface SearchOptions {
  /** Candidates tried at once (the core count). */
  parallelism: number;
  /** HEAL_MAX_TRIALS. */
  maxTrials: number;
  /** HEAL_SEARCH_TIME_MS: the search stops starting candidates after this long. */
  timeBudgetMs: number;
  /** Fault localization on (the default); off, candidates come in the catalogue's order (the benchmark's baseline). */
  localize?: boolean;
  /** Pairs of edits are made among this many best-ranked lines. */
  pairLines?: number;
  /** Suite inputs run under coverage, besides the failing one, for spectrum-based localization. */
  coverageInputs?: number;
}

const DEFAULT_PAIR_LINES = 6;
const DEFAULT_COVERAGE_INPUTS = 16;
/** Lines of the ranking kept in the heal record. */
const RECORDED_LINES = 10;

export interface SearchRecord {
  ranking: { method: Ranking['method']; lines: { line: number; score: number; text: string }[]; timeMs: number; runs: number };
  editsOffered: number;
  candidates: number;
  tried: number;
  /** Failed the screen: one run on the heal's failing input. */
  failedTrial: number;
  /** Passed the trial, failed the rest of the suite. */
  failedSuite: number;
  /** Passed the whole suite, failed the held-out set: overfitting caught. */
  failedHeldOut: number;
  overfitting: { edits: string[]; case: string; verdict: string }[];
  heldOut: number;
  stoppedBy: 'repair' | 'trials' | 'time' | 'cancelled';
  timeMs: number;
  /** Where the time went: wall time and runs of each step (coverage is in `ranking`). */
  phases: { screen: PhaseTime; suite: PhaseTime; heldOut: PhaseTime };
}

export interface PhaseTime {
  ms: number;
  runs: number;
  /** Of these runs, passing inputs proven in a batch proof's worker threads instead of processes. */
  inWorkers?: number;
}

export function searchRepair(o: SearchOptions): HealStrategy {
  return {
    name: 'search',
    async propose(ctx) {
      const runs = ctx.search;
      if (!runs) return { none: 'no runs of the organism were given to the search' };
      const parsed = parseSource(ctx.live.source);
      if (!parsed) return { none: 'the genome does not parse, and the search edits only code that parses' };
      const started = performance.now();
      const failing = caseFor('failing', 'failing input', ctx.failure.input, ctx.failure.seed);
      const pairLines = o.pairLines ?? DEFAULT_PAIR_LINES;
      const edits = repairEdits(parsed);
      const none: Ranking = { method: 'none', lines: [] };
      const catalogue = orderCandidates(edits, none, { maxTrials: o.maxTrials, pairLines });
      const record: SearchRecord = {
        ranking: { method: 'none', lines: [], timeMs: 0, runs: 0 },
        editsOffered: edits.length,
        candidates: catalogue.length,
        tried: 0,
        failedTrial: 0,
        failedSuite: 0,
        failedHeldOut: 0,
        overfitting: [],
        heldOut: runs.heldOut.length,
        stoppedBy: 'trials',
        timeMs: 0,
        phases: { screen: { ms: 0, runs: 0 }, suite: { ms: 0, runs: 0 }, heldOut: { ms: 0, runs: 0 } },
      };
      const seen = new Set<string>([ctx.live.source]);
      let order = catalogue;
      let ranked: Ranking['method'] = 'none';
      // The catalogue's first candidates go before any coverage run: they undo many a chaos mutant (a flipped
      // comparison) for a run's time each, where localization costs a few runs, or many for a wrong answer.
      // A crash's own frames rank its lines from one run; anything else needs coverage of several.
      const frames = ctx.failure.verdict === 'crashed' ? stackLines(ctx.failure.stderrTail) : [];
      const first = catalogue.slice(0, screenedBeforeLocalizing(o, frames.length > 0));
      let found = o.localize === false ? null : await search(ctx, runs, first, failing, seen, record, o, started);
      if (!found && !ctx.signal.aborted && o.localize !== false) {
        const t0 = performance.now();
        const loc = await localize(ctx, runs, parsed, frames, failing, o.coverageInputs ?? DEFAULT_COVERAGE_INPUTS, o.parallelism, pairLines);
        record.ranking = {
          method: loc.ranking.method,
          lines: loc.ranking.lines.slice(0, RECORDED_LINES).map((l) => ({ ...l, text: parsed.lines.text(l.line).trim() })),
          timeMs: Math.round(performance.now() - t0),
          runs: loc.runs,
        };
        order = orderCandidates(edits, loc.ranking, { maxTrials: o.maxTrials, pairLines });
        record.candidates = order.length;
        ranked = loc.ranking.method;
      }
      found ??= await search(ctx, runs, order, failing, seen, record, o, started);
      record.timeMs = Math.round(performance.now() - started);
      if (found) {
        const what = found.edits.map((e) => `${e.summary} on line ${e.line}`).join(' and ');
        return {
          source: found.source,
          summary: `${what} (candidate ${found.index + 1} of ${order.length}, ranked by ${ranked})`,
          detail: { search: { ...record, edits: found.edits.map(describe) } },
        };
      }
      return { none: whyNone(record, order.length), detail: { search: record } };
    },
  };
}

function describe(e: Edit) {
  return { op: e.op, line: e.line, summary: e.summary };
}

function whyNone(r: SearchRecord, planned: number): string {
  const stop = r.stoppedBy === 'time' ? ' before its time budget ran out' : r.stoppedBy === 'cancelled' ? ' before it was cancelled' : '';
  const overfit = r.failedHeldOut ? `; ${r.failedHeldOut} passed the suite but failed the held-out set` : '';
  return `none of ${r.tried} candidate edit(s) tried${stop} (of ${planned}, ranked by ${r.ranking.method}) passes the suite and the held-out set${overfit}`;
}

/**
 * Ranks the genome's lines: a crash's own stack frames when it has some (the lines the failing input ran first), else
 * Ochiai over the coverage of the failing input and some suite inputs (a wrong answer names no line). Coverage runs go `parallelism` at once, the failing input
 * in the first batch, and stop once a batch leaves the best-ranked lines as they were: more inputs would only cost time.
 */
async function localize(ctx: HealContext, runs: SearchRuns, parsed: Parsed, frames: readonly number[], failing: SuiteCase, inputs: number, parallelism: number, topLines: number): Promise<{ ranking: Ranking; runs: number }> {
  if (frames.length > 0) {
    // The lines near a frame that the failing input never ran (the branch it skipped) go last: one run says which.
    const [failed] = await runs.coverage(ctx.live.source, [failing], 1, ctx.signal);
    const stack = stackRanking(frames, parsed.lines.count, originLines(parsed, frames[0] as number));
    return { ranking: failed?.lines ? demoteUnrun(stack, failed.lines) : stack, runs: 1 };
  }
  const width = Math.max(1, parallelism);
  const others = runs.suite().filter((c) => c.hash !== failing.hash).slice(0, inputs);
  // A comment inside a function that ran counts as covered: only lines that carry code are ranked.
  const code = new Set(codeLineNumbers(parsed));
  const samples = await runs.coverage(ctx.live.source, [failing, ...others.slice(0, width - 1)], width, ctx.signal);
  // A failing run that leaves no report (a hang, killed) says nothing; the other runs are then not worth their time.
  if (samples.find((s) => s.case === failing)?.lines == null) return { ranking: { method: 'none', lines: [] }, runs: samples.length };
  const rank = (): Ranking => {
    const spectra = samples.filter((s) => s.lines !== null).map((s) => ({ passed: passes(s.verdict), lines: new Set([...s.lines!].filter((l) => code.has(l))) }));
    return spectra.some((s) => !s.passed) ? ochiaiRanking(spectra) : { method: 'none', lines: [] };
  };
  const top = (r: Ranking) => JSON.stringify(r.lines.slice(0, topLines));
  let ranking = rank();
  for (let at = width - 1; at < others.length && !ctx.signal.aborted; at += width) {
    samples.push(...(await runs.coverage(ctx.live.source, others.slice(at, at + width), width, ctx.signal)));
    const before = top(ranking);
    ranking = rank();
    // Converged: these inputs moved none of the lines the first candidates and the pairs are made of.
    if (top(ranking) === before) break;
  }
  return { ranking, runs: samples.length };
}

interface Found {
  index: number;
  edits: readonly Edit[];
  source: string;
}

/**
 * Tries the candidates in order. Each is screened first, `parallelism` at once, on the failing input alone: most
 * candidates fail there, in one run. One that passes is then proven with every core: the whole suite (remembered for
 * the source, so the ladder's verification of it runs only the failing input), then the held-out set.
 */
async function search(ctx: HealContext, runs: SearchRuns, order: readonly (readonly Edit[])[], failing: SuiteCase, seen: Set<string>, record: SearchRecord, o: SearchOptions, started: number): Promise<Found | null> {
  const width = Math.max(1, o.parallelism);
  const signal = ctx.signal;
  const overBudget = () => {
    if (performance.now() - started <= o.timeBudgetMs) return false;
    record.stoppedBy = 'time';
    return true;
  };
  const screen = async (source: string): Promise<boolean> => {
    try {
      return (await runs.run(source, [failing], 1, signal)).passed;
    } catch (err) {
      // Over MAX_SOURCE_BYTES (a duplicated statement of a genome at the limit): never written nor run.
      if (err instanceof SourceTooLarge) return false;
      throw err;
    }
  };
  const prove = async (c: Found): Promise<boolean> => {
    let t0 = performance.now();
    const suite = await runs.verify(c.source, signal);
    tally(record.phases.suite, t0, suite.runs, suite.inWorkers);
    if (suite.cancelled || signal.aborted) return false;
    if (!suite.passed) return void record.failedSuite++, false;
    t0 = performance.now();
    // In a batch host, as the suite is (HEAL_BATCH_PROOF, the verifier's).
    const heldOut = await runs.run(c.source, runs.heldOut, width, signal, { batch: true });
    tally(record.phases.heldOut, t0, heldOut.runs, heldOut.inWorkers);
    if (heldOut.cancelled || signal.aborted) return false;
    if (heldOut.passed) return true;
    record.failedHeldOut++;
    const f = heldOut.failure;
    record.overfitting.push({ edits: c.edits.map((e) => `${e.summary} on line ${e.line}`), case: f?.case.name ?? '?', verdict: f?.result.verdict ?? '?' });
    return false;
  };
  let next = 0;
  while (next < order.length && record.tried < o.maxTrials && !signal.aborted && !overBudget()) {
    const batch: Found[] = [];
    // HEAL_MAX_TRIALS bounds the candidates run in the whole search, the catalogue's first batch included.
    while (batch.length < width && next < order.length && record.tried + batch.length < o.maxTrials) {
      const index = next++;
      const edits = order[index] as readonly Edit[];
      const source = applyEdits(ctx.live.source, edits);
      if (source === null || seen.has(source)) continue;
      seen.add(source);
      batch.push({ index, edits, source });
    }
    record.tried += batch.length;
    const t0 = performance.now();
    const screened = await Promise.all(batch.map((c) => screen(c.source)));
    tally(record.phases.screen, t0, batch.length);
    for (const [k, c] of batch.entries()) {
      if (signal.aborted || overBudget()) break;
      if (!screened[k]) {
        record.failedTrial++;
        continue;
      }
      if (await prove(c)) {
        record.stoppedBy = 'repair';
        return c;
      }
    }
  }
  if (signal.aborted) record.stoppedBy = 'cancelled';
  return null;
}

function tally(phase: PhaseTime, t0: number, runs: number, inWorkers?: number): void {
  phase.ms += Math.round(performance.now() - t0);
  phase.runs += runs;
  if (inWorkers) phase.inWorkers = (phase.inWorkers ?? 0) + inWorkers;
}
