import { render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { DiffPanel } from './DiffPanel';
import { makeDetail } from '@/test/fixtures';

describe('DiffPanel', () => {
  it('asks for a selection when nothing is selected', () => {
    render(<DiffPanel selection={{ id: null, detail: null, loading: false, error: null }} />);
    expect(screen.getByText(/Select a generation/)).toBeTruthy();
  });

  it('shows loading and error states', () => {
    const { rerender } = render(<DiffPanel selection={{ id: '0000000000000001', detail: null, loading: true, error: null }} />);
    expect(screen.getByText('Loading genome 00000000…')).toBeTruthy();
    rerender(<DiffPanel selection={{ id: '0000000000000001', detail: null, loading: false, error: 'Genome not found.' }} />);
    expect(screen.getByRole('alert').textContent).toContain('Genome not found.');
  });

  it('renders the unified diff with added green, removed red and hunk headers dim', () => {
    const detail = makeDetail(1);
    render(<DiffPanel selection={{ id: detail.id, detail, loading: false, error: null }} />);
    const body = screen.getByTestId('diff-body');
    const add = body.querySelector('[data-kind="add"]')!;
    const del = body.querySelector('[data-kind="del"]')!;
    const hunk = body.querySelector('[data-kind="hunk"]')!;
    expect(add.textContent).toContain('+  for (let i = 0; i <= arr.length; i++) {');
    expect(add.className).toContain('text-healthy');
    expect(del.textContent).toContain('-  for (let i = 0; i < arr.length; i++) {');
    expect(del.className).toContain('text-sick');
    expect(hunk.className).toContain('text-muted');
    expect(screen.getByText('+1')).toBeTruthy();
    expect(screen.getByText('-1')).toBeTruthy();
    expect(screen.getByTestId('diff-header').textContent).toContain('generation #1');
  });

  it('says the seed has no parent, and an empty diff is identical to its parent', () => {
    const seed = makeDetail(0);
    const { rerender } = render(<DiffPanel selection={{ id: seed.id, detail: seed, loading: false, error: null }} />);
    expect(screen.getByText(/seed genome: it has no parent/)).toBeTruthy();
    const same = makeDetail(2, { diff: '' });
    rerender(<DiffPanel selection={{ id: same.id, detail: same, loading: false, error: null }} />);
    expect(screen.getByText(/Identical to its parent/)).toBeTruthy();
    // File headers without any hunk (a rollback to identical source) are identical too.
    const headersOnly = makeDetail(3, { diff: '===\n--- a/genome.js (generation 2)\n+++ b/genome.js (generation 3)\n' });
    rerender(<DiffPanel selection={{ id: headersOnly.id, detail: headersOnly, loading: false, error: null }} />);
    expect(screen.getByText(/Identical to its parent/)).toBeTruthy();
    expect(screen.queryByTestId('diff-body')).toBeNull();
  });
});
