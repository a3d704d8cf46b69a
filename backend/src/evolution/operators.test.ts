import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parses, parseSource } from '../chaos/ast.js';
import { createRng } from '../lib/rng.js';
import { deleteStatement, duplicateStatement, EVOLUTION_OPERATORS, mutate, statementSites, swapStatements } from './operators.js';

const ORGANISMS = ['bubble-sort', 'prime-sieve', 'json-transform'];
const genome = (name: string) => readFileSync(new URL(`../../../organisms/${name}/genome.js`, import.meta.url), 'utf8');
const BUBBLE = genome('bubble-sort');
const lines = (s: string) => s.split('\n');

describe('statement operators (GenProg)', () => {
  it('list statements, never directives or function declarations', () => {
    const sites = statementSites(parseSource(BUBBLE)!);
    const texts = sites.map((s) => BUBBLE.slice(s.node.start, s.node.end));
    expect(texts).toContain('passes++;');
    expect(texts).toContain('swapped = true;');
    expect(texts.some((t) => t.startsWith("'use strict'"))).toBe(false);
    expect(texts.some((t) => t.startsWith('function '))).toBe(false);
  });

  it('delete removes one statement, whole lines when it stands alone', () => {
    for (let seed = 0; seed < 20; seed++) {
      const m = deleteStatement.apply(BUBBLE, createRng(seed));
      if (!m) continue;
      expect(m.summary).toMatch(/^deleted the statement on line \d+: `/);
      expect(parses(m.source)).toBe(true);
      const removed = lines(BUBBLE).filter((l) => !lines(m.source).includes(l));
      expect(removed.length).toBeGreaterThan(0);
      expect(lines(m.source).length).toBeLessThan(lines(BUBBLE).length);
    }
  });

  it('duplicate copies a statement taken from the program itself', () => {
    let seen = 0;
    for (let seed = 0; seed < 20; seed++) {
      const m = duplicateStatement.apply(BUBBLE, createRng(seed));
      if (!m) continue;
      seen++;
      const copied = /: `(.*)`$/.exec(m.summary)?.[1]?.replace(/…$/, '') ?? '';
      expect(BUBBLE).toContain(copied);
      expect(m.source.split(copied).length).toBeGreaterThan(BUBBLE.split(copied).length);
    }
    expect(seen).toBeGreaterThan(5);
  });

  it('swap exchanges two statements and keeps everything else', () => {
    const m = swapStatements.apply(BUBBLE, createRng(3))!;
    expect(m.summary).toMatch(/^swapped the statements on lines \d+ and \d+/);
    expect([...m.source].sort().join('')).toBe([...BUBBLE].sort().join(''));
  });
});

describe('mutate', () => {
  it('is a pure function of the source and the seed', () => {
    expect(mutate(BUBBLE, createRng(42))).toEqual(mutate(BUBBLE, createRng(42)));
  });

  it('property: over random seeds and every organism, a mutant parses, differs from its parent and is new', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffff_ffff }), fc.constantFrom(...ORGANISMS), (seed, name) => {
        const source = genome(name);
        const tried = new Set<string>();
        const rng = createRng(seed);
        for (let i = 0; i < 5; i++) {
          const m = mutate(source, rng, (s) => !tried.has(s));
          if (!m) continue;
          expect(m.source).not.toBe(source);
          expect(parses(m.source)).toBe(true);
          expect(tried.has(m.source)).toBe(false);
          expect(m.operator.split('+').every((op) => EVOLUTION_OPERATORS.some((o) => o.name === op))).toBe(true);
          tried.add(m.source);
        }
      }),
      { numRuns: 25 },
    );
  });
});
