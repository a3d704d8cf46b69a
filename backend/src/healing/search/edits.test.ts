import { describe, expect, it } from 'vitest';
import { parseSource } from '../../chaos/ast.js';
import { CHAOS_OPERATORS } from '../../chaos/index.js';
import { applyEdits, disjoint, repairEdits, type Edit } from './edits.js';

const edits = (source: string) => repairEdits(parseSource(source)!);
const results = (source: string, op?: Edit['op']) =>
  edits(source)
    .filter((e) => !op || e.op === op)
    .map((e) => applyEdits(source, [e]));

const GENOME = `'use strict';
function f(xs) {
  let total = 0;
  for (let i = 0; i < xs.length; i++) {
    if (xs[i] > 2) {
      total += xs[i] * 2;
    } else {
      total -= 1;
    }
  }
  return total === 0 ? -1 : total;
}
console.log(f([1, 2, 3]));
`;

describe('the repair operators', () => {
  it('undo every AST logic mutant the chaos operators make of a genome', () => {
    const logic = CHAOS_OPERATORS.filter((op) => op.enumerate && ['flip_comparison', 'flip_equality', 'swap_arithmetic', 'change_boundary', 'negate_condition', 'change_literal'].includes(op.type));
    let mutants = 0;
    for (const op of logic) {
      for (const mutant of op.enumerate!(GENOME)) {
        mutants++;
        expect(results(mutant.source), `${op.type}: ${mutant.description}`).toContain(GENOME);
      }
    }
    expect(mutants).toBeGreaterThan(15);
  });

  it('offer every comparison its other three forms, on the line it is on', () => {
    const onLine4 = edits(GENOME).filter((e) => e.line === 4 && (e.op === 'flip-comparison' || e.op === 'move-boundary'));
    expect(onLine4.map((e) => e.replacement).sort()).toEqual(['<=', '>']);
    expect(results('x = a < b;\n', 'flip-comparison')).toEqual(['x = a > b;\n']);
  });

  it('negate a plain condition and strip a negation', () => {
    expect(results('if (a) b();\n', 'negate-condition')).toEqual(['if (!(a)) b();\n']);
    expect(results('while (!(a && b)) c();\n', 'negate-condition')).toEqual(['while (a && b) c();\n']);
  });

  it('swap the branches of an if and of a conditional expression', () => {
    expect(results('if (a) { b(); } else { c(); }\n', 'swap-branches')).toEqual(['if (a) { c(); } else { b(); }\n']);
    expect(results('x = a ? 1 : 2;\n', 'swap-branches')).toEqual(['x = a ? 2 : 1;\n']);
  });

  it('move a number by one either way, never below zero, and flip a boolean', () => {
    expect(results('x = 0;\n', 'change-literal')).toEqual(['x = 1;\n']);
    expect(results('x = 5;\n', 'change-literal')).toEqual(['x = 4;\n', 'x = 6;\n']);
    expect(results('x = true;\n', 'change-literal')).toEqual(['x = false;\n']);
  });

  it('delete, duplicate and swap statements, but never a function declaration or a directive', () => {
    const src = "'use strict';\nfunction g() {}\na();\nb();\n";
    expect(results(src, 'delete-statement')).toEqual(["'use strict';\nfunction g() {}\n\nb();\n", "'use strict';\nfunction g() {}\na();\n\n"]);
    expect(results(src, 'swap-statements')).toEqual(["'use strict';\nfunction g() {}\nb();\na();\n"]);
    expect(results(src, 'duplicate-statement')).toContain("'use strict';\nfunction g() {}\na(); a();\nb();\n");
  });

  it('apply two disjoint edits together, and refuse overlapping ones or a result that does not parse', () => {
    const src = 'x = a < b + c;\n';
    const all = edits(src);
    const cmp = all.find((e) => e.op === 'flip-comparison')!;
    const add = all.find((e) => e.op === 'swap-arithmetic')!;
    expect(disjoint(cmp, add)).toBe(true);
    expect(applyEdits(src, [add, cmp])).toBe('x = a > b - c;\n');
    const del = all.find((e) => e.op === 'delete-statement')!;
    expect(disjoint(cmp, del)).toBe(false);
    expect(applyEdits(src, [cmp, del])).toBeNull();
    expect(applyEdits(src, [{ ...cmp, replacement: '<<<' }])).toBeNull();
  });
});
