/**
 * The order in which the search rung tries its candidates. Pure: single edits first, the most suspicious lines first
 * and, on a line, the operators that undo a chaos mutant before the statement edits; then pairs of edits among the
 * best-ranked lines; never more than the trial budget.
 */
import { disjoint, REPAIR_OPERATORS, type Edit } from './edits.js';
import type { Ranking } from './localize.js';

export interface OrderOptions {
  /** HEAL_MAX_TRIALS: candidates tried at most. */
  maxTrials: number;
  /** Pairs are made among the edits of this many best-ranked lines. */
  pairLines: number;
}

export type CandidateEdits = readonly Edit[];

export function orderCandidates(edits: readonly Edit[], ranking: Ranking, o: OrderOptions): CandidateEdits[] {
  const score = new Map(ranking.lines.map((l) => [l.line, l.score]));
  const scoreOf = (e: Edit) => score.get(e.line) ?? 0;
  const prior = (e: Edit) => REPAIR_OPERATORS.indexOf(e.op);
  const singles = [...edits].sort((a, b) => scoreOf(b) - scoreOf(a) || prior(a) - prior(b) || a.start - b.start || a.replacement.localeCompare(b.replacement));
  const out: CandidateEdits[] = singles.slice(0, o.maxTrials).map((e) => [e]);
  if (out.length >= o.maxTrials) return out;

  // Without a ranking, the best lines are simply the first lines that offer an edit.
  const lines = ranking.lines.length > 0 ? ranking.lines.map((l) => l.line) : [...new Set(singles.map((e) => e.line))].sort((a, b) => a - b);
  const top = new Set(lines.slice(0, o.pairLines));
  const near = singles.filter((e) => top.has(e.line));
  const pairs: { edits: [Edit, Edit]; score: number; rank: number }[] = [];
  for (let i = 0; i < near.length; i++) {
    for (let j = i + 1; j < near.length; j++) {
      const a = near[i] as Edit;
      const b = near[j] as Edit;
      if (!disjoint(a, b)) continue;
      pairs.push({ edits: a.start < b.start ? [a, b] : [b, a], score: scoreOf(a) + scoreOf(b), rank: i + j });
    }
  }
  pairs.sort((x, y) => y.score - x.score || x.rank - y.rank);
  for (const p of pairs) {
    if (out.length >= o.maxTrials) break;
    out.push(p.edits);
  }
  return out;
}

/**
 * Batches of the catalogue's order screened before a wrong answer pays for its coverage runs (the failing input and up
 * to `coverageInputs` more, instrumented: 1.2-2.2 s on the repair corpus, as much as 6-10 batches of screens). On the
 * corpus's 40-line genomes the catalogue order alone reached most repairs within 8 candidates, and localizing first
 * made the median repair a second slower (BENCHMARKS.md); a bug the catalogue misses still gets the ranking after these.
 */
const SCREEN_BATCHES_BEFORE_COVERAGE = 4;

/**
 * How many of the catalogue's candidates the search screens before localizing. A crash with stack frames ranks its lines
 * from one run: one batch goes first. Anything else, up to SCREEN_BATCHES_BEFORE_COVERAGE batches, but never more than a
 * quarter of HEAL_MAX_TRIALS, so that a small budget is still spent mostly in the ranked order.
 */
export function screenedBeforeLocalizing(o: { parallelism: number; maxTrials: number }, rankedByStack: boolean): number {
  const width = Math.max(1, o.parallelism);
  if (rankedByStack) return width;
  return Math.max(width, Math.min(SCREEN_BATCHES_BEFORE_COVERAGE * width, Math.floor(o.maxTrials / 4)));
}
