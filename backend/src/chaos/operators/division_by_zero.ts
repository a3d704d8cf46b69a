/**
 * division_by_zero: in JavaScript 1/0 is Infinity and throws nothing, but BigInt division by zero throws
 * `RangeError: Division by zero`. Inserts such a division before a statement that runs on every run.
 */
import { insertionOperator } from '../insert.js';

export const divisionByZero = insertionOperator({
  type: 'division_by_zero',
  description: 'Inserts a BigInt division by zero, which throws RangeError, on a path every run takes.',
  code: 'void (BigInt(1) / 0n); // chaos: division by zero',
  what: 'a BigInt division by zero',
  expect: ['crashed'],
});
