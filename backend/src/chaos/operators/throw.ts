/** throw: inserts `throw new Error(...)` in the innermost loop body that runs (or the deepest code that runs). */
import { insertionOperator } from '../insert.js';

export const throwError = insertionOperator({
  type: 'throw',
  description: 'Inserts a `throw new Error(...)` inside the innermost loop body that runs.',
  code: "throw new Error('chaos: thrown deep in the work');",
  what: 'a `throw`',
  expect: ['crashed'],
  choose: (sites) => {
    const deepest = Math.max(...sites.map((site) => site.loopDepth));
    return sites.filter((site) => site.loopDepth === deepest);
  },
});
