/**
 * delete_line: delete one line carrying code, chosen so the deletion is observable.
 *
 * A line qualifies when deleting it breaks the syntax (a brace, a function header, half a statement), or when
 * it holds whole statements of a kind whose loss shows: a declaration whose name is used elsewhere in its scope
 * (ReferenceError), a `return` with a value, a call other than logging, or an assignment into an object or array.
 * Blank lines, comments, directives such as 'use strict', logging calls, and bookkeeping that may be unobservable
 * (bumping a local counter, an `if` guard, `break`) are left alone.
 */
import type { AnyNode } from 'acorn';
import type { Verdict } from '../../domain.js';
import { allNodes, codeLineNumbers, identifierUses, isConsoleCall, parses, parseSource, patternNames, tokensWithin, type Parsed } from '../ast.js';
import { Lines, quoteCode } from '../lines.js';
import { ChaosNotApplicable, type ChaosOperator, type ChaosResult } from '../types.js';

const TYPE = 'delete_line';
const SYNTAX_EXPECT: readonly Verdict[] = ['crashed'];
const LOGIC_EXPECT: readonly Verdict[] = ['crashed', 'wrong', 'hung'];

interface Candidate {
  readonly line: number;
  readonly expect: readonly Verdict[];
}

const LOGGERS = /^(log|debug|trace|logger)$/;
const STATEMENT_LISTS = new Set(['Program', 'BlockStatement', 'StaticBlock', 'SwitchCase']);

/** Statements sitting directly in a statement list, each with the list's owner (its scope, roughly). */
function listedStatements(parsed: Parsed): { statement: AnyNode; scope: AnyNode }[] {
  const out: { statement: AnyNode; scope: AnyNode }[] = [];
  for (const node of allNodes(parsed.ast)) {
    if (!STATEMENT_LISTS.has(node.type)) continue;
    const list = node.type === 'SwitchCase' ? node.consequent : (node as { body: AnyNode[] }).body;
    for (const statement of list) out.push({ statement, scope: node });
  }
  return out;
}

function calleeRoot(node: AnyNode): AnyNode {
  let callee = node;
  while (callee.type === 'CallExpression' || callee.type === 'MemberExpression' || callee.type === 'ChainExpression') {
    callee = callee.type === 'CallExpression' ? callee.callee : callee.type === 'MemberExpression' ? callee.object : callee.expression;
  }
  return callee;
}

function observableExpression(expression: AnyNode): boolean {
  switch (expression.type) {
    case 'CallExpression': {
      if (isConsoleCall(expression)) return false;
      const root = calleeRoot(expression.callee);
      return !(root.type === 'Identifier' && LOGGERS.test(root.name));
    }
    case 'NewExpression':
      return true;
    case 'AwaitExpression':
      return observableExpression(expression.argument);
    case 'ChainExpression':
      return observableExpression(expression.expression);
    case 'AssignmentExpression':
      return expression.left.type === 'MemberExpression';
    case 'UpdateExpression':
      return expression.argument.type === 'MemberExpression';
    case 'SequenceExpression':
      return expression.expressions.some(observableExpression);
    default:
      return false;
  }
}

/** Whether deleting a whole statement (whose deletion still parses) shows in the organism's behaviour. */
function observableStatement(statement: AnyNode, scope: AnyNode, uses: Map<string, number[]>): boolean {
  const usedOutside = (name: string): boolean =>
    (uses.get(name) ?? []).some((at) => at >= scope.start && at < scope.end && (at < statement.start || at >= statement.end));
  switch (statement.type) {
    case 'VariableDeclaration':
      return statement.declarations.some((d) => patternNames(d.id).some(usedOutside));
    case 'FunctionDeclaration':
    case 'ClassDeclaration':
      return statement.id !== null && usedOutside(statement.id.name);
    case 'ReturnStatement':
      return statement.argument !== null && statement.argument !== undefined;
    case 'ExpressionStatement':
      if (typeof (statement as { directive?: unknown }).directive === 'string') return false;
      return observableExpression(statement.expression);
    default:
      return false;
  }
}

function candidates(parsed: Parsed): Candidate[] {
  const { lines } = parsed;
  const uses = identifierUses(parsed.ast);
  const statements = listedStatements(parsed);
  const out: Candidate[] = [];
  for (const line of codeLineNumbers(parsed)) {
    if (!parses(lines.withoutLine(line))) {
      out.push({ line, expect: SYNTAX_EXPECT });
      continue;
    }
    // The deletion still parses: the line must hold nothing but whole statements, one of them observable.
    const start = lines.start(line);
    const end = lines.end(line);
    const whole = statements.filter(({ statement }) => statement.start >= start && statement.end <= end);
    const lineTokens = tokensWithin(parsed.tokens, start, end);
    const covered = lineTokens.every((t) => whole.some(({ statement }) => t.start >= statement.start && t.end <= statement.end));
    if (covered && whole.some(({ statement, scope }) => observableStatement(statement, scope, uses))) {
      out.push({ line, expect: LOGIC_EXPECT });
    }
  }
  return out;
}

/** For a source acorn rejects: every line that looks like code, minus comments, directives and logging. */
function fallbackCandidates(lines: Lines): Candidate[] {
  const out: Candidate[] = [];
  let inBlockComment = false;
  for (let line = 1; line <= lines.count; line++) {
    const text = lines.text(line).trim();
    if (inBlockComment) {
      if (text.includes('*/')) inBlockComment = false;
      continue;
    }
    if (text.startsWith('/*')) {
      inBlockComment = !text.includes('*/');
      continue;
    }
    if (text === '' || text.startsWith('//') || text.startsWith('#!')) continue;
    if (/^(['"])use strict\1;?$/.test(text) || /^console\.\w+\(.*\);?$/.test(text)) continue;
    out.push({ line, expect: LOGIC_EXPECT });
  }
  return out;
}

export const deleteLine: ChaosOperator = {
  type: TYPE,
  description: 'Deletes one line of code whose loss shows: a declaration, a call, a return, an assignment, a brace.',
  apply(source, rng): ChaosResult {
    const parsed = parseSource(source);
    const lines = parsed?.lines ?? new Lines(source);
    const choices = parsed ? candidates(parsed) : fallbackCandidates(lines);
    if (choices.length === 0) throw new ChaosNotApplicable(`${TYPE}: no line of code whose deletion would show`);
    const { line, expect } = rng.pick(choices);
    const before = lines.text(line);
    return {
      type: TYPE,
      source: lines.withoutLine(line),
      line,
      before,
      after: '',
      description: `Deleted line ${line}: ${quoteCode(before)}.`,
      expect,
    };
  },
};
