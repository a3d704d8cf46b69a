/** empty_block: replaces the body of one non-empty block (function, loop, branch) with `{}`. */
import { allNodes } from '../ast.js';
import { mutantOperator, type Mutation } from '../mutate.js';

export const emptyBlock = mutantOperator({
  type: 'empty_block',
  description: 'Empties one non-empty block: a function, loop or branch body becomes `{}`.',
  mutations: (parsed) => {
    const out: Mutation[] = [];
    for (const node of allNodes(parsed.ast)) {
      if (node.type !== 'BlockStatement' || node.body.length === 0) continue;
      const count = node.body.length;
      out.push({
        start: node.start,
        end: node.end,
        replacement: '{}',
        summary: `emptied a block of ${count} statement${count === 1 ? '' : 's'}`,
      });
    }
    return out;
  },
});
