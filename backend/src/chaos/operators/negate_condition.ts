/** negate_condition: wraps the test of one if, while, do-while or for statement in `!(...)`. */
import { allNodes } from '../ast.js';
import { mutantOperator, type Mutation } from '../mutate.js';

const KEYWORDS: Readonly<Record<string, string>> = {
  IfStatement: 'if',
  WhileStatement: 'while',
  DoWhileStatement: 'do-while',
  ForStatement: 'for',
};

export const negateCondition = mutantOperator({
  type: 'negate_condition',
  description: 'Negates the condition of one if, while or for statement: `(x)` becomes `(!(x))`.',
  mutations: (parsed) => {
    const out: Mutation[] = [];
    for (const node of allNodes(parsed.ast)) {
      if (node.type !== 'IfStatement' && node.type !== 'WhileStatement' && node.type !== 'DoWhileStatement' && node.type !== 'ForStatement') continue;
      const test = node.test;
      if (!test) continue;
      const text = parsed.source.slice(test.start, test.end);
      out.push({ start: test.start, end: test.end, replacement: `!(${text})`, summary: `negated the ${KEYWORDS[node.type]} condition` });
    }
    return out;
  },
});
