import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseSource } from '../../chaos/ast.js';
import { HITS_FILE_ENV, instrumentLines, linesFromHits, parseHits } from './instrument.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'ouroboros-instrument-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the instrumented copy of `source` with node on `stdin`: its output, and the genome's lines that ran. */
function covered(source: string, stdin = '') {
  const parsed = parseSource(source)!;
  const probed = instrumentLines(parsed);
  const file = path.join(dir, `g${Math.random().toString(36).slice(2)}.js`);
  const report = `${file}.hits`;
  writeFileSync(file, probed.source);
  const r = spawnSync(process.execPath, [file], { input: stdin, env: { [HITS_FILE_ENV]: report }, encoding: 'utf8' });
  const hits = parseHits(readFileSync(report, 'utf8'), probed.regions.length);
  return { stdout: r.stdout, stderr: r.stderr, status: r.status, lines: [...linesFromHits(parsed, probed.regions, hits)].sort((a, b) => a - b), probed };
}

describe('line coverage by instrumentation', () => {
  it('counts the lines of the branches and functions that ran, and none of those that did not', () => {
    const source = [
      "'use strict';", // 1
      'function f(x) {', // 2
      '  if (x > 1) {', // 3
      '    return x * 2;', // 4
      '  } else {', // 5
      '    return never();', // 6
      '  }', // 7
      '}', // 8
      'function never() {', // 9
      '  return 0;', // 10
      '}', // 11
      'const y = f(3) > 5', // 12
      '  ? "big"', // 13
      '  : "small";', // 14
      'for (const v of [1]) if (v) console.log(y, v); else console.log(0);', // 15
      '', // 16
    ].join('\n');
    const r = covered(source);
    expect(r.stdout).toBe('big 1\n');
    // 1 is a directive; 6 and never() (9 to 11) did not run. As in V8's block coverage a line counts by its first
    // character: 5 and 7 start with a brace of the if, and 14 with the conditional's `:`, both of which ran.
    expect(r.lines).toEqual([2, 3, 4, 5, 7, 8, 12, 13, 14, 15]);
  });

  it("keeps the genome's line numbers, its directive and its behaviour on a crash, and still reports", () => {
    const source = "'use strict';\nfunction g(o) {\n  return o.key;\n}\nundeclared = 1;\nconsole.log(g(null));\n";
    const r = covered(source);
    expect(r.status).toBe(1);
    // Strict mode kept: the assignment to an undeclared name throws on line 5, before g runs.
    expect(r.stderr).toMatch(/:5\b[\s\S]*ReferenceError: undeclared is not defined/);
    expect(r.lines).toEqual([5]);
    expect(r.probed.source.split('\n').slice(0, 6).map((l) => l.replace(/__ouroborosLineHits(\[\d+\]=1;|\(\);)/g, ''))).toEqual(source.split('\n').slice(0, 6));
  });

  it('leaves arrow bodies, logical operands and statements without braces working', () => {
    const source = 'const f = (a) => a && a.n;\nlet s = 0;\nwhile (s < 3) s++;\ndo s--; while (s > 1);\nswitch (s) {\n  case 1: s = f({ n: 7 }) || 9; break;\n  default: s = -1;\n}\nconsole.log(s, f(0));\n';
    const r = covered(source);
    expect(r.stdout).toBe('7 0\n');
    expect(r.lines).toEqual([1, 2, 3, 4, 5, 6, 8, 9]);
  });

  it('ignores probes a report cannot name', () => {
    expect([...parseHits('0,2,x,,99,-1,1.5', 3)]).toEqual([0, 2]);
  });
});
