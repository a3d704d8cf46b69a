import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import type { AuditEntry } from '@ouroboros/contract';
import type { ApiClient } from '@/lib/api';
import { iso } from '@/test/fixtures';
import { withQueryClient } from '@/test/query';
import { AuditWidget } from './AuditPanel';

const entry = (id: number, over: Partial<AuditEntry> = {}): AuditEntry => ({
  id,
  at: iso(id),
  action: 'chaos',
  method: 'POST',
  path: '/chaos',
  organism: 'bubble-sort',
  genomeBefore: 'aaaa000000000000',
  genomeAfter: 'bbbb000000000000',
  status: 200,
  client: '203.0.113.7',
  tokenFingerprint: '0123456789ab',
  detail: {},
  ...over,
});

/** A trail of `n` entries, served newest first by pages as GET /audit does. */
function trailApi(n: number): ApiClient & { audit: ReturnType<typeof vi.fn> } {
  const all = Array.from({ length: n }, (_, i) => entry(n - i, i % 3 === 1 ? { action: 'promoted', method: null, path: null, status: null, client: null, tokenFingerprint: null } : {}));
  const audit = vi.fn(async (q: { before?: number | null; limit?: number } = {}) => {
    const from = all.filter((e) => q.before == null || e.id < q.before);
    const entries = from.slice(0, q.limit ?? 50);
    return { entries, next: from.length > entries.length ? entries[entries.length - 1]!.id : null };
  });
  return { baseUrl: 'http://api.test', organism: null, audit } as unknown as ApiClient & { audit: ReturnType<typeof vi.fn> };
}

describe('AuditWidget', () => {
  it('shows who changed what, newest first, and pages back and forth', async () => {
    const api = trailApi(25);
    render(<AuditWidget api={api} />, withQueryClient());
    await waitFor(() => expect(screen.getAllByTestId('audit-entry')).toHaveLength(20));
    const first = screen.getAllByTestId('audit-entry')[0]!;
    expect(first.dataset.action).toBe('chaos');
    expect(first.textContent).toContain('HTTP 200');
    expect(first.textContent).toContain('from 203.0.113.7');
    expect(first.textContent).toContain('token 0123456789ab');
    expect(first.textContent).toContain('aaaa0000 → bbbb0000');
    expect(screen.getAllByTestId('audit-entry')[1]!.textContent).toContain('by the watcher');
    expect(screen.getByRole('button', { name: '← newer' })).toHaveProperty('disabled', true);

    fireEvent.click(screen.getByRole('button', { name: 'older →' }));
    await waitFor(() => expect(screen.getAllByTestId('audit-entry')).toHaveLength(5));
    expect(api.audit).toHaveBeenLastCalledWith({ before: 6, limit: 20 }, expect.anything());
    expect(screen.getByText('page 2')).toBeTruthy();
    expect(screen.getByRole('button', { name: 'older →' })).toHaveProperty('disabled', true);

    fireEvent.click(screen.getByRole('button', { name: '← newer' }));
    await waitFor(() => expect(screen.getAllByTestId('audit-entry')).toHaveLength(20));
    expect(screen.getByText('newest first')).toBeTruthy();
  });

  it('marks a refused change, and says what an empty trail will hold', async () => {
    const api = trailApi(0);
    api.audit.mockResolvedValueOnce({ entries: [entry(1, { action: 'emergency-stop', status: 401, genomeAfter: 'aaaa000000000000' })], next: null });
    const { unmount } = render(<AuditWidget api={api} />, withQueryClient());
    const row = await screen.findByTestId('audit-entry');
    expect(row.dataset.status).toBe('401');
    expect(row.textContent).toContain('HTTP 401');
    expect(row.textContent).not.toContain('→');
    unmount();
    render(<AuditWidget api={trailApi(0)} />, withQueryClient());
    expect(await screen.findByText(/Nothing changed yet/)).toBeTruthy();
  });

  it('is left out by a client without the trail', () => {
    const { container } = render(<AuditWidget api={{ baseUrl: 'x', organism: null } as unknown as ApiClient} />, withQueryClient());
    expect(container.innerHTML).toBe('');
  });
});
