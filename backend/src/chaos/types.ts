import type { Rng } from '../lib/rng.js';
import type { Verdict } from '../domain.js';

export interface ChaosResult {
  type: string;          // the operator's type, e.g. 'delete_line'
  source: string;        // the corrupted source; ALWAYS differs from the input
  line: number;          // 1-based line number (in the corrupted source for insertions/changes; in the original for deletions)
  before: string;        // the original line text ('' for a pure insertion)
  after: string;         // the new line text ('' for a deletion)
  description: string;   // one sentence for people, e.g. "Deleted line 24: `swapped = true;`"
  expect: readonly Verdict[]; // the verdicts this corruption is meant to produce, e.g. ['crashed'], or ['wrong'] for logic mutants
}

export interface ChaosOperator {
  readonly type: string;         // snake_case
  readonly description: string;  // one line, for GET /chaos/types and the dashboard
  apply(source: string, rng: Rng): ChaosResult;  // pure: same source + same seed -> same result
  /** Every mutant the operator can make of `source`, in source order (the AST logic mutants; for the latent search). */
  enumerate?(source: string): ChaosResult[];
}

export class ChaosNotApplicable extends Error {}  // thrown when the source offers no place for this operator
