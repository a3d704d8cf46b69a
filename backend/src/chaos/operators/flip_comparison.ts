/** flip_comparison: turns one comparison around: `<` ↔ `>`, `<=` ↔ `>=`. */
import { binaryOperatorMutations, mutantOperator } from '../mutate.js';

const FLIPS = { '<': '>', '>': '<', '<=': '>=', '>=': '<=' };

export const flipComparison = mutantOperator({
  type: 'flip_comparison',
  description: 'Turns one comparison around: `<` ↔ `>`, `<=` ↔ `>=`.',
  mutations: (parsed) => binaryOperatorMutations(parsed, FLIPS, 'flipped'),
});
