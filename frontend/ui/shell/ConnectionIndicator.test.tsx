import { render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { ConnectionBanner, ConnectionIndicator } from './ConnectionIndicator';

describe('ConnectionIndicator', () => {
  it.each([
    ['connected', 'stream', 'live', 'text-healthy'],
    ['connected', 'polling', 'polling', 'text-healthy'],
    ['reconnecting', 'polling', 'reconnecting', 'text-healing'],
    ['offline', 'stream', 'offline', 'text-sick'],
    ['connecting', 'polling', 'connecting', 'text-healing'],
  ] as const)('shows %s over %s as %s', (connection, transport, label, colour) => {
    render(<ConnectionIndicator connection={connection} lastContactAt={null} transport={transport} />);
    const el = screen.getByTestId('connection');
    expect(el.dataset.connection).toBe(connection);
    expect(el.dataset.transport).toBe(transport);
    expect(el.textContent).toBe(label);
    expect(el.className).toContain(colour);
  });

  it('says why it polls when the stream failed', () => {
    render(<ConnectionIndicator connection="connected" lastContactAt={null} transport="polling" streamError="HTTP 502" />);
    expect(screen.getByTestId('connection').title).toContain('Polling every second (the event stream: HTTP 502)');
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
