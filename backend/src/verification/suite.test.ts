import { describe, expect, it } from 'vitest';
import { createRng } from '../lib/rng.js';
import { loadOrganism, type Organism } from '../organism/manifest.js';
import { FIXTURE_ORGANISMS, REAL_ORGANISMS } from '../../test/helpers/fixtures.js';
import { inputHash } from './input-hash.js';
import { buildSuite, caseFor, edgeCases, organismSuite, propertyCases, regressionCases, withFirst } from './suite.js';

const settings = { propertyInputs: 24, seed: 1, shrinkRuns: 48 };

describe('the verification suite', () => {
  it('runs one typical input first, then the regression set, the edge cases and the other property inputs', async () => {
    const o = await loadOrganism(REAL_ORGANISMS, 'bubble-sort');
    const suite = organismSuite(o, settings, [{ id: 4, input: { values: [9, 1] } }]);
    const kinds = suite.cases.map((c) => c.kind);
    expect(kinds.slice(0, 3)).toEqual(['property', 'regression', 'edge']);
    expect(kinds.lastIndexOf('edge')).toBeLessThan(kinds.lastIndexOf('property'));
    expect(kinds.slice(2 + 8).every((k) => k === 'property')).toBe(true);
    expect(suite.counts).toEqual({ regression: 1, edge: 8, property: 24 });
    expect(suite.cases[0]!.name).toMatch(/^property #1 /);
    expect(suite.cases[1]!.name).toBe('counterexample #4');
    expect(suite.cases.map((c) => c.name)).toContain('edge: two elements, reversed');
  });

  it('takes the edge cases from the harness, else from the benchmark without its timed inputs, else none', async () => {
    expect(edgeCases(await loadOrganism(REAL_ORGANISMS, 'prime-sieve')).map((e) => e.name)).toContain('0..4, the square of 2 at the top');
    const bubble = edgeCases(await loadOrganism(REAL_ORGANISMS, 'bubble-sort'));
    expect(bubble).toHaveLength(8);
    expect(bubble.every((e) => (e.input as { values: number[] }).values.length <= 200)).toBe(true);
    const good = await loadOrganism(FIXTURE_ORGANISMS, 'good');
    expect(edgeCases(good)).toEqual([]);
    const suite = organismSuite(good, { ...settings, propertyInputs: 5 }, []);
    expect(suite.cases.map((c) => c.kind)).toEqual(['property', 'property', 'property', 'property', 'property']);
  });

  it('makes the same property inputs from the same seed, and K of them', async () => {
    const o: Organism = await loadOrganism(REAL_ORGANISMS, 'json-transform');
    const a = propertyCases(o, { seed: 7 }, 30);
    expect(a).toHaveLength(30);
    expect(propertyCases(o, { seed: 7 }, 30).map((c) => c.hash)).toEqual(a.map((c) => c.hash));
    expect(propertyCases(o, { seed: 8 }, 30)[0]!.hash).not.toBe(a[0]!.hash);
    expect(a[2]!.name).toMatch(/^property #3 \(seed \d+\)$/);
    expect(inputHash(o.harness.generateInput(createRng(a[2]!.seed), o.manifest.input))).toBe(a[2]!.hash);
  });

  it('fingerprints the set of inputs: order does not matter, a new counterexample does, a repeat runs once', () => {
    const edge = [{ name: 'empty', input: { values: [] } }, { name: 'pair', input: { values: [2, 1] } }];
    const property = [caseFor('property', 'p1', { values: [3] }, 11)];
    const one = buildSuite({ regression: [], edge, property });
    const reordered = buildSuite({ regression: [], edge: [...edge].reverse(), property });
    expect(reordered.fingerprint).toBe(one.fingerprint);
    const grown = buildSuite({ regression: regressionCases([{ id: 1, input: { values: [5, 4] } }]), edge, property });
    expect(grown.fingerprint).not.toBe(one.fingerprint);
    // A counterexample equal to an edge case: one case, kept in the regression set's place.
    const same = buildSuite({ regression: regressionCases([{ id: 2, input: { values: [2, 1] } }]), edge, property });
    expect(same.cases.map((c) => c.name)).toEqual(['p1', 'counterexample #2', 'edge: empty']);
  });

  it("puts a heal's failing input ahead of everything, without running it twice", () => {
    const suite = buildSuite({ regression: [], edge: [{ name: 'pair', input: { values: [2, 1] } }], property: [] });
    const failing = caseFor('failing', 'failing input', { values: [2, 1] });
    expect(withFirst(suite.cases, failing).map((c) => c.name)).toEqual(['failing input']);
    expect(withFirst(suite.cases, caseFor('failing', 'f', { values: [0] })).map((c) => c.name)).toEqual(['f', 'edge: pair']);
  });
});

describe('input hashes', () => {
  it('ignore the order of object keys', () => {
    expect(inputHash({ low: 1, high: 2 })).toBe(inputHash({ high: 2, low: 1 }));
    expect(inputHash({ a: [1, { b: 1, c: 2 }] })).toBe(inputHash({ a: [1, { c: 2, b: 1 }] }));
    expect(inputHash([1, 2])).not.toBe(inputHash([2, 1]));
  });
});
