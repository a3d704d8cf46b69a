import { render, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { ApiError, type ApiClient } from '@/lib/api';
import { CHAOS_TYPES, makeGenome, makeLog, makeRun, makeStatus } from '@/test/fixtures';
import { Dashboard } from './Dashboard';

/** An answer the test hands out when it wants to. */
function gate<T>() {
  let open: (value: T) => void = () => {};
  const promise = new Promise<T>((resolve) => (open = resolve));
  return { promise, open };
}

function fakeApi(over: Partial<ApiClient> = {}): ApiClient {
  const api: ApiClient = {
    baseUrl: 'http://api.test',
    organism: null,
    forOrganism: () => api,
    organisms: vi.fn(async () => ({ organisms: [], count: 0 })),
    status: vi.fn(async () => makeStatus()),
    runs: vi.fn(async () => ({ runs: [makeRun(41), makeRun(42)], count: 2 })),
    logs: vi.fn(async () => ({ entries: [makeLog(1, { text: 'hello from the watcher' })], count: 1, lastSeq: 1 })),
    chaosTypes: vi.fn(async () => ({ types: CHAOS_TYPES })),
    genomes: vi.fn(async () => ({ genomes: [makeGenome(0)], count: 1, total: 1 })),
    genome: vi.fn(async () => Promise.reject(new Error('not in this test'))),
    triggerChaos: vi.fn(),
    rollback: vi.fn(),
    ...over,
  };
  return api;
}

const skeleton = (area: string) => document.querySelector(`[data-skeleton="${area}"]`);

describe('skeletons', () => {
  it('shows a skeleton in each area while its first answer is on its way, and the panel as soon as it arrives', async () => {
    const status = gate<ReturnType<typeof makeStatus>>();
    const types = gate<{ types: typeof CHAOS_TYPES }>();
    render(<Dashboard api={fakeApi({ status: vi.fn(() => status.promise), chaosTypes: vi.fn(() => types.promise) })} />);
    for (const area of ['vitals', 'stats', 'chaos', 'chart', 'terminal', 'history']) {
      const s = skeleton(area);
      expect(s, area).not.toBeNull();
      expect(s!.getAttribute('role')).toBe('status');
      expect(s!.getAttribute('aria-busy')).toBe('true');
    }
    expect(within(screen.getByTestId('chaos')).getByText('Loading the chaos types…')).toBeTruthy();

    status.open(makeStatus());
    // Every area but chaos has what it needs; chaos still waits for its own answer.
    await waitFor(() => expect(screen.getByTestId('organism-state').textContent).toBe('HEALTHY'));
    await screen.findByText('hello from the watcher');
    await waitFor(() => expect(screen.getAllByTestId('genome-row')).toHaveLength(1));
    expect(skeleton('vitals')).toBeNull();
    expect(skeleton('terminal')).toBeNull();
    expect(skeleton('chaos')).not.toBeNull();

    types.open({ types: CHAOS_TYPES });
    expect(await screen.findByRole('button', { name: 'off-by-one' })).toBeTruthy();
    expect(document.querySelectorAll('[data-testid="skeleton"]')).toHaveLength(0);
  });

  it('replaces the skeleton with the error when the first answer fails, and retries in that area only', async () => {
    const chaosTypes = vi
      .fn()
      .mockRejectedValueOnce(new ApiError({ kind: 'http', status: 500, endpoint: 'GET /chaos/types', message: 'GET /chaos/types failed with HTTP 500.' }))
      .mockResolvedValue({ types: CHAOS_TYPES });
    const api = fakeApi({ chaosTypes });
    render(<Dashboard api={api} />);
    expect(skeleton('chaos')).not.toBeNull();
    // The skeleton and the panel are two elements: look the area up again on every try.
    await waitFor(() => expect(within(screen.getByTestId('chaos')).getByRole('alert').textContent).toContain('HTTP 500'));
    expect(skeleton('chaos')).toBeNull();
    // The other areas are unaffected.
    expect(await screen.findByText('hello from the watcher')).toBeTruthy();
    // Asked again at the next poll, in that area only.
    expect(await screen.findByRole('button', { name: 'off-by-one' }, { timeout: 3000 })).toBeTruthy();
    expect(chaosTypes).toHaveBeenCalledTimes(2);
    expect(within(screen.getByTestId('chaos')).queryByRole('alert')).toBeNull();
  });
});
