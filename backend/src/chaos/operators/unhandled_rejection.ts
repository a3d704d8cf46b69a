/** unhandled_rejection: inserts a rejected promise nobody handles; Node 20 exits with code 1 on it. */
import { insertionOperator } from '../insert.js';

export const unhandledRejection = insertionOperator({
  type: 'unhandled_rejection',
  description: 'Inserts a promise rejection nobody handles; Node exits with an error on it.',
  code: "Promise.reject(new Error('chaos: unhandled rejection'));",
  what: 'an unhandled promise rejection',
  expect: ['crashed'],
});
