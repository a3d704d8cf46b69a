/** change_boundary: moves one comparison's boundary by one: `<` ↔ `<=`, `>` ↔ `>=`. */
import { binaryOperatorMutations, mutantOperator } from '../mutate.js';

const SHIFTS = { '<': '<=', '<=': '<', '>': '>=', '>=': '>' };

export const changeBoundary = mutantOperator({
  type: 'change_boundary',
  description: "Moves one comparison's boundary: `<` ↔ `<=`, `>` ↔ `>=`.",
  mutations: (parsed) => binaryOperatorMutations(parsed, SHIFTS, 'changed'),
});
