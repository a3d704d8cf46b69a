/**
 * Where the values of a crashing line come from. Pure: a parsed genome and the line of its innermost crashing frame in;
 * the earlier lines of the same function that declare, assign or test a variable that line reads, out.
 *
 * A crash names the line that threw, and the fault is often upstream of it: `group.orders += 1` throws on an undefined
 * `group` because the guard that should have made one (`if (group === undefined)`) was flipped, four lines up. The
 * window of lines just before a frame catches that only when nothing else ranks in between; these lines are ranked
 * right after the frame's own.
 */
import type { AnyNode } from 'acorn';
import { isFunctionNode, walk, type Parsed } from '../../chaos/ast.js';

/** The statements and expressions whose `test` decides what runs next. */
const TESTS: Partial<Record<AnyNode['type'], string>> = {
  IfStatement: 'test',
  ConditionalExpression: 'test',
  WhileStatement: 'test',
  DoWhileStatement: 'test',
  ForStatement: 'test',
  SwitchStatement: 'discriminant',
};

export function originLines(parsed: Parsed, line: number): number[] {
  const lineOf = (offset: number) => parsed.lines.lineAt(offset);
  // The innermost function around the line (the whole script when it is at the top level): pre-order visits an outer
  // function before the ones inside it.
  let scope: AnyNode = parsed.ast;
  walk(parsed.ast, (node) => {
    if (isFunctionNode(node) && lineOf(node.start) <= line && lineOf(Math.max(node.start, node.end - 1)) >= line) scope = node;
  });

  const read = new Set(variables(scope, (node) => lineOf(node.start) === line));
  if (read.size === 0) return [];
  const mentions = (node: AnyNode | null | undefined): boolean => node != null && variables(node).some((name) => read.has(name));
  /** The variable a write lands in: `x = …`, `x.y = …`, `x[i]++`. */
  const target = (node: AnyNode): AnyNode => {
    let t = node;
    while (t.type === 'MemberExpression') t = t.object;
    return t;
  };
  const origins = new Set<number>();
  walk(scope, (node) => {
    const at = lineOf(node.start);
    if (at >= line) return;
    if (node.type === 'VariableDeclarator' && mentions(node.id)) origins.add(at);
    else if (node.type === 'AssignmentExpression' && mentions(target(node.left))) origins.add(at);
    else if (node.type === 'UpdateExpression' && mentions(target(node.argument))) origins.add(at);
    else {
      const field = TESTS[node.type];
      const test = field ? (node as unknown as Record<string, AnyNode | null>)[field] : undefined;
      if (test && lineOf(test.start) < line && mentions(test)) origins.add(lineOf(test.start));
    }
  });
  return [...origins].sort((a, b) => a - b);
}

/** The names of the variables under a node (`a.b` names a, not b; `{ b: 1 }` names no variable), where `where` holds. */
function variables(root: AnyNode, where: (node: AnyNode) => boolean = () => true): string[] {
  const names: string[] = [];
  walk(root, (node, parent, key) => {
    if (node.type !== 'Identifier' || !where(node)) return;
    if (parent?.type === 'MemberExpression' && key === 'property' && !parent.computed) return;
    if (parent?.type === 'Property' && key === 'key' && !parent.computed && !parent.shorthand) return;
    names.push(node.name);
  });
  return names;
}
