/** exit_code: inserts `process.exit(3)` on a path every run takes, before the answer is printed. */
import { allNodes, isConsoleCall } from '../ast.js';
import { insertionOperator } from '../insert.js';

export const exitCode = insertionOperator({
  type: 'exit_code',
  description: 'Inserts `process.exit(3)` before the answer is printed.',
  code: 'process.exit(3); // chaos: exit code',
  what: '`process.exit(3)`',
  expect: ['crashed'],
  choose: (sites, parsed) => {
    // Output happens through console.* or process.stdout.write; keep the sites that come before the last of it.
    let lastOutput = -1;
    for (const node of allNodes(parsed.ast)) {
      const writes =
        node.type === 'CallExpression' &&
        (isConsoleCall(node) || parsed.source.slice(node.callee.start, node.callee.end).replace(/\s/g, '') === 'process.stdout.write');
      if (writes) lastOutput = Math.max(lastOutput, node.start);
    }
    return lastOutput < 0 ? sites : sites.filter((site) => site.offset <= lastOutput);
  },
});
