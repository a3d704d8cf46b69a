/**
 * Chaos: operators that corrupt an organism's source so the watcher can detect it and the healer can mend it.
 * Every operator is pure: the same source and the same seed give the same corruption.
 */
import type { Rng } from '../lib/rng.js';
import { changeBoundary } from './operators/change_boundary.js';
import { changeLiteral } from './operators/change_literal.js';
import { deleteLine } from './operators/delete_line.js';
import { divisionByZero } from './operators/division_by_zero.js';
import { emptyBlock } from './operators/empty_block.js';
import { exitCode } from './operators/exit_code.js';
import { flipComparison } from './operators/flip_comparison.js';
import { flipEquality } from './operators/flip_equality.js';
import { infiniteLoop } from './operators/infinite_loop.js';
import { memoryLeak } from './operators/memory_leak.js';
import { negateCondition } from './operators/negate_condition.js';
import { slowdown } from './operators/slowdown.js';
import { swapArithmetic } from './operators/swap_arithmetic.js';
import { syntaxError } from './operators/syntax_error.js';
import { throwError } from './operators/throw.js';
import { unhandledRejection } from './operators/unhandled_rejection.js';
import { shuffled } from './shuffle.js';
import { ChaosNotApplicable, type ChaosOperator, type ChaosResult } from './types.js';

export { ChaosNotApplicable, type ChaosOperator, type ChaosResult } from './types.js';

/** Every operator, in a stable order: the core three, the catalogue of failures, then the logic mutants. */
export const CHAOS_OPERATORS: readonly ChaosOperator[] = Object.freeze([
  deleteLine,
  syntaxError,
  divisionByZero,
  infiniteLoop,
  memoryLeak,
  slowdown,
  exitCode,
  unhandledRejection,
  throwError,
  flipComparison,
  flipEquality,
  swapArithmetic,
  changeBoundary,
  negateCondition,
  emptyBlock,
  changeLiteral,
]);

export const RANDOM_CHAOS = 'random';
const RANDOM_DESCRIPTION = 'Picks one of the other operators at random (skipping those that find no place in the source).';

/** Every operator's type, then 'random'. */
export const CHAOS_TYPES: readonly string[] = Object.freeze([...CHAOS_OPERATORS.map((op) => op.type), RANDOM_CHAOS]);

export class UnknownChaosType extends Error {
  readonly validTypes: readonly string[];

  constructor(readonly chaosType: string) {
    super(`unknown chaos type '${chaosType}'; valid types: ${CHAOS_TYPES.join(', ')}`);
    this.name = 'UnknownChaosType';
    this.validTypes = CHAOS_TYPES;
  }
}

/** Every type with its description, 'random' last: for GET /chaos/types and the dashboard. */
export function chaosCatalogue(): { type: string; description: string }[] {
  return [
    ...CHAOS_OPERATORS.map(({ type, description }) => ({ type, description })),
    { type: RANDOM_CHAOS, description: RANDOM_DESCRIPTION },
  ];
}

export function getChaosOperator(type: string): ChaosOperator | undefined {
  return CHAOS_OPERATORS.find((op) => op.type === type);
}

/**
 * Applies the operator named `type` ('random': operators in an order drawn from the rng, the first that
 * applies wins; the result's type names it). Throws UnknownChaosType for a name it does not know and
 * ChaosNotApplicable when the source offers no place for the corruption.
 */
export function applyChaos(type: string, source: string, rng: Rng): ChaosResult {
  if (type === RANDOM_CHAOS) {
    for (const operator of shuffled(CHAOS_OPERATORS, rng)) {
      try {
        return operator.apply(source, rng);
      } catch (error) {
        if (!(error instanceof ChaosNotApplicable)) throw error;
      }
    }
    throw new ChaosNotApplicable('random: no chaos operator finds a place in this source');
  }
  const operator = getChaosOperator(type);
  if (!operator) throw new UnknownChaosType(type);
  return operator.apply(source, rng);
}
