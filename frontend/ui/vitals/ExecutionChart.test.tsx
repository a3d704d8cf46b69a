import { render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { ExecutionChart } from './ExecutionChart';
import { makeRun } from '@/test/fixtures';

describe('ExecutionChart', () => {
  it('says "No runs yet" without runs', () => {
    render(<ExecutionChart runs={[]} p95Ms={null} width={600} />);
    expect(screen.getByText('No runs yet')).toBeTruthy();
  });

  it('plots every run and marks failures in their verdict colour', () => {
    const runs = [makeRun(1), makeRun(2, { verdict: 'crashed', error: 'boom' }), makeRun(3), makeRun(4, { verdict: 'hung', durationMs: 2000 })];
    const { container } = render(<ExecutionChart runs={runs} p95Ms={60} width={600} />);
    expect(screen.getByTestId('chart-summary').textContent).toBe('last 4 runs · 2 failed');
    expect(container.querySelector('svg')).not.toBeNull();
    const failures = container.querySelectorAll('[data-testid="failure-marker"]');
    expect([...failures].map((f) => f.getAttribute('data-verdict'))).toEqual(['crashed', 'hung']);
    expect(container.querySelectorAll('circle[data-verdict="ok"]')).toHaveLength(2);
    expect(screen.getByText('p95 60 ms')).toBeTruthy();
  });

  it("puts each run at its organism's run number", () => {
    // Ids are shared by every organism: this one's runs 1..4 had ids 2, 4, 7, 9.
    const runs = [2, 4, 7, 9].map((id, i) => makeRun(id, { number: i + 1 }));
    const { container } = render(<ExecutionChart runs={runs} p95Ms={null} width={600} />);
    expect([...container.querySelectorAll('[data-run-number]')].map((e) => e.getAttribute('data-run-number'))).toEqual(['1', '2', '3', '4']);
  });

  it('shows a runs error', () => {
    render(<ExecutionChart runs={[]} p95Ms={null} width={600} error="GET /runs failed with HTTP 500." />);
    expect(screen.getByRole('alert').textContent).toContain('HTTP 500');
  });
});
