/**
 * Run sites: statements that really execute on every run of the organism, found statically with acorn.
 * Inserting a line just before one of them puts code on the path every run takes.
 *
 * A statement is a run site when it starts its own line, sits in a statement list (program, block, function
 * body) that runs, is not inside an if/else, switch, try/catch/finally, ternary or short-circuit branch, and no
 * earlier statement of its list may leave the list early on a good run (see mayLeave).
 * Function bodies run when the function is used: a declaration whose name is referenced, a callback passed to a
 * call (but not an error, exit or signal listener, nor a promise rejection handler), an immediately invoked
 * function, or a function stored in a variable that is referenced. Loop bodies are assumed to run at least once.
 */
import type { AnyNode, CallExpression, Statement, ModuleDeclaration } from 'acorn';
import { forEachChild, identifierUses, isLoopNode, type Parsed } from './ast.js';

export interface RunSite {
  /** Offset of the statement's first character. */
  readonly offset: number;
  /** The statement's 1-based line. */
  readonly line: number;
  /** How many loops enclose the statement. */
  readonly loopDepth: number;
  /** True when the statement is inside a function body. */
  readonly inFunction: boolean;
  /** True for the first statement of a function body (after any directives). */
  readonly firstInFunction: boolean;
}

interface Context {
  readonly runs: boolean;
  readonly loopDepth: number;
  readonly inFunction: boolean;
}

const LISTENER_METHODS = new Set(['on', 'once', 'addListener', 'prependListener', 'prependOnceListener', 'addEventListener']);
const RARE_EVENTS = /^(error|exit|beforeExit|close|abort|uncaughtException|unhandledRejection|rejectionHandled|warning|SIG[A-Z]+)$/;

function isDirective(statement: AnyNode): boolean {
  return statement.type === 'ExpressionStatement' && typeof (statement as { directive?: unknown }).directive === 'string';
}

function isProcessExit(node: AnyNode): boolean {
  return (
    node.type === 'CallExpression' &&
    node.callee.type === 'MemberExpression' &&
    node.callee.object.type === 'Identifier' &&
    node.callee.object.name === 'process' &&
    node.callee.property.type === 'Identifier' &&
    node.callee.property.name === 'exit'
  );
}

/**
 * True when running `statement` may skip the statements after it in its list on a run that succeeds: a
 * `return`, `break` or `continue` that leaves it, or an unconditional `throw` or `process.exit(...)`. A throw or
 * exit nested in a branch is a failure path (a guard clause, an error handler): the run that takes it fails
 * anyway, so the statements after it still run on every good run.
 */
export function mayLeave(statement: AnyNode): boolean {
  if (statement.type === 'ThrowStatement') return true;
  if (statement.type === 'ExpressionStatement' && isProcessExit(statement.expression)) return true;
  let leaves = false;
  const scan = (node: AnyNode, breakable: number, loops: number, labels: ReadonlySet<string>): void => {
    if (leaves) return;
    switch (node.type) {
      case 'ReturnStatement':
        leaves = true;
        return;
      case 'BreakStatement':
        if (node.label ? !labels.has(node.label.name) : breakable === 0) leaves = true;
        return;
      case 'ContinueStatement':
        if (node.label ? !labels.has(node.label.name) : loops === 0) leaves = true;
        return;
      case 'FunctionDeclaration':
      case 'FunctionExpression':
      case 'ArrowFunctionExpression':
      case 'ClassDeclaration':
      case 'ClassExpression':
        return;
      case 'LabeledStatement':
        scan(node.body, breakable, loops, new Set([...labels, node.label.name]));
        return;
      case 'SwitchStatement':
        forEachChild(node, (child) => scan(child, breakable + 1, loops, labels));
        return;
      default:
        if (isLoopNode(node)) forEachChild(node, (child) => scan(child, breakable + 1, loops + 1, labels));
        else forEachChild(node, (child) => scan(child, breakable, loops, labels));
    }
  };
  scan(statement, 0, 0, new Set());
  return leaves;
}

/** Every run site of the program, in source order. */
export function runSites(parsed: Parsed): RunSite[] {
  const { ast, lines } = parsed;
  const uses = identifierUses(ast);
  const sites: RunSite[] = [];
  const usedElsewhere = (name: string, declaredAt: number): boolean =>
    (uses.get(name) ?? []).some((offset) => offset !== declaredAt);

  const callbackRuns = (fn: AnyNode, parent: AnyNode | undefined, key: string | undefined): boolean => {
    if (!parent) return false;
    if (parent.type === 'CallExpression' || parent.type === 'NewExpression') {
      if (key === 'callee') return true; // immediately invoked
      const call = parent as CallExpression;
      const index = call.arguments.indexOf(fn as (typeof call.arguments)[number]);
      if (call.callee.type === 'MemberExpression' && call.callee.property.type === 'Identifier') {
        const method = call.callee.property.name;
        if (method === 'catch' || (method === 'then' && index === 1)) return false;
        const event = call.arguments[0];
        if (LISTENER_METHODS.has(method) && event?.type === 'Literal' && typeof event.value === 'string' &&
          RARE_EVENTS.test(event.value)) return false;
      }
      return true;
    }
    if (parent.type === 'VariableDeclarator' && parent.id.type === 'Identifier') {
      return usedElsewhere(parent.id.name, parent.id.start);
    }
    return false;
  };

  const visitList = (statements: readonly (Statement | ModuleDeclaration)[], ctx: Context, functionBody: boolean): void => {
    let runs = ctx.runs;
    let first = functionBody;
    for (const statement of statements) {
      if (isDirective(statement)) continue;
      if (runs && lines.startsLine(statement.start)) {
        sites.push({
          offset: statement.start,
          line: lines.lineAt(statement.start),
          loopDepth: ctx.loopDepth,
          inFunction: ctx.inFunction,
          firstInFunction: first,
        });
      }
      first = false;
      visit(statement, { ...ctx, runs }, undefined, undefined);
      if (mayLeave(statement)) runs = false;
    }
  };

  const visitFunction = (fn: AnyNode, runs: boolean, loopDepth: number): void => {
    if (fn.type !== 'FunctionDeclaration' && fn.type !== 'FunctionExpression' && fn.type !== 'ArrowFunctionExpression') return;
    const ctx: Context = { runs, loopDepth, inFunction: true };
    for (const param of fn.params) visit(param, { ...ctx, runs: false }, fn, 'params');
    if (fn.body.type === 'BlockStatement') visitList(fn.body.body, ctx, true);
    else visit(fn.body, ctx, fn, 'body');
  };

  const visit = (node: AnyNode, ctx: Context, parent: AnyNode | undefined, key: string | undefined): void => {
    const off: Context = { ...ctx, runs: false };
    const loop: Context = { ...ctx, loopDepth: ctx.loopDepth + 1 };
    const child = (c: AnyNode | null | undefined, cctx: Context): void => {
      if (c) visit(c, cctx, node, undefined);
    };
    switch (node.type) {
      case 'Program':
        visitList(node.body, ctx, false);
        return;
      case 'BlockStatement':
      case 'StaticBlock':
        visitList(node.body, ctx, false);
        return;
      case 'IfStatement':
        child(node.test, ctx);
        child(node.consequent, off);
        child(node.alternate, off);
        return;
      case 'SwitchStatement':
        child(node.discriminant, ctx);
        for (const c of node.cases) child(c, off);
        return;
      case 'SwitchCase':
        child(node.test, ctx);
        visitList(node.consequent, off, false);
        return;
      case 'TryStatement':
        forEachChild(node, (c) => visit(c, off, node, undefined));
        return;
      case 'ConditionalExpression':
        child(node.test, ctx);
        child(node.consequent, off);
        child(node.alternate, off);
        return;
      case 'LogicalExpression':
        child(node.left, ctx);
        child(node.right, off);
        return;
      case 'ForStatement':
        child(node.init, ctx);
        child(node.test, ctx);
        child(node.update, loop);
        child(node.body, loop);
        return;
      case 'ForInStatement':
      case 'ForOfStatement':
        child(node.right, ctx);
        child(node.left, loop);
        child(node.body, loop);
        return;
      case 'WhileStatement':
        child(node.test, ctx);
        child(node.body, loop);
        return;
      case 'DoWhileStatement':
        child(node.body, loop);
        child(node.test, ctx);
        return;
      case 'FunctionDeclaration':
        visitFunction(node, ctx.runs && node.id !== null && usedElsewhere(node.id.name, node.id.start), 0);
        return;
      case 'FunctionExpression':
      case 'ArrowFunctionExpression':
        visitFunction(node, ctx.runs && callbackRuns(node, parent, key), ctx.loopDepth);
        return;
      case 'ClassDeclaration':
      case 'ClassExpression':
        forEachChild(node, (c) => visit(c, off, node, undefined));
        return;
      default:
        forEachChild(node, (c, k) => visit(c, ctx, node, k));
    }
  };

  visit(ast, { runs: true, loopDepth: 0, inFunction: false }, undefined, undefined);
  return sites.sort((a, b) => a.offset - b.offset);
}

/**
 * The run sites where the work happens: inside function and loop bodies. A program with no functions or
 * loops has only its top level, which then serves instead.
 */
export function workSites(parsed: Parsed): RunSite[] {
  const all = runSites(parsed);
  const work = all.filter((site) => site.inFunction || site.loopDepth > 0);
  return work.length > 0 ? work : all;
}
