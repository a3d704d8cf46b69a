import { fireEvent, render, screen } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { TokenPanel } from './TokenPanel';

describe('TokenPanel', () => {
  it('shows nothing when no token is needed or stored', () => {
    const { container } = render(<TokenPanel needed={false} stored={false} onSave={() => {}} onForget={() => {}} />);
    expect(container.textContent).toBe('');
  });

  it('asks for the token and hands it over trimmed, then clears the field', () => {
    const onSave = vi.fn();
    render(<TokenPanel needed stored={false} onSave={onSave} onForget={() => {}} />);
    expect(screen.getByTestId('token-panel').textContent).toContain('needs an access token');
    const input = screen.getByLabelText(/OUROBOROS_TOKEN/) as HTMLInputElement;
    expect(input.type).toBe('password');
    fireEvent.change(input, { target: { value: '  secret-token  ' } });
    fireEvent.click(screen.getByRole('button', { name: 'Unlock' }));
    expect(onSave).toHaveBeenCalledWith('secret-token');
    expect(input.value).toBe('');
  });

  it('says when the stored token was refused, and offers to forget a stored one', () => {
    const { rerender } = render(<TokenPanel needed stored onSave={() => {}} onForget={() => {}} />);
    expect(screen.getByTestId('token-panel').textContent).toContain('refused the access token');
    const onForget = vi.fn();
    rerender(<TokenPanel needed={false} stored onSave={() => {}} onForget={onForget} />);
    fireEvent.click(screen.getByRole('button', { name: 'Forget it' }));
    expect(onForget).toHaveBeenCalled();
  });
});
