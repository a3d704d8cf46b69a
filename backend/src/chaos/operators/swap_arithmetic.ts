/** swap_arithmetic: swaps one arithmetic operator: `+` ↔ `-`, `*` ↔ `/`. */
import { binaryOperatorMutations, mutantOperator } from '../mutate.js';

const SWAPS = { '+': '-', '-': '+', '*': '/', '/': '*' };

export const swapArithmetic = mutantOperator({
  type: 'swap_arithmetic',
  description: 'Swaps one arithmetic operator: `+` ↔ `-`, `*` ↔ `/`.',
  mutations: (parsed) => binaryOperatorMutations(parsed, SWAPS, 'swapped'),
});
