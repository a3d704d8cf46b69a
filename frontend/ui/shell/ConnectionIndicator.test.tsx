import { render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { ConnectionBanner, ConnectionIndicator } from './ConnectionIndicator';

describe('ConnectionIndicator', () => {
  it.each([
    ['connected', 'text-healthy'],
    ['reconnecting', 'text-healing'],
    ['offline', 'text-sick'],
    ['connecting', 'text-healing'],
  ] as const)('shows %s', (connection, colour) => {
    render(<ConnectionIndicator connection={connection} lastContactAt={null} />);
    const el = screen.getByTestId('connection');
    expect(el.dataset.connection).toBe(connection);
    expect(el.textContent).toBe(connection);
    expect(el.className).toContain(colour);
  });
});

describe('ConnectionBanner', () => {
  it('is absent while connected', () => {
    render(<ConnectionBanner connection="connected" apiUrl="http://api.test" lastContactAt={Date.now()} error={null} />);
    expect(screen.queryByTestId('connection-banner')).toBeNull();
  });

  it('says the backend is offline and that the page recovers by itself', () => {
    render(<ConnectionBanner connection="offline" apiUrl="http://api.test" lastContactAt={Date.now()} error="Cannot reach the backend at http://api.test (Failed to fetch)." />);
    const banner = screen.getByRole('alert');
    expect(banner.textContent).toContain('Backend offline: http://api.test does not answer.');
    expect(banner.textContent).toContain('recovers by itself');
    expect(banner.textContent).toContain('Failed to fetch');
  });

  it('says it is reconnecting after a first failure', () => {
    render(<ConnectionBanner connection="reconnecting" apiUrl="http://api.test" lastContactAt={Date.now()} error="x" />);
    expect(screen.getByRole('alert').textContent).toContain('reconnecting');
  });
});
