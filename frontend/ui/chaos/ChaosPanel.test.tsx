import { fireEvent, render, screen } from '@testing-library/react';
import { act } from 'react';
import { describe, expect, it, vi } from 'vitest';
import { ChaosPanel } from './ChaosPanel';
import { ApiError } from '@/lib/api';
import type { ChaosResult } from '@ouroboros/contract';
import { CHAOS_TYPES } from '@/test/fixtures';

const RESULT: ChaosResult = {
  message: 'Chaos injected: shifted a loop bound by one. Generation 4 is live.',
  chaos_type: 'off-by-one',
  line: 7,
  before: 'for (let i = 0; i < n; i++)',
  after: 'for (let i = 0; i <= n; i++)',
  description: 'shifted a loop bound by one',
  expect: ['wrong'],
  seed: 7,
  generation: 4,
  genomeId: 'abcdef0123456789',
};

describe('ChaosPanel', () => {
  it('renders one button per type from the API, random first', () => {
    render(<ChaosPanel types={CHAOS_TYPES} onTrigger={vi.fn()} />);
    const buttons = screen.getAllByRole('button');
    expect(buttons.map((b) => b.textContent)).toEqual(['random', 'off-by-one', 'infinite-loop']);
    expect(buttons[1]?.getAttribute('title')).toBe('shift a loop bound by one');
    fireEvent.focus(buttons[2]!);
    expect(screen.getByTestId('chaos-hint').textContent).toBe('infinite-loop: make a loop never end');
  });

  it('says so while the types load, when they cannot load, and when there are none', () => {
    const { rerender } = render(<ChaosPanel types={null} onTrigger={vi.fn()} />);
    expect(screen.getByText(/Loading the chaos types/)).toBeTruthy();
    rerender(<ChaosPanel types={null} error="Cannot reach the backend." onTrigger={vi.fn()} />);
    expect(screen.getByRole('alert').textContent).toContain('Cannot reach the backend.');
    rerender(<ChaosPanel types={[]} onTrigger={vi.fn()} />);
    expect(screen.getByText('The backend offers no chaos types.')).toBeTruthy();
  });

  it('shows what was corrupted, at which line', async () => {
    const onTrigger = vi.fn(async () => RESULT);
    render(<ChaosPanel types={CHAOS_TYPES} onTrigger={onTrigger} />);
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'off-by-one' }));
    });
    expect(onTrigger).toHaveBeenCalledWith('off-by-one');
    const fb = screen.getByTestId('chaos-feedback');
    expect(fb.dataset.outcome).toBe('ok');
    expect(fb.textContent).toContain('corrupted line 7');
    expect(fb.textContent).toContain('- for (let i = 0; i < n; i++)');
    expect(fb.textContent).toContain('+ for (let i = 0; i <= n; i++)');
    expect(fb.textContent).toContain('generation #4');
  });

  it('shows the API message clearly when it refuses', async () => {
    const onTrigger = vi.fn(async () => {
      throw new ApiError({ kind: 'http', endpoint: 'POST /chaos', status: 409, code: 'PAUSED', message: 'The organism is paused; resume it before injecting chaos.' });
    });
    render(<ChaosPanel types={CHAOS_TYPES} onTrigger={onTrigger} />);
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'random' }));
    });
    const fb = screen.getByRole('alert');
    expect(fb.dataset.outcome).toBe('refused');
    expect(fb.textContent).toContain('HTTP 409 PAUSED');
    expect(fb.textContent).toContain('resume it before injecting chaos');
  });

  it('disables the buttons while a request is in flight and when disabled', async () => {
    let resolve: (r: ChaosResult) => void = () => {};
    const onTrigger = vi.fn(() => new Promise<ChaosResult>((r) => (resolve = r)));
    const { rerender } = render(<ChaosPanel types={CHAOS_TYPES} onTrigger={onTrigger} />);
    fireEvent.click(screen.getByRole('button', { name: 'random' }));
    expect(screen.getByRole('button', { name: 'injecting…' })).toBeTruthy();
    expect(screen.getAllByRole('button').every((b) => (b as HTMLButtonElement).disabled)).toBe(true);
    await act(async () => resolve(RESULT));
    expect(screen.getAllByRole('button').every((b) => !(b as HTMLButtonElement).disabled)).toBe(true);
    rerender(<ChaosPanel types={CHAOS_TYPES} onTrigger={onTrigger} disabled disabledReason="Chaos needs a live backend." />);
    expect(screen.getAllByRole('button').every((b) => (b as HTMLButtonElement).disabled)).toBe(true);
    expect(screen.getByText('Chaos needs a live backend.')).toBeTruthy();
  });
});
