/** change_literal: changes one literal: a number n becomes n + 1 (0 ↔ 1), true ↔ false. */
import type { Literal } from 'acorn';
import { allNodes } from '../ast.js';
import { mutantOperator, type Mutation } from '../mutate.js';

function replacementFor(literal: Literal): string | undefined {
  const { value } = literal;
  if (typeof value === 'boolean') return String(!value);
  if (typeof value === 'number') return value === 0 ? '1' : value === 1 ? '0' : String(value + 1);
  if (typeof value === 'bigint' || literal.bigint !== undefined) {
    const n = BigInt(literal.bigint ?? String(value));
    return `${n === 0n ? 1n : n === 1n ? 0n : n + 1n}n`;
  }
  return undefined;
}

export const changeLiteral = mutantOperator({
  type: 'change_literal',
  description: 'Changes one literal: a number n becomes n + 1 (0 ↔ 1), true ↔ false.',
  mutations: (parsed) => {
    const out: Mutation[] = [];
    for (const node of allNodes(parsed.ast)) {
      if (node.type !== 'Literal') continue;
      const replacement = replacementFor(node);
      if (replacement === undefined) continue;
      const raw = parsed.source.slice(node.start, node.end);
      out.push({ start: node.start, end: node.end, replacement, summary: `changed \`${raw}\` to \`${replacement}\`` });
    }
    return out;
  },
});
