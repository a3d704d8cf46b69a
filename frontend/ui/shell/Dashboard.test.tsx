import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Dashboard } from './Dashboard';
import type { ApiClient } from '@/lib/api';
import { CHAOS_TYPES, makeDetail, makeGenome, makeLog, makeRun, makeStatus } from '@/test/fixtures';

const ORGANISMS = [
  { name: 'bubble-sort', description: 'Sorts.', default: true, state: 'healthy' as const, generation: 2, genomeId: 'a', totalRuns: 42, successRate: 0.9, lastVerdict: 'ok' as const },
  { name: 'prime-sieve', description: 'Sieves.', default: false, state: 'sick' as const, generation: 5, genomeId: 'b', totalRuns: 7, successRate: 0.5, lastVerdict: 'crashed' as const },
];

function fakeApi(organism: string | null = null, made: Record<string, ApiClient> = {}): ApiClient {
  const genomes = [makeGenome(2, { cause: 'heal', live: true }), makeGenome(1, { cause: 'chaos', healthy: false }), makeGenome(0)];
  const api: ApiClient = {
    baseUrl: 'http://api.test',
    organism,
    forOrganism: (name) => (name === organism ? api : (made[name ?? ''] ??= fakeApi(name, made))),
    organisms: vi.fn(async () => ({ organisms: ORGANISMS, count: 2 })),
    status: vi.fn(async () => makeStatus({ organism: organism ?? 'bubble-sort' })),
    runs: vi.fn(async () => ({ runs: [makeRun(1), makeRun(2, { verdict: 'crashed' })], count: 2 })),
    logs: vi.fn(async () => ({ entries: [makeLog(1, { text: 'hello from the watcher' })], count: 1, lastSeq: 1 })),
    chaosTypes: vi.fn(async () => ({ types: CHAOS_TYPES })),
    genomes: vi.fn(async () => ({ genomes, count: 3, total: 3 })),
    genome: vi.fn(async (id: string) => makeDetail(genomes.find((g) => g.id === id)!.generation, { id })),
    triggerChaos: vi.fn(async () => ({
      message: 'd', chaos_type: 'off-by-one', line: 3, before: 'a', after: 'b', description: 'd', expect: ['wrong'], seed: 1, generation: 3, genomeId: 'x',
    })),
    rollback: vi.fn(async () => ({ generation: 3, genomeId: 'y', rolledBackTo: genomes[2]!.id })),
  };
  return api;
}

describe('Dashboard', () => {
  // The organism picked is kept in the URL; do not let it leak into the next test.
  afterEach(() => window.history.replaceState(null, '', '/'));

  it('shows every organism at a glance and switches the detailed view to the one picked', async () => {
    const made: Record<string, ApiClient> = {};
    const api = fakeApi(null, made);
    render(<Dashboard api={api} />);
    const sieve = await screen.findByTestId('organism-prime-sieve');
    expect(sieve.textContent).toContain('SICK');
    expect(screen.getByTestId('organism-bubble-sort').getAttribute('aria-pressed')).toBe('true');
    fireEvent.click(sieve);
    await waitFor(() => expect(made['prime-sieve']).toBeDefined());
    await waitFor(() => expect(made['prime-sieve']!.status).toHaveBeenCalled());
    expect(screen.getByTestId('organism-prime-sieve').getAttribute('aria-pressed')).toBe('true');
    await waitFor(() => expect(screen.getByText(/organism prime-sieve/)).toBeTruthy());
    expect(window.location.search).toContain('organism=prime-sieve');
  });

  it('wires one poller to every panel', async () => {
    const api = fakeApi();
    render(<Dashboard api={api} />);
    expect(await screen.findByText('hello from the watcher')).toBeTruthy();
    expect(screen.getByTestId('connection').dataset.connection).toBe('connected');
    expect(screen.getByTestId('organism-state').textContent).toBe('HEALTHY');
    expect(screen.getByTestId('total-runs').textContent).toBe('42');
    expect(screen.getAllByTestId('genome-row')).toHaveLength(3);
    expect(screen.getByRole('button', { name: 'off-by-one' })).toBeTruthy();
    expect(screen.getByTestId('chart-summary').textContent).toContain('1 failed');
  });

  it('follows the newest generation, and shows the diff of the one picked', async () => {
    const api = fakeApi();
    render(<Dashboard api={api} />);
    await waitFor(() => expect(screen.getByTestId('diff-header').textContent).toContain('generation #2'));
    const row = screen.getAllByTestId('genome-row')[1]!;
    fireEvent.click(within(row).getAllByRole('button')[0]!);
    await waitFor(() => expect(screen.getByTestId('diff-header').textContent).toContain('generation #1'));
    expect(screen.getByTestId('diff-body').textContent).toContain('i <= arr.length');
  });

  it('fires chaos and rollback through the API and polls again', async () => {
    const api = fakeApi();
    render(<Dashboard api={api} />);
    const button = await screen.findByRole('button', { name: 'off-by-one' });
    const before = vi.mocked(api.status).mock.calls.length;
    fireEvent.click(button);
    await waitFor(() => expect(screen.getByTestId('chaos-feedback').textContent).toContain('corrupted line 3'));
    expect(api.triggerChaos).toHaveBeenCalledWith('off-by-one');
    await waitFor(() => expect(vi.mocked(api.status).mock.calls.length).toBeGreaterThan(before));

    fireEvent.click(screen.getByTestId('rollback'));
    await waitFor(() => expect(screen.getByTestId('rollback-feedback').textContent).toContain('generation #0'));
  });

  it('shows the offline banner when the backend cannot be reached', async () => {
    const api = fakeApi();
    vi.mocked(api.status).mockRejectedValue(new TypeError('Failed to fetch'));
    render(<Dashboard api={api} />);
    await waitFor(() => expect(screen.getByTestId('connection-banner').textContent).toContain('Trying to reach http://api.test'));
    expect(screen.getByText(/Waiting for the first status/, { selector: '[data-testid="vitals"] p' })).toBeTruthy();
  });
});
