import { render, screen, waitFor } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import type { ApiClient } from '@/lib/api';
import { CounterexamplesResponseSchema, type Counterexample, type CounterexamplesResponse } from '@ouroboros/contract';
import { StatusSchema } from '@/lib/tolerant-schemas';
import { makeDetail, makeGenome, makeStatus, iso } from '@/test/fixtures';
import { withQueryClient } from '@/test/query';
import { DiffPanel } from '@/ui/history/DiffPanel';
import { HistoryPanel } from '@/ui/history/HistoryPanel';
import { ImmunePanel } from './ImmunePanel';
import { VitalsPanel } from './VitalsPanel';

const SUITE = { fingerprint: 'f00d', size: 33, regression: 1, edge: 8, property: 24 };
const COUNTEREXAMPLE: Counterexample = {
  id: 1,
  inputHash: 'c0ffee',
  input: { values: [-993] },
  original: { values: [-993, 4, 17] },
  originalSize: 1512,
  shrunkSize: 17,
  shrinkRuns: 31,
  genomeId: '0000000000000002',
  verdict: 'wrong',
  error: 'wrong answer: expected 1 values, got 0',
  createdAt: iso(50),
};

describe('trust on the dashboard', () => {
  it('shows the new state verifying in its own colour, not as sick', () => {
    render(<VitalsPanel status={makeStatus({ state: 'verifying', verification: { state: 'pending', suite: SUITE, timeMs: null, failure: null } })} />);
    const state = screen.getByTestId('organism-state');
    expect(state.textContent).toBe('VERIFYING');
    expect(state.className).toContain('text-cyan');
    expect(screen.getByTestId('live-trust').textContent).toMatch(/pending against 33 inputs \(8 edge cases, 24 property inputs, 1 counterexamples\)/);
  });

  it("shows the incident's smallest failing input", () => {
    const status = makeStatus({
      lastIncident: { generation: 2, verdict: 'wrong', detectedAt: iso(40), healedAt: iso(41), timeToHealMs: 420, failingInput: { case: 'counterexample #1', size: 17, input: { values: [-993] } } },
    });
    render(<VitalsPanel status={status} />);
    expect(screen.getByTestId('incident-input').textContent).toBe('Smallest failing input (counterexample #1): {"values":[-993]}');
  });

  it('marks each generation verified, unverified or pending in the history', () => {
    const genomes = [makeGenome(3, { live: true, verified: 'pending', healthy: false }), makeGenome(2, { verified: false, healthy: false }), makeGenome(1, { verified: true })];
    render(<HistoryPanel genomes={genomes} total={3} selectedId={null} onSelect={vi.fn()} onRollback={vi.fn()} />);
    const marks = screen.getAllByTestId('trust');
    expect(marks.map((m) => [m.dataset.verified, m.textContent])).toEqual([
      ['pending', 'pending'],
      ['false', 'unverified'],
      ['true', 'verified'],
    ]);
    expect(screen.getAllByTestId('genome-row').map((r) => r.querySelector('[data-testid="rollback"]') !== null)).toEqual([false, false, true]);
  });

  it("shows a genome's suite, the case it failed on, and the counterexample that demoted it", () => {
    const failed = makeDetail(2, {
      verified: false,
      verification: {
        state: 'failed',
        suite: 'f00d',
        suiteSize: 32,
        timeMs: 640,
        runs: 5,
        verifiedAt: iso(20),
        failure: { case: 'edge: two elements, reversed', kind: 'edge', hash: 'beef', seed: 0, verdict: 'wrong', error: 'not sorted at index 1: 5 > -5', input: { values: [5, -5] }, size: 17 },
        counterexample: null,
      },
    });
    const { rerender } = render(<DiffPanel selection={{ id: failed.id, detail: failed, loading: false, error: null }} />);
    expect(screen.getByTestId('suite-summary').textContent).toMatch(/suite of 32 inputs in 640 ms/);
    expect(screen.getByTestId('verification-failure').textContent).toBe(
      'Failed on edge: two elements, reversed: wrong (not sorted at index 1: 5 > -5) · input {"values":[5,-5]}',
    );
    const demoted = makeDetail(2, { verified: false, verification: { ...failed.verification!, counterexample: COUNTEREXAMPLE } });
    rerender(<DiffPanel selection={{ id: demoted.id, detail: demoted, loading: false, error: null }} />);
    expect(screen.getByTestId('demoted-by').textContent).toBe('Demoted by counterexample #1 (wrong, shrunk from 1512 to 17 characters): {"values":[-993]}');
  });

  it('lists the immune memory, loaded again when the suite changes', async () => {
    const memory: CounterexamplesResponse = { organism: 'bubble-sort', counterexamples: [COUNTEREXAMPLE], count: 1, suite: SUITE };
    const counterexamples = vi.fn(async () => memory);
    const api = { counterexamples } as unknown as ApiClient;
    const { rerender } = render(<ImmunePanel api={api} fingerprint="a" />, withQueryClient());
    await waitFor(() => expect(screen.getAllByTestId('counterexample')).toHaveLength(1));
    expect(screen.getByTestId('counterexample').textContent).toMatch(/#1wrong.*shrunk 1512 → 17 characters in 31 runs\{"values":\[-993\]\}/);
    rerender(<ImmunePanel api={api} fingerprint="a" />);
    rerender(<ImmunePanel api={api} fingerprint="b" />);
    await waitFor(() => expect(counterexamples).toHaveBeenCalledTimes(2));
  });

  it('parses the backend contract for the verifying state and the immune memory', () => {
    expect(StatusSchema.parse({ ...makeStatus(), state: 'verifying' }).state).toBe('verifying');
    expect(CounterexamplesResponseSchema.parse({ organism: 'o', counterexamples: [{ ...COUNTEREXAMPLE, inputHash: 'h', original: {} }], count: 1, suite: SUITE }).count).toBe(1);
  });
});
