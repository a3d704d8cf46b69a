/** Parsing with acorn and small AST helpers shared by the operators. */
import { parse, type AnyNode, type Options, type Pattern, type Program, type Token } from 'acorn';
import { Lines } from './lines.js';

/** How organisms are parsed: plain scripts run by node, possibly with a hashbang. */
export const ACORN_OPTIONS: Options = { ecmaVersion: 'latest', sourceType: 'script', allowHashBang: true };

export interface Parsed {
  readonly source: string;
  readonly ast: Program;
  /** Every token, in source order. */
  readonly tokens: readonly Token[];
  readonly lines: Lines;
}

/** The source parsed with its tokens, or undefined when it does not parse. */
export function parseSource(source: string): Parsed | undefined {
  const tokens: Token[] = [];
  try {
    const ast = parse(source, { ...ACORN_OPTIONS, onToken: tokens });
    return { source, ast, tokens, lines: new Lines(source) };
  } catch {
    return undefined;
  }
}

/** True when acorn accepts the source. */
export function parses(source: string): boolean {
  try {
    parse(source, ACORN_OPTIONS);
    return true;
  } catch {
    return false;
  }
}

function isNode(value: unknown): value is AnyNode {
  return typeof value === 'object' && value !== null && typeof (value as { type?: unknown }).type === 'string';
}

/** Calls `visit` for each direct child node, in source order of the node's fields. */
export function forEachChild(node: AnyNode, visit: (child: AnyNode, key: string) => void): void {
  for (const [key, value] of Object.entries(node)) {
    if (key === 'loc' || key === 'range') continue;
    if (Array.isArray(value)) {
      for (const item of value) if (isNode(item)) visit(item, key);
    } else if (isNode(value)) {
      visit(value, key);
    }
  }
}

/** Pre-order walk over every node under (and including) `root`, with its parent and the parent's field. */
export function walk(
  root: AnyNode,
  visit: (node: AnyNode, parent: AnyNode | undefined, key: string | undefined) => void,
): void {
  const step = (node: AnyNode, parent: AnyNode | undefined, key: string | undefined): void => {
    visit(node, parent, key);
    forEachChild(node, (child, childKey) => step(child, node, childKey));
  };
  step(root, undefined, undefined);
}

/** Every node of the tree, pre-order. */
export function allNodes(root: AnyNode): AnyNode[] {
  const out: AnyNode[] = [];
  walk(root, (node) => out.push(node));
  return out;
}

export function isFunctionNode(node: AnyNode): boolean {
  return node.type === 'FunctionDeclaration' || node.type === 'FunctionExpression' || node.type === 'ArrowFunctionExpression';
}

export function isLoopNode(node: AnyNode): boolean {
  return (
    node.type === 'ForStatement' ||
    node.type === 'ForInStatement' ||
    node.type === 'ForOfStatement' ||
    node.type === 'WhileStatement' ||
    node.type === 'DoWhileStatement'
  );
}

/**
 * Where each name is used as a variable (declarations included), by offset. Property names after a dot and
 * non-computed object keys are not uses.
 */
export function identifierUses(root: AnyNode): Map<string, number[]> {
  const uses = new Map<string, number[]>();
  walk(root, (node, parent, key) => {
    if (node.type !== 'Identifier') return;
    if (parent?.type === 'MemberExpression' && key === 'property' && !parent.computed) return;
    if ((parent?.type === 'Property' || parent?.type === 'MethodDefinition' || parent?.type === 'PropertyDefinition') &&
      key === 'key' && !parent.computed) return;
    if ((parent?.type === 'LabeledStatement' || parent?.type === 'BreakStatement' || parent?.type === 'ContinueStatement') &&
      key === 'label') return;
    const list = uses.get(node.name) ?? [];
    list.push(node.start);
    uses.set(node.name, list);
  });
  return uses;
}

/** The names a binding pattern declares. */
export function patternNames(pattern: Pattern): string[] {
  switch (pattern.type) {
    case 'Identifier':
      return [pattern.name];
    case 'ObjectPattern':
      return pattern.properties.flatMap((p) => patternNames(p.type === 'RestElement' ? p.argument : p.value));
    case 'ArrayPattern':
      return pattern.elements.flatMap((e) => (e ? patternNames(e) : []));
    case 'RestElement':
      return patternNames(pattern.argument);
    case 'AssignmentPattern':
      return patternNames(pattern.left);
    default:
      return [];
  }
}

/** The index of the first token starting at or after `offset`. */
export function firstTokenAtOrAfter(tokens: readonly Token[], offset: number): number {
  let lo = 0;
  let hi = tokens.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((tokens[mid]?.start ?? Infinity) < offset) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The tokens lying entirely within [start, end). */
export function tokensWithin(tokens: readonly Token[], start: number, end: number): Token[] {
  const out: Token[] = [];
  for (let i = firstTokenAtOrAfter(tokens, start); i < tokens.length; i++) {
    const token = tokens[i] as Token;
    if (token.end > end) break;
    out.push(token);
  }
  return out;
}

/** The token's text in the source. */
export function tokenText(parsed: Parsed, token: Token): string {
  return parsed.source.slice(token.start, token.end);
}

/** Lines on which at least one token starts: the lines that carry code. */
export function codeLineNumbers(parsed: Parsed): number[] {
  const lines = new Set<number>();
  for (const token of parsed.tokens) {
    if (token.type.label === 'eof') continue;
    lines.add(parsed.lines.lineAt(token.start));
  }
  return [...lines].sort((a, b) => a - b);
}

/** True for a call on `console` (console.log(...), console.error(...), ...). */
export function isConsoleCall(node: AnyNode): boolean {
  if (node.type !== 'CallExpression') return false;
  let callee: AnyNode = node.callee;
  while (callee.type === 'MemberExpression') callee = callee.object;
  return callee.type === 'Identifier' && callee.name === 'console';
}
