import { describe, expect, it } from 'vitest';
import { createRng } from '../lib/rng.js';
import {
  applyChaos,
  CHAOS_OPERATORS,
  CHAOS_TYPES,
  ChaosNotApplicable,
  chaosCatalogue,
  getChaosOperator,
  UnknownChaosType,
} from './index.js';
import { EMPTY, ONE_LINER, readGenome } from '../../test/helpers/chaos/programs.js';

const genome = readGenome();

describe('the chaos registry', () => {
  it('lists every operator once, in a stable order, then random', () => {
    expect(CHAOS_TYPES).toEqual([
      'delete_line',
      'syntax_error',
      'division_by_zero',
      'infinite_loop',
      'memory_leak',
      'slowdown',
      'exit_code',
      'unhandled_rejection',
      'throw',
      'flip_comparison',
      'flip_equality',
      'swap_arithmetic',
      'change_boundary',
      'negate_condition',
      'empty_block',
      'change_literal',
      'random',
    ]);
    expect(CHAOS_OPERATORS.map((op) => op.type)).toEqual(CHAOS_TYPES.slice(0, -1));
    for (const op of CHAOS_OPERATORS) expect(op.type).toMatch(/^[a-z]+(_[a-z]+)*$/);
  });

  it('describes every type, random included, in one line', () => {
    const catalogue = chaosCatalogue();
    expect(catalogue.map((entry) => entry.type)).toEqual(CHAOS_TYPES);
    for (const { description } of catalogue) {
      expect(description.length).toBeGreaterThan(10);
      expect(description).not.toContain('\n');
    }
  });

  it('finds operators by type', () => {
    expect(getChaosOperator('delete_line')?.type).toBe('delete_line');
    expect(getChaosOperator('random')).toBeUndefined();
    expect(getChaosOperator('nope')).toBeUndefined();
  });
});

describe('applyChaos', () => {
  it('applies the named operator', () => {
    for (const type of ['delete_line', 'syntax_error', 'division_by_zero']) {
      const r = applyChaos(type, genome, createRng(3));
      expect(r.type).toBe(type);
      expect(r).toEqual(getChaosOperator(type)?.apply(genome, createRng(3)));
    }
  });

  it('rejects an unknown type, listing the valid ones', () => {
    let caught: unknown;
    try {
      applyChaos('gremlins', genome, createRng(1));
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(UnknownChaosType);
    expect(caught).toBeInstanceOf(Error);
    expect((caught as UnknownChaosType).validTypes).toEqual(CHAOS_TYPES);
    expect((caught as Error).message).toContain('gremlins');
  });

  it('random is deterministic per seed and names the operator it applied', () => {
    const types = new Set<string>();
    for (let seed = 1; seed <= 200; seed++) {
      const r = applyChaos('random', genome, createRng(seed));
      expect(applyChaos('random', genome, createRng(seed))).toEqual(r);
      expect(r.source).not.toBe(genome);
      types.add(r.type);
    }
    // flip_equality finds no === in the genome; every other operator shows up.
    expect([...types].sort()).toEqual(CHAOS_TYPES.filter((t) => t !== 'random' && t !== 'flip_equality').sort());
  });

  it('random skips the operators that do not apply', () => {
    const applicable = new Set(
      CHAOS_OPERATORS.filter((op) => {
        try {
          op.apply(ONE_LINER, createRng(1));
          return true;
        } catch {
          return false;
        }
      }).map((op) => op.type),
    );
    for (let seed = 1; seed <= 100; seed++) expect(applicable.has(applyChaos('random', ONE_LINER, createRng(seed)).type)).toBe(true);
  });

  it('random gives up with ChaosNotApplicable when nothing applies', () => {
    expect(() => applyChaos('random', EMPTY, createRng(1))).toThrow(ChaosNotApplicable);
  });
});
