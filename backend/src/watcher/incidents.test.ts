import { describe, expect, it } from 'vitest';
import type { RunRow } from '../genome/store.js';
import { IncidentTracker } from './incidents.js';

// The store's id counts the runs of every organism; the number, the ones of this organism (what the dashboard shows).
const run = (over: Partial<RunRow>): RunRow => ({
  id: 18,
  number: 1,
  organism: 'o',
  genomeId: 'g1',
  generation: 1,
  seed: 7,
  startedAt: '2026-01-01T00:00:00.000Z',
  durationMs: 100,
  exitCode: 1,
  signal: null,
  verdict: 'wrong',
  error: 'bad',
  trial: false,
  suiteCase: null,
  ...over,
});

describe('IncidentTracker', () => {
  it('opens at the end of the first failing run and closes at the end of the next passing one', () => {
    const t = new IncidentTracker();
    t.failed(run({}), [3, 1]);
    t.failed(run({ id: 2, generation: 2, startedAt: '2026-01-01T00:00:05.000Z' }), [9]);
    expect(t.latest).toMatchObject({ generation: 1, detectedAt: '2026-01-01T00:00:00.100Z', healedAt: null, failingInput: { case: 'routine run #1 (seed 7)', input: [3, 1] } });
    expect(t.passed(run({ id: 3, verdict: 'ok', startedAt: '2026-01-01T00:00:10.000Z', durationMs: 50 }))).toBe(9950);
    expect(t.latest).toMatchObject({ healedAt: '2026-01-01T00:00:10.050Z', timeToHealMs: 9950 });
    expect(t.passed(run({ id: 4, verdict: 'ok' }))).toBeNull();
  });

  it('names a large failing input instead of copying it, and takes a smaller one while open', () => {
    const t = new IncidentTracker();
    t.failed(run({ suiteCase: 'property #3' }), 'x'.repeat(5000));
    expect(t.latest?.failingInput).toEqual({ case: 'property #3', size: 5002, input: null });
    t.narrowedTo({ case: 'counterexample #1', size: 4, input: 'xx' });
    expect(t.latest?.failingInput).toEqual({ case: 'counterexample #1', size: 4, input: 'xx' });
    t.passed(run({ verdict: 'ok' }));
    t.narrowedTo({ case: 'counterexample #2', size: 1, input: 1 });
    expect(t.latest?.failingInput?.case).toBe('counterexample #1');
  });
});
