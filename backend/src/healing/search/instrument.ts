/**
 * Line coverage without V8's inspector: Node's permission model switches the inspector off, and with it
 * NODE_V8_COVERAGE, so a coverage run of a sandboxed genome counts its own lines. Pure: a parsed genome in; out, a copy
 * with a probe (`HOOK[i]=1`) at the start of every statement, function body and branch, and each probe's region.
 * Probes are inserted within lines, so the copy's line numbers are the genome's. A line ran when the probe of the
 * innermost region holding its first character ran, as V8's block coverage counts it. The hook, declared after the
 * last line (a function declaration is hoisted), writes the probes that ran, at exit, to the one file the run may write.
 */
import type { AnyNode, Node } from 'acorn';
import { walk, type Parsed } from '../../chaos/ast.js';

/** The probes' target: a function of the copy, whose own numeric properties are the probes that ran. */
const HOOK = '__ouroborosLineHits';
/** The environment variable that names the file the hook writes (the only file the run may write). */
export const HITS_FILE_ENV = 'OUROBOROS_LINE_HITS';

export interface Region {
  start: number;
  end: number;
}

export interface Probed {
  /** The genome with its probes and the hook: the same lines, plus the hook's after the last. */
  source: string;
  /** Region of probe i, in offsets of the genome. */
  regions: Region[];
}

interface Insertion {
  at: number;
  text: string;
  /** Closers of inner regions go before closers of outer ones at the same offset, openers the other way round. */
  closes: boolean;
  length: number;
}

const STATEMENT_LISTS: Record<string, string> = { Program: 'body', BlockStatement: 'body', StaticBlock: 'body', SwitchCase: 'consequent' };
const SINGLE_BODIES: Record<string, string[]> = {
  IfStatement: ['consequent', 'alternate'],
  ForStatement: ['body'],
  ForInStatement: ['body'],
  ForOfStatement: ['body'],
  WhileStatement: ['body'],
  DoWhileStatement: ['body'],
  WithStatement: ['body'],
};

export function instrumentLines(parsed: Parsed): Probed {
  const regions: Region[] = [];
  const inserts: Insertion[] = [];
  const probe = (region: Region) => `${HOOK}[${regions.push(region) - 1}]=1`;
  const before = (at: number, text: string, region: Region) => inserts.push({ at, text, closes: false, length: region.end - region.start });
  const wrap = (node: Region, open: string, close: string) => {
    before(node.start, open, node);
    inserts.push({ at: node.end, text: close, closes: true, length: node.end - node.start });
  };
  const body = parsed.ast.body;
  const firstCode = body.find((s) => !isDirective(s));
  // Registers the hook's exit handler before the genome's first statement runs.
  if (firstCode) before(firstCode.start, `${HOOK}();`, { start: firstCode.start, end: parsed.source.length + 1 });

  walk(parsed.ast, (node) => {
    const list = STATEMENT_LISTS[node.type];
    if (list) {
      for (const s of (node as unknown as Record<string, AnyNode[]>)[list] ?? []) {
        // A function's declaration runs nothing: its region counts from its body's probe, when it is called.
        if (isDirective(s) || s.type === 'FunctionDeclaration') continue;
        before(s.start, `${probe(s)};`, s);
      }
    }
    // A case's own line (`case 1:`) ran when its first statement did.
    if (node.type === 'SwitchCase' && node.consequent[0]) before(node.consequent[0].start, `${probe(node)};`, node);
    for (const key of SINGLE_BODIES[node.type] ?? []) {
      const s = (node as unknown as Record<string, AnyNode | null>)[key];
      if (!s || s.type === 'BlockStatement' || s.type === 'FunctionDeclaration' || s.type === 'EmptyStatement') continue;
      wrap(s, `{${probe(s)};`, '}');
    }
    if (node.type === 'FunctionDeclaration' || node.type === 'FunctionExpression' || node.type === 'ArrowFunctionExpression') {
      const b = node.body;
      if (b.type === 'BlockStatement') {
        // After the body's directives: a probe before 'use strict' would make it a plain string.
        const directives = b.body.filter(isDirective);
        const at = directives.length ? directives.at(-1)!.end : b.start + 1;
        before(at, `${probe(node)};`, node);
      } else {
        wrap(b, `(${probe(node)},`, ')');
      }
    }
    if (node.type === 'ConditionalExpression') {
      wrap(node.consequent, `(${probe(node.consequent)},`, ')');
      wrap(node.alternate, `(${probe(node.alternate)},`, ')');
    }
    if (node.type === 'LogicalExpression') wrap(node.right, `(${probe(node.right)},`, ')');
  });

  inserts.sort((a, b) => a.at - b.at || Number(b.closes) - Number(a.closes) || (a.closes ? a.length - b.length : b.length - a.length));
  let out = '';
  let from = 0;
  for (const i of inserts) {
    out += parsed.source.slice(from, i.at) + i.text;
    from = i.at;
  }
  out += parsed.source.slice(from);
  return { source: `${out}\n${hook()}\n`, regions };
}

/** The hook: registers, once, an exit handler that writes the probes that ran; a failed write leaves no report. */
function hook(): string {
  return `function ${HOOK}() { if (${HOOK}.on) return; ${HOOK}.on = true; var fs = require('fs'), file = process.env.${HITS_FILE_ENV}; process.on('exit', function () { try { fs.writeFileSync(file, Object.keys(${HOOK}).filter(function (k) { return /^[0-9]+$/.test(k); }).join(',')); } catch (e) {} }); }`;
}

/** The probes a run's report names (a genome may write anything there; a probe it cannot have is ignored). */
export function parseHits(report: string, probes: number): Set<number> {
  const hits = new Set<number>();
  for (const part of report.split(',')) {
    const n = Number(part);
    if (part !== '' && Number.isInteger(n) && n >= 0 && n < probes) hits.add(n);
  }
  return hits;
}

/** The genome's lines that ran: each line's first character, in the innermost region holding it, whose probe ran. */
export function linesFromHits(parsed: Parsed, regions: readonly Region[], hits: ReadonlySet<number>): Set<number> {
  const covered = new Set<number>();
  let offset = 0;
  for (const [i, text] of parsed.source.split('\n').entries()) {
    const indent = text.search(/\S/);
    if (indent >= 0) {
      const at = offset + indent;
      let best = -1;
      for (const [k, r] of regions.entries()) {
        if (r.start <= at && at < r.end && (best < 0 || r.end - r.start < regions[best]!.end - regions[best]!.start)) best = k;
      }
      if (best >= 0 && hits.has(best)) covered.add(i + 1);
    }
    offset += text.length + 1;
  }
  return covered;
}

function isDirective(s: Node): boolean {
  return s.type === 'ExpressionStatement' && 'directive' in s && typeof (s as { directive?: unknown }).directive === 'string';
}
