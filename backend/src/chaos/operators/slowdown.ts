/**
 * slowdown: inserts a busy-wait that leaves the answer untouched, until the process is SLOWDOWN_MS old.
 * Waiting for an age rather than for a span keeps the run's length between the performance budget
 * (1000 ms) and the hard time limit (2000 ms) however slowly node started on a loaded machine. A flag on
 * globalThis makes it wait once per run wherever it lands; it prefers the start of a function body.
 */
import { insertionOperator } from '../insert.js';

export const SLOWDOWN_MS = 1250;

export const slowdown = insertionOperator({
  type: 'slowdown',
  description: `Busy-waits until the run is ${SLOWDOWN_MS} ms old: the answer stays right but comes late.`,
  code:
    'if (!globalThis.chaosSlowdown) { globalThis.chaosSlowdown = true; ' +
    `while (performance.now() < ${SLOWDOWN_MS}); } // chaos: slowdown`,
  what: `a busy-wait until the run is ${SLOWDOWN_MS} ms old`,
  expect: ['slow'],
  choose: (sites) => {
    const starts = sites.filter((site) => site.firstInFunction);
    return starts.length > 0 ? starts : sites;
  },
});
