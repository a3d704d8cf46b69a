import { render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { StatsPanel } from './StatsPanel';
import { emptyStatus, makeStatus } from '@/test/fixtures';

describe('StatsPanel', () => {
  it('shows success rate, runs, failures by verdict, uptime and timings', () => {
    const s = makeStatus();
    render(<StatsPanel stats={s.stats} uptimeS={s.uptimeS} />);
    expect(screen.getByTestId('success-rate').textContent).toBe('92.9%');
    expect(screen.getByTestId('success-rate').className).toContain('text-healing');
    expect(screen.getByTestId('total-runs').textContent).toBe('42');
    expect(screen.getByTestId('verdict-crashed').textContent).toBe('2');
    expect(screen.getByTestId('verdict-wrong').textContent).toBe('1');
    expect(screen.getByTestId('verdict-oom').textContent).toBe('0');
    expect(screen.getByTestId('avg-ms').textContent).toBe('43 ms');
    expect(screen.getByTestId('p95-ms').textContent).toBe('62 ms');
    // The server's uptime, said to be the server's.
    expect(screen.getByTestId('server-uptime').textContent).toBe('server up 1h 02m 05s');
  });

  it('says "No runs yet" and shows dashes before the first run', () => {
    const s = emptyStatus();
    render(<StatsPanel stats={s.stats} uptimeS={s.uptimeS} />);
    expect(screen.getByText('No runs yet')).toBeTruthy();
    expect(screen.getByTestId('success-rate').textContent).toBe('-');
    expect(screen.getByTestId('p95-ms').textContent).toBe('-');
  });

  it('waits, or shows the error, when there is no status', () => {
    const { rerender } = render(<StatsPanel stats={null} uptimeS={null} />);
    expect(screen.getByText(/Waiting for the first status/)).toBeTruthy();
    rerender(<StatsPanel stats={null} uptimeS={null} error="GET /status failed with HTTP 500." />);
    expect(screen.getByRole('alert').textContent).toContain('HTTP 500');
  });
});
