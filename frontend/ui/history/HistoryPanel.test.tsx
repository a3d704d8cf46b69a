import { fireEvent, render, screen } from '@testing-library/react';
import { act } from 'react';
import { describe, expect, it, vi } from 'vitest';
import { HistoryPanel } from './HistoryPanel';
import { ApiError } from '@/lib/api';
import { makeGenome } from '@/test/fixtures';

const GENOMES = [
  makeGenome(3, { cause: 'heal', live: true }),
  makeGenome(2, { cause: 'chaos', healthy: false, lastVerdict: 'crashed', runs: { total: 3, ok: 0, failed: 3 } }),
  makeGenome(1, { cause: 'rollback' }),
  makeGenome(0),
];

describe('HistoryPanel', () => {
  it('lists each generation with cause, verdict and a live marker', () => {
    render(<HistoryPanel genomes={GENOMES} total={4} selectedId={null} onSelect={vi.fn()} onRollback={vi.fn()} />);
    const rows = screen.getAllByTestId('genome-row');
    expect(rows.map((r) => r.dataset.generation)).toEqual(['3', '2', '1', '0']);
    expect(rows.map((r) => r.dataset.cause)).toEqual(['heal', 'chaos', 'rollback', 'seed']);
    expect(rows[0]?.textContent).toContain('LIVE');
    expect(rows[1]?.textContent).toContain('crashed');
    expect(rows[1]?.textContent).toContain('3 runs · 0 ok · 3 failed');
    expect(screen.getByText('4 generations')).toBeTruthy();
  });

  it('offers rollback only on past healthy generations', () => {
    render(<HistoryPanel genomes={GENOMES} total={4} selectedId={null} onSelect={vi.fn()} onRollback={vi.fn()} />);
    const rows = screen.getAllByTestId('genome-row');
    expect(rows.map((r) => r.querySelector('[data-testid="rollback"]') !== null)).toEqual([false, false, true, true]);
  });

  it('selects a generation on click', () => {
    const onSelect = vi.fn();
    render(<HistoryPanel genomes={GENOMES} total={4} selectedId={GENOMES[1]!.id} onSelect={onSelect} onRollback={vi.fn()} />);
    const rows = screen.getAllByTestId('genome-row');
    expect(rows[1]?.querySelector('[aria-pressed="true"]')).not.toBeNull();
    fireEvent.click(rows[3]!.querySelector('button')!);
    expect(onSelect).toHaveBeenCalledWith(GENOMES[3]!.id);
  });

  it('reports a rollback and a refused rollback', async () => {
    const onRollback = vi
      .fn()
      .mockResolvedValueOnce({ generation: 4, genomeId: 'ffff000000000000', rolledBackTo: GENOMES[2]!.id })
      .mockRejectedValueOnce(new ApiError({ kind: 'http', endpoint: 'POST /genomes/x/rollback', status: 409, message: 'Genome 0 is already live.' }));
    render(<HistoryPanel genomes={GENOMES} total={4} selectedId={null} onSelect={vi.fn()} onRollback={onRollback} />);
    const buttons = screen.getAllByTestId('rollback');
    await act(async () => fireEvent.click(buttons[0]!));
    expect(onRollback).toHaveBeenCalledWith(GENOMES[2]!.id);
    expect(screen.getByTestId('rollback-feedback').textContent).toContain('lives again as generation #4');
    await act(async () => fireEvent.click(buttons[1]!));
    const refused = screen.getByRole('alert');
    expect(refused.textContent).toContain('refused (HTTP 409)');
    expect(refused.textContent).toContain('already live');
  });

  it('has true empty, loading and error states', () => {
    const { rerender } = render(<HistoryPanel genomes={[]} total={0} selectedId={null} onSelect={vi.fn()} onRollback={vi.fn()} />);
    expect(screen.getByText('No generations yet')).toBeTruthy();
    rerender(<HistoryPanel genomes={null} total={0} selectedId={null} onSelect={vi.fn()} onRollback={vi.fn()} />);
    expect(screen.getByText('Loading the genome history…')).toBeTruthy();
    rerender(<HistoryPanel genomes={null} total={0} selectedId={null} onSelect={vi.fn()} onRollback={vi.fn()} error="GET /genomes answered in an unexpected shape" />);
    expect(screen.getByRole('alert').textContent).toContain('unexpected shape');
  });

  it('says how many of the total it shows', () => {
    render(<HistoryPanel genomes={GENOMES} total={120} selectedId={null} onSelect={vi.fn()} onRollback={vi.fn()} />);
    expect(screen.getByText('newest 4 of 120')).toBeTruthy();
  });
});
