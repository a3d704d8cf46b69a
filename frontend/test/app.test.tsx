import { fireEvent, render, screen } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import ErrorPage from '@/app/error';
import Loading from '@/app/loading';

describe('app routes', () => {
  it('loading says what it is doing', () => {
    render(<Loading />);
    expect(screen.getByRole('status').textContent).toContain('Loading the God View');
  });

  it('error shows the message and retries', () => {
    const retry = vi.fn();
    const spy = vi.spyOn(console, 'error').mockImplementation(() => {});
    render(<ErrorPage error={new Error('Cannot read properties of undefined')} retry={retry} />);
    expect(screen.getByRole('alert').textContent).toContain('Cannot read properties of undefined');
    fireEvent.click(screen.getByRole('button', { name: 'Try again' }));
    expect(retry).toHaveBeenCalledOnce();
    spy.mockRestore();
  });
});
