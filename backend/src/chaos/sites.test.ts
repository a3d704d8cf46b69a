import { describe, expect, it } from 'vitest';
import { parseSource } from './ast.js';
import { mayLeave, runSites, workSites } from './sites.js';
import { readGenome } from '../../test/helpers/chaos/programs.js';

const sitesOf = (source: string) => {
  const parsed = parseSource(source);
  if (!parsed) throw new Error('does not parse');
  return runSites(parsed).map((s) => `${s.line}${s.inFunction ? 'f' : ''}${s.loopDepth}${s.firstInFunction ? '*' : ''}`);
};

describe('runSites', () => {
  it('finds the statements of the genome that run on every run', () => {
    // Top level: the declarations (6, 12, 18) and the call (35). Functions and loops, with loop depth.
    expect(sitesOf(readGenome())).toEqual([
      '60', '7f0*', '8f0', '9f0', '120', '13f0*', '14f0', '15f0', '180', '19f0*', '20f0', '21f0',
      '22f1', '23f1', '24f2', '29f1', '30f1', '32f0', '350', '36f0*', '37f0', '38f0', '39f0', '40f0',
    ]);
  });

  it('follows labels, loops and callbacks, and stops after a statement that may leave', () => {
    const source = [
      'outer: for (let a = 0; a < 3; a++) {',
      '  for (let b = 0; b < 3; b++) {',
      '    if (a * b > 1) break outer;',
      '    work(a, b);',
      '  }',
      '}',
      '[1, 2].forEach((x) => {',
      '  use(x);',
      '});',
      'promise.then(ok, (err) => {',
      '  report(err);',
      '});',
      'const later = () => {',
      '  never();',
      '};',
      'const called = function () {',
      '  always();',
      '};',
      'called();',
      'if (ready) throw new Error("not ready");',
      'done();',
      'process.exit(0);',
      'unreachable();',
    ].join('\n');
    expect(sitesOf(source)).toEqual(['10', '21', '32', '70', '8f0*', '100', '130', '160', '17f0*', '190', '200', '210', '220']);
  });

  it('uses the top level only when there is no function or loop body', () => {
    const parsed = parseSource('const a = 1;\nconsole.log(a);\n');
    expect(parsed && workSites(parsed).map((s) => s.line)).toEqual([1, 2]);
  });
});

describe('mayLeave', () => {
  const first = (source: string) => {
    // Wrapped in a function so `return` parses; the statement checked is the function body's first.
    const fn = parseSource(`function g() {\n${source}\n}`)?.ast.body[0];
    const statement = fn?.type === 'FunctionDeclaration' ? fn.body.body[0] : undefined;
    if (!statement) throw new Error('no statement');
    return mayLeave(statement);
  };

  it('sees returns, escaping breaks and continues, unconditional throws and exits', () => {
    expect(first('function f() { return 1; }')).toBe(false); // a declaration does not run its body
    expect(first('for (;;) { break; }')).toBe(false);
    expect(first('for (;;) { while (x) continue; }')).toBe(false);
    expect(first('a: { break a; }')).toBe(false);
    expect(first('x: for (;;) { for (;;) break x; }')).toBe(false);
    expect(first('throw new Error("x");')).toBe(true);
    expect(first('process.exit(0);')).toBe(true);
    expect(first('if (bad) throw new Error("x");')).toBe(false); // a guard: only failing runs take it
    expect(first('if (bad) process.exit(1);')).toBe(false);
    expect(first('switch (x) { case 1: break; }')).toBe(false);
    expect(first('{ if (x) return; }')).toBe(true);
    expect(first('for (const x of xs) if (x) return x;')).toBe(true);
    expect(first('[1].forEach(() => { return; });')).toBe(false);
  });
});
