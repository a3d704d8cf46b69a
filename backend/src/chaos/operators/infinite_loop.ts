/** infinite_loop: inserts `while (true) {}` on a path every run takes; the organism never answers. */
import { insertionOperator } from '../insert.js';

export const infiniteLoop = insertionOperator({
  type: 'infinite_loop',
  description: 'Inserts `while (true) {}` on a path every run takes, so the organism never answers.',
  code: 'while (true) {} // chaos: infinite loop',
  what: 'an infinite loop',
  expect: ['hung'],
});
