/**
 * slowdown: inserts a busy-wait of 1300 ms that leaves the answer untouched. A flag on globalThis makes it
 * wait once per run wherever it lands; it prefers the start of a function body. 1300 ms sits between the
 * performance budget (1000 ms) and the hard time limit (2000 ms), with room for node's start-up.
 */
import { insertionOperator } from '../insert.js';

export const SLOWDOWN_MS = 1300;

export const slowdown = insertionOperator({
  type: 'slowdown',
  description: `Inserts a ${SLOWDOWN_MS} ms busy-wait, once per run: the answer stays right but comes late.`,
  code:
    'if (!globalThis.chaosSlowdown) { globalThis.chaosSlowdown = true; ' +
    `const until = Date.now() + ${SLOWDOWN_MS}; while (Date.now() < until); } // chaos: slowdown`,
  what: `a ${SLOWDOWN_MS} ms busy-wait`,
  expect: ['slow'],
  choose: (sites) => {
    const starts = sites.filter((site) => site.firstInFunction);
    return starts.length > 0 ? starts : sites;
  },
});
