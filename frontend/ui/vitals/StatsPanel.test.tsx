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

describe('the LLM bill in the statistics', () => {
  const spend = (calls: number, costUsd: number, unpriced = 0) => ({ calls, promptTokens: calls * 12_000, completionTokens: calls * 450, costUsd, unpriced });
  const bill = {
    model: 'gpt-4o-mini',
    prices: { inPerMTok: 0.15, outPerMTok: 0.6 },
    dailyBudgetUsd: 5,
    spentTodayUsd: 0.0123,
    blocked: null,
    organism: { today: spend(2, 0.0041), total: spend(7, 0.0143) },
  };

  it("shows the server's day against its budget, and this organism's calls today and in all", () => {
    const s = makeStatus();
    render(<StatsPanel stats={s.stats} uptimeS={s.uptimeS} llm={bill} />);
    expect(screen.getByTestId('llm-today').textContent).toBe('$0.0123 of $5.00');
    expect(screen.getByTestId('llm-organism-today').textContent).toBe('$0.0041 · 2 calls');
    expect(screen.getByTestId('llm-organism-total').textContent).toBe('$0.0143 · 84.0k/3150 tok');
    expect(screen.queryByTestId('llm-blocked')).toBeNull();
  });

  it('says why calls stop once the budget is spent, and does not show $0 when prices are unknown', () => {
    const s = makeStatus();
    const { rerender } = render(<StatsPanel stats={s.stats} uptimeS={s.uptimeS} llm={{ ...bill, spentTodayUsd: 5.01, blocked: 'the daily LLM budget is spent: $5.01 of $5.00 today' }} />);
    expect(screen.getByTestId('llm-blocked').textContent).toMatch(/daily LLM budget is spent/);
    expect(screen.getByTestId('llm-today').className).toContain('text-sick');
    rerender(<StatsPanel stats={s.stats} uptimeS={s.uptimeS} llm={{ ...bill, prices: null, dailyBudgetUsd: null, spentTodayUsd: 0, organism: { today: spend(1, 0, 1), total: spend(1, 0, 1) } }} />);
    expect(screen.getByTestId('llm-today').textContent).toBe('no prices');
    expect(screen.getByTestId('llm-organism-total').textContent).toMatch(/^no prices · 12.0k\/450 tok$/);
  });

  it('has no LLM section without an LLM', () => {
    const s = makeStatus();
    render(<StatsPanel stats={s.stats} uptimeS={s.uptimeS} llm={null} />);
    expect(screen.queryByTestId('llm-bill')).toBeNull();
  });
});
