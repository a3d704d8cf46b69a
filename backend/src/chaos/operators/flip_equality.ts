/** flip_equality: negates one equality test: `===` ↔ `!==`, `==` ↔ `!=`. */
import { binaryOperatorMutations, mutantOperator } from '../mutate.js';

const FLIPS = { '===': '!==', '!==': '===', '==': '!=', '!=': '==' };

export const flipEquality = mutantOperator({
  type: 'flip_equality',
  description: 'Negates one equality test: `===` ↔ `!==`, `==` ↔ `!=`.',
  mutations: (parsed) => binaryOperatorMutations(parsed, FLIPS, 'flipped'),
});
