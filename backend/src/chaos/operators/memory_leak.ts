/**
 * memory_leak: inserts a loop that keeps pushing large arrays into one retained array, on a path every run
 * takes, until the heap limit (the watcher runs node with --max-old-space-size) is reached.
 */
import { insertionOperator } from '../insert.js';

export const memoryLeak = insertionOperator({
  type: 'memory_leak',
  description: 'Inserts a loop that grows a retained array without bound until the heap is exhausted.',
  code: 'for (const hoard = []; ; ) hoard.push(new Array(100000).fill(7)); // chaos: memory leak',
  what: 'an unbounded memory leak',
  expect: ['oom'],
});
