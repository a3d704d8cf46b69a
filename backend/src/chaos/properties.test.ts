/** Property tests: whatever the seed and the source, an operator corrupts or declines, and nothing else. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createRng } from '../lib/rng.js';
import { parses } from './ast.js';
import { applyChaos, CHAOS_OPERATORS, CHAOS_TYPES, ChaosNotApplicable, type ChaosResult } from './index.js';
import { samplePrograms } from '../../test/helpers/chaos/programs.js';

const programs = samplePrograms();
const seed = fc.integer({ min: 0, max: 0xffff_ffff });
const chaosType = fc.constantFrom(...CHAOS_TYPES);

/** The result, or undefined when the operator declines; any other error fails the property. */
function attempt(type: string, source: string, s: number): ChaosResult | undefined {
  try {
    return applyChaos(type, source, createRng(s));
  } catch (error) {
    if (error instanceof ChaosNotApplicable) return undefined;
    throw error;
  }
}

function checkResult(type: string, source: string, r: ChaosResult | undefined): void {
  if (!r) return;
  expect(typeof r.source).toBe('string');
  expect(r.source).not.toBe(source);
  if (type !== 'random') expect(r.type).toBe(type);
  expect(CHAOS_TYPES).toContain(r.type);
  expect(Number.isInteger(r.line) && r.line >= 1).toBe(true);
  expect(r.line).toBeLessThanOrEqual(Math.max(source.split('\n').length, r.source.split('\n').length));
  expect(r.expect.length).toBeGreaterThan(0);
  expect(r.description.length).toBeGreaterThan(0);
}

/** Fragments of JavaScript, glued at random: sometimes a program, mostly not. */
const tokenSoup = fc
  .array(
    fc.constantFrom(
      'function f(a) {', '}', '{', 'const x = 1;', 'let y = x + 2;', 'if (x < y) {', '} else {', 'for (let i = 0; i < 3; i++) {',
      'while (y > 0) y--;', 'return x;', 'console.log(x);', "'use strict';", '// note', '/* block', '*/', 'x === y', 'true', '(',
      ')', ';', '\n', '\r\n', '  ', 'f(1);', 'y = y * 2 / 3 - 1;', 'throw new Error("e");', 'try {', '} catch (e) {', '`t${x}`',
    ),
    { maxLength: 40 },
  )
  .map((parts) => parts.join(''));

describe('every operator, on any seed', () => {
  it('corrupts the sample programs or declines, and is deterministic', () => {
    fc.assert(
      fc.property(chaosType, fc.constantFrom(...Object.keys(programs)), seed, (type, name, s) => {
        const source = programs[name] as string;
        const r = attempt(type, source, s);
        checkResult(type, source, r);
        expect(attempt(type, source, s)).toEqual(r);
      }),
      { numRuns: 600 },
    );
  });

  it('corrupts glued fragments of JavaScript or declines', () => {
    fc.assert(
      fc.property(chaosType, tokenSoup, seed, (type, source, s) => {
        checkResult(type, source, attempt(type, source, s));
      }),
      { numRuns: 600 },
    );
  });

  it('corrupts arbitrary text or declines', () => {
    fc.assert(
      fc.property(chaosType, fc.string({ maxLength: 200 }), seed, (type, source, s) => {
        checkResult(type, source, attempt(type, source, s));
      }),
      { numRuns: 400 },
    );
  });

  it('keeps its promise about syntax: syntax_error never parses, everything else but delete_line still does', () => {
    const parseable = Object.values(programs).filter((source) => parses(source));
    fc.assert(
      fc.property(fc.constantFrom(...CHAOS_OPERATORS), fc.constantFrom(...parseable), seed, (op, source, s) => {
        const r = attempt(op.type, source, s);
        if (!r) return;
        if (op.type === 'syntax_error') expect(parses(r.source)).toBe(false);
        else if (op.type !== 'delete_line') expect(parses(r.source)).toBe(true);
      }),
      { numRuns: 600 },
    );
  });
});
