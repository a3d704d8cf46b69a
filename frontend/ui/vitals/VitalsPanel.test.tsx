import { render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { VitalsPanel } from './VitalsPanel';
import { emptyStatus, makeRun, makeStatus } from '@/test/fixtures';

describe('VitalsPanel', () => {
  it('says it is waiting before the first status', () => {
    render(<VitalsPanel status={null} />);
    expect(screen.getByText(/Waiting for the first status/)).toBeTruthy();
  });

  it('shows an error instead of data when the status cannot be read', () => {
    render(<VitalsPanel status={null} error="GET /status answered in an unexpected shape: state" />);
    expect(screen.getByRole('alert').textContent).toContain('unexpected shape');
  });

  it('shows state, generation, last execution and verdict', () => {
    render(<VitalsPanel status={makeStatus()} />);
    const state = screen.getByTestId('organism-state');
    expect(state.textContent).toBe('HEALTHY');
    expect(state.dataset.state).toBe('healthy');
    expect(state.className).toContain('text-healthy');
    expect(screen.getByTestId('generation').textContent).toBe('#3');
    expect(screen.getByTestId('last-verdict').textContent).toBe('ok');
    expect(screen.getByTestId('last-duration').textContent).toBe('42 ms');
    expect(screen.getByTestId('last-error').textContent).toContain('arr.length is not a function');
    expect(screen.getByText('bubble-sort')).toBeTruthy();
  });

  it('says "No runs yet" before the first run', () => {
    render(<VitalsPanel status={emptyStatus()} />);
    expect(screen.getByTestId('last-verdict').textContent).toBe('No runs yet');
    expect(screen.queryByTestId('last-error')).toBeNull();
  });

  it('colours each state differently and flashes when the state flips', () => {
    const { rerender } = render(<VitalsPanel status={makeStatus()} />);
    expect(screen.getByTestId('organism-state').className).not.toContain('animate-flip');
    rerender(<VitalsPanel status={makeStatus({ state: 'sick', lastRun: makeRun(43, { verdict: 'crashed', error: 'boom', genomeId: 'abcdef0123456789' }) })} />);
    const sick = screen.getByTestId('organism-state');
    expect(sick.textContent).toBe('SICK');
    expect(sick.className).toContain('text-sick');
    expect(sick.className).toContain('animate-flip');
    expect(screen.getByTestId('state-change').textContent).toContain('was healthy');
    expect(screen.getByTestId('last-verdict').textContent).toBe('crashed');

    rerender(<VitalsPanel status={makeStatus({ state: 'healing' })} />);
    expect(screen.getByTestId('organism-state').className).toContain('text-healing');
    expect(screen.getByTestId('state-change').textContent).toContain('was sick');
    rerender(<VitalsPanel status={makeStatus({ state: 'paused' })} />);
    expect(screen.getByTestId('organism-state').className).toContain('text-paused');
  });

  it("says the live generation has no verdict yet when the last run was an earlier generation's", () => {
    // Right after chaos: generation 4 is live and not run yet; run 7 (generation 3) passed.
    render(
      <VitalsPanel
        status={makeStatus({ state: 'sick', generation: 4, genomeId: 'ffff000000000004', lastRun: makeRun(7, { number: 7, generation: 3, genomeId: 'abcdef0123456789' }) })}
      />,
    );
    expect(screen.getByTestId('last-verdict').textContent).toBe('not run yet');
    expect(screen.getByTestId('last-run').textContent).toBe('gen #4 is next; run #7 (gen #3) was ok');
  });

  it("numbers runs as the organism counts them, and shows how long the live generation has lived", () => {
    const now = Date.parse('2025-01-01T12:10:00.000Z');
    render(<VitalsPanel now={now} status={makeStatus({ lastRun: makeRun(9001, { number: 42, generation: 3, genomeId: 'abcdef0123456789' }), generationSince: '2025-01-01T12:07:55.000Z' })} />);
    expect(screen.getByTestId('last-run').textContent).toBe('run #42 · gen #3');
    expect(screen.getByTestId('generation-age').textContent).toBe(' · live for 2m 05s');
  });

  it('shows a state it has no colour for by its name', () => {
    render(<VitalsPanel status={makeStatus({ state: 'verifying' })} />);
    const state = screen.getByTestId('organism-state');
    expect(state.textContent).toBe('VERIFYING');
    expect(state.dataset.state).toBe('verifying');
  });

  it('marks values as last known while the backend is unreachable', () => {
    render(<VitalsPanel status={makeStatus()} stale />);
    expect(screen.getByText('last known value')).toBeTruthy();
  });

  it('says when the healer gave up', () => {
    render(<VitalsPanel status={makeStatus({ state: 'sick', healing: { inProgress: false, cannotHeal: 'no healthy ancestor', ladder: [], unavailable: [] } })} />);
    expect(screen.getByTestId('cannot-heal').textContent).toContain('no healthy ancestor');
  });

  it('explains a pending retry, a quarantine and the time the last incident took to heal', () => {
    const { rerender } = render(
      <VitalsPanel
        status={makeStatus({ state: 'backoff', backoff: { delayMs: 150, attempt: 2, reason: 'hung may be transient; retrying before healing' } })}
      />,
    );
    expect(screen.getByTestId('organism-state').textContent).toBe('BACKOFF');
    expect(screen.getByTestId('backoff').textContent).toContain('Retry 2 in 150 ms');
    rerender(
      <VitalsPanel
        status={makeStatus({
          state: 'quarantined',
          quarantine: { reason: 'no genome has ever passed', since: '2026-11-24T09:00:00.000Z', nextProbeMs: 4000 },
          lastIncident: { generation: 2, verdict: 'crashed', detectedAt: '2026-11-24T09:00:00.000Z', healedAt: null, timeToHealMs: null, failingInput: null },
        })}
      />,
    );
    expect(screen.getByTestId('organism-state').className).toContain('text-violet');
    expect(screen.getByTestId('cannot-heal').textContent).toMatch(/Quarantined: .*no genome has ever passed.*Next probe in 4.00 s/);
    expect(screen.queryByTestId('time-to-heal')).toBeNull();
    rerender(
      <VitalsPanel
        status={makeStatus({
          lastIncident: { generation: 2, verdict: 'crashed', detectedAt: '2026-11-24T09:00:00.000Z', healedAt: '2026-11-24T09:00:00.250Z', timeToHealMs: 250, failingInput: null },
        })}
      />,
    );
    expect(screen.getByTestId('time-to-heal').textContent).toContain('healed in 250 ms');
  });
});
