/**
 * The repair operators of the search rung: small edits of a genome, the inverses of the chaos AST operators (a chaos
 * mutant of a good genome is one edit away from it) plus statement deletion, duplication and swap. Pure: a parsed
 * source in, every edit it offers out, each a text replacement that leaves the rest of the file as it was.
 */
import type { AnyNode, Literal, Statement } from 'acorn';
import { allNodes, parses, type Parsed } from '../../chaos/ast.js';
import { binaryOperatorMutations } from '../../chaos/mutate.js';

export const REPAIR_OPERATORS = [
  'flip-comparison',
  'flip-equality',
  'move-boundary',
  'swap-arithmetic',
  'change-literal',
  'negate-condition',
  'swap-branches',
  'delete-statement',
  'duplicate-statement',
  'swap-statements',
] as const;
export type RepairOperator = (typeof REPAIR_OPERATORS)[number];

export interface Edit {
  readonly op: RepairOperator;
  /** Replaced range of the source, and what replaces it. */
  readonly start: number;
  readonly end: number;
  readonly replacement: string;
  /** The 1-based line the edit starts on: its location, which fault localization ranks. */
  readonly line: number;
  /** "flipped `<` to `>`": for the heal record. */
  readonly summary: string;
}

const FLIPS = { '<': '>', '>': '<', '<=': '>=', '>=': '<=' };
const EQUALITY = { '===': '!==', '!==': '===', '==': '!=', '!=': '==' };
const BOUNDARIES = { '<': '<=', '<=': '<', '>': '>=', '>=': '>' };
const ARITHMETIC = { '+': '-', '-': '+', '*': '/', '/': '*' };

/** Every edit of the catalogue that applies to the source, in source order within each operator. */
export function repairEdits(parsed: Parsed): Edit[] {
  const out: Edit[] = [];
  const push = (op: RepairOperator, start: number, end: number, replacement: string, summary: string) => {
    if (parsed.source.slice(start, end) === replacement) return;
    out.push({ op, start, end, replacement, line: parsed.lines.lineAt(start), summary });
  };
  const binary = (op: RepairOperator, swaps: Record<string, string>, verb: string) => {
    for (const m of binaryOperatorMutations(parsed, swaps, verb)) push(op, m.start, m.end, m.replacement, m.summary);
  };
  binary('flip-comparison', FLIPS, 'flipped');
  binary('flip-equality', EQUALITY, 'flipped');
  binary('move-boundary', BOUNDARIES, 'moved the boundary of');
  binary('swap-arithmetic', ARITHMETIC, 'swapped');
  for (const node of allNodes(parsed.ast)) {
    if (node.type === 'Literal') literalEdits(parsed, node, push);
    if (node.type === 'IfStatement' || node.type === 'WhileStatement' || node.type === 'DoWhileStatement' || node.type === 'ForStatement' || node.type === 'ConditionalExpression') {
      const test = node.test;
      if (test) push('negate-condition', test.start, test.end, negated(parsed, test), `negated the condition \`${clip(parsed.source.slice(test.start, test.end))}\``);
    }
    if (node.type === 'IfStatement' && node.alternate && node.consequent.type === 'BlockStatement' && node.alternate.type === 'BlockStatement') {
      const { consequent: c, alternate: a } = node;
      const src = parsed.source;
      push('swap-branches', c.start, a.end, `${src.slice(a.start, a.end)}${src.slice(c.end, a.start)}${src.slice(c.start, c.end)}`, 'swapped the branches of an if');
    }
    if (node.type === 'ConditionalExpression') {
      const src = parsed.source;
      const { consequent: c, alternate: a } = node;
      push('swap-branches', c.start, a.end, `${src.slice(a.start, a.end)}${src.slice(c.end, a.start)}${src.slice(c.start, c.end)}`, 'swapped the branches of a conditional expression');
    }
    if (node.type === 'BlockStatement' || node.type === 'Program') statementEdits(parsed, node.body as Statement[], push);
  }
  return out;
}

type Push = (op: RepairOperator, start: number, end: number, replacement: string, summary: string) => void;

/** A number moves by one either way (chaos turns n into n + 1, 0 into 1 and 1 into 0); a boolean flips. */
function literalEdits(parsed: Parsed, node: Literal, push: Push): void {
  const raw = parsed.source.slice(node.start, node.end);
  if (typeof node.value === 'boolean') {
    push('change-literal', node.start, node.end, String(!node.value), `changed \`${raw}\` to \`${!node.value}\``);
    return;
  }
  if (typeof node.value !== 'number' || !Number.isSafeInteger(node.value)) return;
  for (const n of new Set([node.value - 1, node.value + 1])) {
    // A negative literal here would be the operand of a unary minus: `- -1` reads wrongly as text.
    if (n < 0) continue;
    push('change-literal', node.start, node.end, String(n), `changed \`${raw}\` to \`${n}\``);
  }
}

/** `!(x)` loses its negation (the chaos form); anything else gains one. */
function negated(parsed: Parsed, test: AnyNode): string {
  if (test.type === 'UnaryExpression' && test.operator === '!') {
    const inner = test.argument;
    return parsed.source.slice(inner.start, inner.end);
  }
  return `!(${parsed.source.slice(test.start, test.end)})`;
}

/** Deleting, duplicating and swapping whole statements of one block; declarations of functions are left alone. */
function statementEdits(parsed: Parsed, body: Statement[], push: Push): void {
  const src = parsed.source;
  const movable = (s: Statement) => s.type !== 'FunctionDeclaration' && s.type !== 'ClassDeclaration' && !isDirective(s);
  for (const [i, s] of body.entries()) {
    if (!movable(s)) continue;
    const text = src.slice(s.start, s.end);
    push('delete-statement', s.start, s.end, '', `deleted \`${clip(text)}\``);
    if (s.type !== 'VariableDeclaration') push('duplicate-statement', s.start, s.end, `${text} ${text}`, `duplicated \`${clip(text)}\``);
    const next = body[i + 1];
    if (next && movable(next)) {
      push('swap-statements', s.start, next.end, `${src.slice(next.start, next.end)}${src.slice(s.end, next.start)}${text}`, `swapped \`${clip(text)}\` with the statement after it`);
    }
  }
}

function isDirective(s: Statement): boolean {
  return s.type === 'ExpressionStatement' && 'directive' in s && typeof s.directive === 'string';
}

function clip(text: string, max = 60): string {
  const one = text.replace(/\s+/g, ' ').trim();
  return one.length > max ? `${one.slice(0, max - 1)}…` : one;
}

/** The source with the edits applied (they must not overlap), or null when the result does not parse. */
export function applyEdits(source: string, edits: readonly Edit[]): string | null {
  const sorted = [...edits].sort((a, b) => b.start - a.start);
  let out = source;
  let limit = Infinity;
  for (const e of sorted) {
    if (e.end > limit) return null;
    out = out.slice(0, e.start) + e.replacement + out.slice(e.end);
    limit = e.start;
  }
  return out !== source && parses(out) ? out : null;
}

/** Two edits can be combined when their ranges do not touch. */
export function disjoint(a: Edit, b: Edit): boolean {
  return a.end <= b.start || b.end <= a.start;
}
