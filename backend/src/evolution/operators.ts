/**
 * Built-in mutation operators that need no LLM.
 *
 * - GenProg's statement operators (Le Goues et al.): delete a statement, duplicate one (a copy of a statement taken
 *   from the program itself, inserted elsewhere), swap two. They rarely invent an algorithm, but they can remove
 *   wasted work.
 * - The syntax-tree operators of the chaos catalogue (flip a comparison, change a boundary or a literal...).
 *
 * Every operator is a pure function of (source, rng). Nothing here judges a candidate: the benchmark does.
 */
import type { AnyNode } from 'acorn';
import MagicString from 'magic-string';
import { allNodes, parses, parseSource, type Parsed } from '../chaos/ast.js';
import { getChaosOperator } from '../chaos/index.js';
import { quoteCode } from '../chaos/lines.js';
import { ChaosNotApplicable } from '../chaos/types.js';
import type { Rng } from '../lib/rng.js';

export interface Mutant {
  source: string;
  /** What changed, for people: "deleted line 33: `passes++;`". */
  summary: string;
  operator: string;
}

export interface EvolutionOperator {
  readonly name: string;
  /** A mutant, or null when the source offers no place for this operator. */
  apply(source: string, rng: Rng): Mutant | null;
}

/** The chaos catalogue's syntax-tree operators (the others, crashes and hangs by design, are no use here). */
export const AST_CHAOS_OPERATORS = [
  'delete_line',
  'flip_comparison',
  'flip_equality',
  'swap_arithmetic',
  'change_boundary',
  'negate_condition',
  'empty_block',
  'change_literal',
] as const;

const STATEMENT_LISTS = new Set(['Program', 'BlockStatement', 'StaticBlock', 'SwitchCase']);

interface Site {
  node: AnyNode;
  /** The statement list it sits in (its owner node) and its index there. */
  owner: AnyNode;
  index: number;
}

/** Statements sitting directly in a statement list, minus directives and function declarations (hoisted: moving or copying them is pointless). */
export function statementSites(parsed: Parsed): Site[] {
  const out: Site[] = [];
  for (const owner of allNodes(parsed.ast)) {
    if (!STATEMENT_LISTS.has(owner.type)) continue;
    const list = owner.type === 'SwitchCase' ? owner.consequent : (owner as { body: AnyNode[] }).body;
    list.forEach((node, index) => {
      if (node.type === 'FunctionDeclaration') return;
      if (node.type === 'ExpressionStatement' && 'directive' in node && typeof node.directive === 'string') return;
      out.push({ node, owner, index });
    });
  }
  return out;
}

const contains = (a: AnyNode, b: AnyNode) => a.start <= b.start && b.end <= a.end;

/** The range to cut for a statement: whole lines when it stands alone on its lines, else just the statement. */
function cutRange(parsed: Parsed, node: AnyNode): { start: number; end: number } {
  const { source, lines } = parsed;
  const first = lines.lineAt(node.start);
  const last = lines.lineAt(Math.max(node.start, node.end - 1));
  const before = source.slice(lines.start(first), node.start);
  const after = source.slice(node.end, lines.end(last));
  if (before.trim() === '' && after.trim() === '') {
    const end = last < lines.count ? lines.start(last + 1) : source.length;
    return { start: lines.start(first), end };
  }
  return { start: node.start, end: node.end };
}

function indentOf(parsed: Parsed, node: AnyNode): string {
  const line = parsed.lines.text(parsed.lines.lineAt(node.start));
  return /^\s*/.exec(line)?.[0] ?? '';
}

function finish(source: string, edited: string, summary: string, operator: string): Mutant | null {
  if (edited === source || !parses(edited)) return null;
  return { source: edited, summary, operator };
}

const lineOf = (parsed: Parsed, node: AnyNode) => parsed.lines.lineAt(node.start);
const textOf = (parsed: Parsed, node: AnyNode) => parsed.source.slice(node.start, node.end);

/** GenProg's delete: one statement goes. */
export const deleteStatement: EvolutionOperator = {
  name: 'delete_statement',
  apply(source, rng) {
    const parsed = parseSource(source);
    if (!parsed) return null;
    const sites = statementSites(parsed);
    if (sites.length === 0) return null;
    const { node } = rng.pick(sites);
    const { start, end } = cutRange(parsed, node);
    const edited = new MagicString(source).remove(start, end).toString();
    return finish(source, edited, `deleted the statement on line ${lineOf(parsed, node)}: ${quoteCode(textOf(parsed, node))}`, this.name);
  },
};

/** GenProg's insert: a copy of one statement of the program, put before or after another statement. */
export const duplicateStatement: EvolutionOperator = {
  name: 'duplicate_statement',
  apply(source, rng) {
    const parsed = parseSource(source);
    if (!parsed) return null;
    const sites = statementSites(parsed);
    if (sites.length === 0) return null;
    const from = rng.pick(sites).node;
    const at = rng.pick(sites).node;
    const text = textOf(parsed, from);
    const indent = indentOf(parsed, at);
    const ms = new MagicString(source);
    const { start, end } = cutRange(parsed, at);
    const wholeLines = start !== at.start;
    const after = rng.next() < 0.5;
    if (wholeLines) {
      const copy = `${indent}${text}\n`;
      if (after) ms.appendLeft(end, end === source.length && !source.endsWith('\n') ? `\n${copy}` : copy);
      else ms.prependRight(start, copy);
    } else if (after) {
      ms.appendLeft(at.end, ` ${text}`);
    } else {
      ms.prependRight(at.start, `${text} `);
    }
    const where = `${after ? 'after' : 'before'} line ${lineOf(parsed, at)}`;
    return finish(source, ms.toString(), `copied the statement on line ${lineOf(parsed, from)} ${where}: ${quoteCode(text)}`, this.name);
  },
};

/** GenProg's swap: two statements trade places. */
export const swapStatements: EvolutionOperator = {
  name: 'swap_statements',
  apply(source, rng) {
    const parsed = parseSource(source);
    if (!parsed) return null;
    const sites = statementSites(parsed);
    if (sites.length < 2) return null;
    for (let tries = 0; tries < 10; tries++) {
      const a = rng.pick(sites).node;
      const b = rng.pick(sites).node;
      if (a === b || contains(a, b) || contains(b, a)) continue;
      const [first, second] = a.start < b.start ? [a, b] : [b, a];
      const edited = new MagicString(source)
        .overwrite(first.start, first.end, textOf(parsed, second))
        .overwrite(second.start, second.end, textOf(parsed, first))
        .toString();
      const summary = `swapped the statements on lines ${lineOf(parsed, first)} and ${lineOf(parsed, second)}: ${quoteCode(textOf(parsed, first), 40)} and ${quoteCode(textOf(parsed, second), 40)}`;
      const mutant = finish(source, edited, summary, this.name);
      if (mutant) return mutant;
    }
    return null;
  },
};

/** A chaos operator of the syntax-tree kind, as an evolution operator. */
function fromChaos(type: string): EvolutionOperator {
  const operator = getChaosOperator(type);
  if (!operator) throw new Error(`no chaos operator ${type}`);
  return {
    name: type,
    apply(source, rng) {
      try {
        const r = operator.apply(source, rng);
        return finish(source, r.source, r.description.replace(/\.$/, ''), type);
      } catch (err) {
        if (err instanceof ChaosNotApplicable) return null;
        throw err;
      }
    },
  };
}

export const GENPROG_OPERATORS: readonly EvolutionOperator[] = Object.freeze([deleteStatement, duplicateStatement, swapStatements]);
export const CHAOS_TREE_OPERATORS: readonly EvolutionOperator[] = Object.freeze(AST_CHAOS_OPERATORS.map(fromChaos));
export const EVOLUTION_OPERATORS: readonly EvolutionOperator[] = Object.freeze([...GENPROG_OPERATORS, ...CHAOS_TREE_OPERATORS]);

/**
 * One mutant of `source`: one operator, sometimes two in a row (GenProg's edits come in small bundles). Half the
 * draws take a statement operator, half a syntax-tree one. `isNew` rejects mutants already tried. Null when
 * nothing new turned up in `tries` draws.
 */
export function mutate(source: string, rng: Rng, isNew: (source: string) => boolean = () => true, tries = 25): Mutant | null {
  for (let t = 0; t < tries; t++) {
    const steps = rng.next() < 0.3 ? 2 : 1;
    let current = source;
    const applied: Mutant[] = [];
    for (let s = 0; s < steps; s++) {
      const family = rng.next() < 0.5 ? GENPROG_OPERATORS : CHAOS_TREE_OPERATORS;
      const m = rng.pick(family).apply(current, rng);
      if (m) {
        applied.push(m);
        current = m.source;
      }
    }
    if (applied.length === 0 || current === source || !isNew(current)) continue;
    return {
      source: current,
      summary: applied.map((m) => m.summary).join('; then '),
      operator: applied.map((m) => m.operator).join('+'),
    };
  }
  return null;
}
