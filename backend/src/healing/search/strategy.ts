/**
 * The search rung: repair without history or a model. Small edits of the failing genome (edits.ts), the most suspicious
 * lines first (localize.ts, order.ts), each tried in the sandbox: the heal's cheap trial, then the whole suite, then a
 * held-out set of property inputs the search never saw. A candidate that passes the suite but not the held-out set
 * overfits the suite: it is counted in the record and never proposed.
 */
import { codeLineNumbers, parseSource, type Parsed } from '../../chaos/ast.js';
import { passes } from '../../verification/runner.js';
import { caseFor, type SuiteCase } from '../../verification/suite.js';
import type { HealContext, HealStrategy } from '../types.js';
import { applyEdits, repairEdits, type Edit } from './edits.js';
import { ochiaiRanking, stackLines, stackRanking, type Ranking } from './localize.js';
import { orderCandidates } from './order.js';
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
  /** Failed the heal's trial (the failing input, the regression set). */
  failedTrial: number;
  /** Passed the trial, failed the rest of the suite. */
  failedSuite: number;
  /** Passed the whole suite, failed the held-out set: overfitting caught. */
  failedHeldOut: number;
  overfitting: { edits: string[]; case: string; verdict: string }[];
  heldOut: number;
  stoppedBy: 'repair' | 'trials' | 'time' | 'cancelled';
  timeMs: number;
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
      const loc = o.localize === false ? { ranking: { method: 'none', lines: [] } as Ranking, runs: 0 } : await localize(ctx, runs, parsed, failing, o.coverageInputs ?? DEFAULT_COVERAGE_INPUTS, o.parallelism);
      const locMs = Math.round(performance.now() - started);
      const edits = repairEdits(parsed);
      const order = orderCandidates(edits, loc.ranking, { maxTrials: o.maxTrials, pairLines: o.pairLines ?? DEFAULT_PAIR_LINES });
      const record: SearchRecord = {
        ranking: {
          method: loc.ranking.method,
          lines: loc.ranking.lines.slice(0, RECORDED_LINES).map((l) => ({ ...l, text: parsed.lines.text(l.line).trim() })),
          timeMs: locMs,
          runs: loc.runs,
        },
        editsOffered: edits.length,
        candidates: order.length,
        tried: 0,
        failedTrial: 0,
        failedSuite: 0,
        failedHeldOut: 0,
        overfitting: [],
        heldOut: runs.heldOut.length,
        stoppedBy: 'trials',
        timeMs: 0,
      };
      const found = await search(ctx, runs, order, record, o, started);
      record.timeMs = Math.round(performance.now() - started);
      if (found) {
        const what = found.edits.map((e) => `${e.summary} on line ${e.line}`).join(' and ');
        return {
          source: found.source,
          summary: `${what} (candidate ${found.index + 1} of ${order.length}, ranked by ${loc.ranking.method})`,
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
 * Ranks the genome's lines: a crash's own stack frames when it has some, else Ochiai over the coverage of the failing
 * input and some suite inputs (a wrong answer names no line).
 */
async function localize(ctx: HealContext, runs: SearchRuns, parsed: Parsed, failing: SuiteCase, inputs: number, parallelism: number): Promise<{ ranking: Ranking; runs: number }> {
  const frames = ctx.failure.verdict === 'crashed' ? stackLines(ctx.failure.stderrTail) : [];
  if (frames.length > 0) return { ranking: stackRanking(frames, parsed.lines.count), runs: 0 };
  // A failing run that leaves no report (a hang, killed) says nothing; the other runs are then not worth their time.
  const first = await runs.coverage(ctx.live.source, [failing], 1, ctx.signal);
  if (first[0]?.lines == null) return { ranking: { method: 'none', lines: [] }, runs: first.length };
  const others = runs.suite().filter((c) => c.hash !== failing.hash).slice(0, inputs);
  const samples = [...first, ...(await runs.coverage(ctx.live.source, others, parallelism, ctx.signal))];
  // A comment inside a function that ran counts as covered for V8: only lines that carry code are ranked.
  const code = new Set(codeLineNumbers(parsed));
  const spectra = samples.filter((s) => s.lines !== null).map((s) => ({ passed: passes(s.verdict), lines: new Set([...s.lines!].filter((l) => code.has(l))) }));
  if (!spectra.some((s) => !s.passed)) return { ranking: { method: 'none', lines: [] }, runs: samples.length };
  return { ranking: ochiaiRanking(spectra), runs: samples.length };
}

interface Found {
  index: number;
  edits: readonly Edit[];
  source: string;
}

/** Tries the candidates in order, `parallelism` at once; the first that passes everything stops the rest. */
async function search(ctx: HealContext, runs: SearchRuns, order: readonly (readonly Edit[])[], record: SearchRecord, o: SearchOptions, started: number): Promise<Found | null> {
  const stop = new AbortController();
  const signal = AbortSignal.any([stop.signal, ctx.signal]);
  const seen = new Set<string>([ctx.live.source]);
  let next = 0;
  let found: Found | null = null;
  const tryOne = async (index: number): Promise<void> => {
    const edits = order[index] as readonly Edit[];
    const source = applyEdits(ctx.live.source, edits);
    if (source === null || seen.has(source)) return;
    seen.add(source);
    record.tried++;
    const trial = await ctx.trial(source);
    if (signal.aborted) return;
    if (trial.verdict !== 'ok') return void record.failedTrial++;
    const suite = await runs.run(source, runs.suite(), 1, signal);
    if (signal.aborted) return;
    if (!suite.passed) return void record.failedSuite++;
    const heldOut = await runs.run(source, runs.heldOut, 1, signal);
    if (signal.aborted) return;
    if (!heldOut.passed) {
      record.failedHeldOut++;
      const f = heldOut.failure;
      record.overfitting.push({ edits: edits.map((e) => `${e.summary} on line ${e.line}`), case: f?.case.name ?? '?', verdict: f?.result.verdict ?? '?' });
      return;
    }
    if (!found || index < found.index) found = { index, edits, source };
    stop.abort();
  };
  const worker = async () => {
    while (next < order.length && !signal.aborted) {
      if (performance.now() - started > o.timeBudgetMs) {
        record.stoppedBy = 'time';
        return;
      }
      await tryOne(next++);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(o.parallelism, order.length)) }, worker));
  if (found) record.stoppedBy = 'repair';
  else if (ctx.signal.aborted) record.stoppedBy = 'cancelled';
  return found;
}
