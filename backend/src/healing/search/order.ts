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
