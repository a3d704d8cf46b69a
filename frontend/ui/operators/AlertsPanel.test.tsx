import { render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { AlertsResponse } from '@ouroboros/contract';
import { iso } from '@/test/fixtures';
import { AlertsPanel } from './AlertsPanel';

const VIEW: AlertsResponse = {
  enabled: true,
  signed: true,
  webhooks: ['hooks.slack.com', '127.0.0.1:9000'],
  pending: 1,
  failed: 1,
  alerts: [
    {
      id: 2,
      at: iso(20),
      organism: 'bubble-sort',
      event: 'quarantined',
      summary: 'bubble-sort is quarantined: nothing could heal it',
      reminder: true,
      deliveries: [
        { host: 'hooks.slack.com', state: 'delivered', attempts: 1, lastStatus: 200, lastError: null, updatedAt: iso(20), nextAttemptAt: null },
        { host: '127.0.0.1:9000', state: 'pending', attempts: 2, lastStatus: 500, lastError: 'answered HTTP 500', updatedAt: iso(21), nextAttemptAt: iso(25) },
      ],
    },
    {
      id: 1,
      at: iso(10),
      organism: null,
      event: 'storage-degraded',
      summary: 'storage degraded: the disk is full',
      reminder: false,
      deliveries: [{ host: '127.0.0.1:9000', state: 'failed', attempts: 8, lastStatus: null, lastError: 'no answer within 5000 ms (ALERT_TIMEOUT_MS)', updatedAt: iso(15), nextAttemptAt: null }],
    },
  ],
};

describe('AlertsPanel', () => {
  it('shows where alerts go and how each delivery went', () => {
    render(<AlertsPanel view={VIEW} />);
    expect(screen.getByTestId('alerts-targets').textContent).toBe('To hooks.slack.com, 127.0.0.1:9000, signed.');
    expect(screen.getByTestId('alerts-counts').textContent).toBe('1 pending · 1 failed');
    expect(screen.getAllByTestId('alert').map((a) => a.dataset.event)).toEqual(['quarantined', 'storage-degraded']);
    expect(screen.getAllByTestId('alert')[0]!.textContent).toContain('reminder');
    const deliveries = screen.getAllByTestId('alert-delivery');
    expect(deliveries.map((d) => d.dataset.state)).toEqual(['delivered', 'pending', 'failed']);
    expect(deliveries[1]!.textContent).toBe('pending to 127.0.0.1:9000 after 2 attempts: answered HTTP 500');
    expect(deliveries[2]!.textContent).toContain('no answer within 5000 ms');
  });

  it('says how to turn alerts on when they are off', () => {
    render(<AlertsPanel view={{ enabled: false, signed: false, webhooks: [], pending: 0, failed: 0, alerts: [] }} />);
    expect(screen.getByTestId('alerts-targets').textContent).toMatch(/Off: set ALERT_WEBHOOK_URLS/);
    expect(screen.queryByTestId('alerts-counts')).toBeNull();
  });

  it('shows an error', () => {
    render(<AlertsPanel view={null} error="The backend did not answer." />);
    expect(screen.getByRole('alert').textContent).toBe('The backend did not answer.');
  });
});
