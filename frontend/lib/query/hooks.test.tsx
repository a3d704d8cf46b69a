import { notifyManager } from '@tanstack/react-query';
import { act, renderHook } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError, type ApiClient } from '../api';
import type { LogEntry } from '@ouroboros/contract';
import type { Status } from '../tolerant-schemas';
import { CHAOS_TYPES, makeDetail, makeGenome, makeLog, makeRun, makeStatus } from '@/test/fixtures';
import { withQueryClient } from '@/test/query';
import { GENOME_REFRESH_MS } from './client';
import { MAX_LOGS, mergeLogs, mergeRuns } from './feeds';
import { invalidateOrganism } from './mutations';
import { useChaosTypes, useOrganisms } from './useBackend';
import { useLogs, useRuns } from './useFeeds';
import { useGenomeDetail, useGenomes } from './useGenomes';
import { useConnection, useStatus } from './useStatus';

const down = () => new ApiError({ kind: 'network', endpoint: 'GET /status', message: 'Cannot reach the backend at http://api.test (Failed to fetch).' });

/** A fake backend whose answers the test steers. */
function fakeApi() {
  const world = {
    up: true,
    status: makeStatus({ uptimeS: 10 }) as Status,
    logs: [makeLog(1), makeLog(2), makeLog(3)] as LogEntry[],
    runs: [makeRun(1), makeRun(2)],
  };
  const api = {
    baseUrl: 'http://api.test',
    organism: null,
    status: vi.fn(async () => {
      if (!world.up) throw down();
      return world.status;
    }),
    runs: vi.fn(async (q: { limit?: number; since?: number | null } = {}) => {
      const runs = world.runs.filter((r) => q.since == null || r.id > q.since).slice(-(q.limit ?? 60));
      return { runs, count: runs.length };
    }),
    logs: vi.fn(async (q: { limit?: number; since?: number | null } = {}) => {
      const entries =
        q.since == null ? world.logs.slice(-(q.limit ?? 100)) : world.logs.filter((e) => e.seq > q.since!).slice(0, q.limit ?? 100);
      return { entries, count: entries.length, lastSeq: world.logs.at(-1)?.seq ?? 0 };
    }),
    chaosTypes: vi.fn(async () => ({ types: CHAOS_TYPES })),
    genomes: vi.fn(async () => ({ genomes: [makeGenome(1, { live: true }), makeGenome(0)], count: 2, total: 2 })),
    genome: vi.fn(),
    triggerChaos: vi.fn(),
    rollback: vi.fn(),
    organisms: vi.fn(async () => ({ organisms: [], count: 0 })),
  };
  return { world, api: api as unknown as ApiClient & typeof api };
}

/** Every resource the dashboard reads, as its widgets read them (the header drives the status poll). */
function useDashboardData(api: ApiClient, selected: string | null) {
  const status = useStatus(api, { poll: true });
  const connection = useConnection(api);
  const runs = useRuns(api);
  const logs = useLogs(api);
  const genomes = useGenomes(api, { poll: true });
  const chaosTypes = useChaosTypes(api);
  const organisms = useOrganisms(api);
  const detail = useGenomeDetail(api, selected, { enabled: connection.connection === 'connected' });
  return {
    ...connection,
    status: status.data ?? null,
    runs: runs.data?.items ?? [],
    runsError: runs.error?.message,
    logs: logs.data?.items ?? [],
    logsError: logs.error?.message,
    genomes: genomes.data?.genomes ?? null,
    genomesError: genomes.error?.message,
    chaosTypes: chaosTypes.data ?? null,
    organisms: organisms.data ?? null,
    detail: detail.data ?? null,
    detailError: detail.error?.message ?? null,
  };
}

function render(api: ApiClient) {
  const { client, wrapper } = withQueryClient();
  const hook = renderHook(({ selected }: { selected: string | null }) => useDashboardData(api, selected), {
    wrapper,
    initialProps: { selected: null as string | null },
  });
  return { ...hook, client };
}

let visibility: DocumentVisibilityState = 'visible';

beforeEach(() => {
  vi.useFakeTimers();
  // TanStack batches its notifications on a timer taken before the fake clock existed: deliver them as microtasks,
  // which the fake clock's advance awaits, so every answer renders within the fake instant it arrived at.
  notifyManager.setScheduler(queueMicrotask);
  visibility = 'visible';
  Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => visibility });
});
afterEach(() => {
  notifyManager.setScheduler((cb) => setTimeout(cb, 0));
  vi.useRealTimers();
});

/**
 * Lets `ms` of fake time pass, then lets what the answers set off settle (a status answer enables the queries that
 * wait for a live backend, whose answers re-render): all at the same fake instant.
 */
const advance = (ms: number) =>
  act(async () => {
    await vi.advanceTimersByTimeAsync(ms);
    for (let i = 0; i < 5; i++) await vi.advanceTimersByTimeAsync(0);
  });

describe('the dashboard queries', () => {
  it('loads everything on the first poll, then asks only for what is new', async () => {
    const { world, api } = fakeApi();
    const { result, client, rerender } = render(api);
    await advance(0);
    expect(result.current.connection).toBe('connected');
    expect(result.current.status?.generation).toBe(3);
    expect(result.current.logs.map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(result.current.runs.map((r) => r.id)).toEqual([1, 2]);
    expect(result.current.chaosTypes).toHaveLength(3);
    expect(result.current.genomes).toHaveLength(2);
    expect(api.logs).toHaveBeenLastCalledWith({ limit: 200 }, expect.anything());

    world.logs.push(makeLog(4), makeLog(5));
    world.runs.push(makeRun(3, { verdict: 'crashed' }));
    await advance(1000);
    expect(api.logs).toHaveBeenLastCalledWith({ limit: 200, since: 3 }, expect.anything());
    expect(api.runs).toHaveBeenLastCalledWith({ limit: 60, since: 2 }, expect.anything());
    expect(result.current.logs.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(result.current.runs.map((r) => r.id)).toEqual([1, 2, 3]);
    // Chaos types are fetched once.
    expect(api.chaosTypes).toHaveBeenCalledTimes(1);

    await advance(1000);
    expect(api.logs).toHaveBeenLastCalledWith({ limit: 200, since: 5 }, expect.anything());
  });

  it('asks for the genome history only when the live genome or the state changed, after an action, or every 10 s', async () => {
    const { world, api } = fakeApi();
    const { result, client, rerender } = render(api);
    await advance(0);
    expect(api.genomes).toHaveBeenCalledTimes(1);
    await advance(3000);
    expect(api.status).toHaveBeenCalledTimes(4);
    expect(api.genomes).toHaveBeenCalledTimes(1);

    world.status = { ...world.status, state: 'sick' };
    await advance(1000);
    expect(api.genomes).toHaveBeenCalledTimes(2);
    world.status = { ...world.status, state: 'healthy', generation: 4, genomeId: 'g4' };
    await advance(1000);
    expect(api.genomes).toHaveBeenCalledTimes(3);
    await advance(1000);
    expect(api.genomes).toHaveBeenCalledTimes(3);

    act(() => void invalidateOrganism(client, api));
    await advance(0);
    expect(api.genomes).toHaveBeenCalledTimes(4);

    // Run counts go stale for at most GENOME_REFRESH_MS.
    await advance(GENOME_REFRESH_MS);
    expect(api.genomes).toHaveBeenCalledTimes(5);
    expect(result.current.genomes).toHaveLength(2);
  });

  it('asks for the genome history again on the next poll after it failed', async () => {
    const { api } = fakeApi();
    api.genomes.mockRejectedValueOnce(new ApiError({ kind: 'http', status: 503, endpoint: 'GET /genomes', message: 'GET /genomes answered 503' }));
    const { result, client, rerender } = render(api);
    await advance(0);
    expect(result.current.genomesError).toContain('503');
    await advance(1000);
    expect(api.genomes).toHaveBeenCalledTimes(2);
    expect(result.current.genomesError).toBeUndefined();
    expect(result.current.genomes).toHaveLength(2);
  });

  it('loads each resource on its own: a slow answer holds back only its own widget', async () => {
    const { api } = fakeApi();
    let release: () => void = () => {};
    const slow = new Promise<void>((resolve) => (release = resolve));
    const fast = api.runs.getMockImplementation()!;
    api.runs.mockImplementationOnce(async (q) => {
      await slow;
      return fast(q);
    });
    const { result } = render(api);
    await advance(0);
    expect(result.current.logs.map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(result.current.genomes).toHaveLength(2);
    expect(result.current.chaosTypes).toHaveLength(3);
    expect(result.current.runs).toEqual([]);
    // Nor does it hold back the next polls of the others: the status (and with it the connection) moves on.
    await advance(2000);
    expect(api.status).toHaveBeenCalledTimes(3);
    expect(api.logs).toHaveBeenCalledTimes(3);
    release();
    await advance(0);
    expect(result.current.runs.map((r) => r.id)).toEqual([1, 2]);
  });

  it('shows a failed endpoint in its own widget only, and asks it again at the next poll', async () => {
    const { world, api } = fakeApi();
    api.logs.mockRejectedValueOnce(new ApiError({ kind: 'http', status: 500, endpoint: 'GET /logs', message: 'GET /logs failed with HTTP 500.' }));
    const { result } = render(api);
    await advance(0);
    expect(result.current.logsError).toContain('HTTP 500');
    expect(result.current.logs).toEqual([]);
    expect(result.current.connection).toBe('connected');
    expect(result.current.runs.map((r) => r.id)).toEqual([1, 2]);
    expect(result.current.runsError).toBeUndefined();
    world.logs.push(makeLog(4));
    await advance(1000);
    expect(api.logs).toHaveBeenCalledTimes(2);
    // The failed first page is asked for again as a first page (no `since`).
    expect(api.logs).toHaveBeenLastCalledWith({ limit: 200 }, expect.anything());
    expect(result.current.logsError).toBeUndefined();
    expect(result.current.logs.map((e) => e.seq)).toEqual([1, 2, 3, 4]);
  });

  it('polls once a second and never overlaps requests', async () => {
    const { api } = fakeApi();
    render(api);
    await advance(0);
    expect(api.status).toHaveBeenCalledTimes(1);
    await advance(999);
    expect(api.status).toHaveBeenCalledTimes(1);
    await advance(1);
    expect(api.status).toHaveBeenCalledTimes(2);
    await advance(3000);
    expect(api.status).toHaveBeenCalledTimes(5);
  });

  it('goes reconnecting, then offline, and recovers by itself', async () => {
    const { world, api } = fakeApi();
    const { result, client, rerender } = render(api);
    await advance(0);
    expect(result.current.connection).toBe('connected');

    world.up = false;
    await advance(1000);
    expect(result.current.connection).toBe('reconnecting');
    expect(result.current.connectionError).toContain('Cannot reach');
    // The last status is kept so the panels can show it as stale.
    expect(result.current.status).not.toBeNull();
    await advance(2000);
    expect(result.current.connection).toBe('offline');
    // While unreachable only the status is probed.
    const logCalls = api.logs.mock.calls.length;
    await advance(3000);
    expect(api.logs.mock.calls.length).toBe(logCalls);

    world.up = true;
    await advance(1000);
    expect(result.current.connection).toBe('connected');
    expect(result.current.connectionError).toBeNull();
  });

  it('starts over when the backend restarted with fewer runs and logs', async () => {
    const { world, api } = fakeApi();
    const { result, client, rerender } = render(api);
    await advance(0);
    world.status = makeStatus({ uptimeS: 1, lastRun: makeRun(1) });
    world.runs = [makeRun(1)];
    world.logs = [makeLog(1, { text: 'fresh start' })];
    await advance(1000);
    expect(api.logs).toHaveBeenLastCalledWith({ limit: 200 }, expect.anything());
    expect(result.current.logs.map((e) => e.text)).toEqual(['fresh start']);
    expect(result.current.runs.map((r) => r.id)).toEqual([1]);
  });

  it('pauses while the tab is hidden and polls at once when it is visible again', async () => {
    const { api } = fakeApi();
    render(api);
    await advance(0);
    expect(api.status).toHaveBeenCalledTimes(1);
    visibility = 'hidden';
    document.dispatchEvent(new Event('visibilitychange', { bubbles: true }));
    await advance(5000);
    expect(api.status).toHaveBeenCalledTimes(1);
    visibility = 'visible';
    document.dispatchEvent(new Event('visibilitychange', { bubbles: true }));
    await advance(0);
    expect(api.status).toHaveBeenCalledTimes(2);
  });

  it('reports a contract break on one endpoint without dropping the connection', async () => {
    const { api } = fakeApi();
    api.genomes.mockRejectedValue(new ApiError({ kind: 'contract', endpoint: 'GET /genomes', message: 'GET /genomes answered in an unexpected shape: cause' }));
    const { result, client, rerender } = render(api);
    await advance(0);
    expect(result.current.connection).toBe('connected');
    expect(result.current.genomesError).toContain('unexpected shape');
    expect(result.current.status).not.toBeNull();
  });

  it('holds back the runs the status does not count yet, so the chart and the counts agree at every poll', async () => {
    const { world, api } = fakeApi();
    // Run 3 ends between the status request and the runs request.
    world.status = makeStatus({ lastRun: makeRun(2), stats: { ...makeStatus().stats, totalRuns: 2 } });
    world.runs.push(makeRun(3));
    const { result, client, rerender } = render(api);
    await advance(0);
    expect(result.current.runs.map((r) => r.id)).toEqual([1, 2]);
    world.status = makeStatus({ lastRun: makeRun(3), stats: { ...makeStatus().stats, totalRuns: 3 } });
    await advance(1000);
    expect(api.runs).toHaveBeenLastCalledWith({ limit: 60, since: 2 }, expect.anything());
    expect(result.current.runs.map((r) => r.id)).toEqual([1, 2, 3]);
  });

  it('fetches the selected genome with the poll, asks again on every poll until it arrives, and keeps it', async () => {
    const { api } = fakeApi();
    const id = makeGenome(1).id;
    api.genome
      .mockRejectedValueOnce(new ApiError({ kind: 'network', endpoint: 'GET /genomes/:id', message: 'Cannot reach the backend (no answer within 4 s).' }))
      .mockResolvedValue(makeDetail(1));
    const { result, client, rerender } = render(api);
    await advance(0);
    rerender({ selected: id });
    await advance(0);
    expect(result.current.detailError).toContain('no answer');
    expect(result.current.detail).toBeNull();
    await advance(1000);
    expect(result.current.detail?.id).toBe(id);
    expect(result.current.detailError).toBeNull();
    expect(api.genome).toHaveBeenCalledTimes(2);
    // Kept: selecting it again shows it at once, without a request; the next polls do not ask for it.
    rerender({ selected: null });
    rerender({ selected: id });
    expect(result.current.detail?.id).toBe(id);
    await advance(3000);
    expect(api.genome).toHaveBeenCalledTimes(2);
  });

  it('refresh() polls immediately', async () => {
    const { api } = fakeApi();
    const { result, client, rerender } = render(api);
    await advance(0);
    act(() => void invalidateOrganism(client, api));
    await advance(0);
    expect(api.status).toHaveBeenCalledTimes(2);
  });

  it('stops polling when unmounted', async () => {
    const { api } = fakeApi();
    const { unmount } = render(api);
    await advance(0);
    unmount();
    await advance(5000);
    expect(api.status).toHaveBeenCalledTimes(1);
  });
});

describe('bounded buffers', () => {
  it(`keeps at most ${MAX_LOGS} log entries, the newest`, () => {
    let kept: LogEntry[] = [];
    for (let start = 1; start <= 1200; start += 200) {
      kept = mergeLogs(kept, Array.from({ length: 200 }, (_, i) => makeLog(start + i)));
    }
    expect(kept).toHaveLength(MAX_LOGS);
    expect(kept[0]?.seq).toBe(1200 - MAX_LOGS + 1);
    expect(kept.at(-1)?.seq).toBe(1200);
  });

  it('ignores duplicates and keeps runs ordered', () => {
    const runs = mergeRuns([makeRun(1), makeRun(2)], [makeRun(2), makeRun(4), makeRun(3)], 3);
    expect(runs.map((r) => r.id)).toEqual([2, 3, 4]);
    expect(mergeRuns([makeRun(1)], [makeRun(2), makeRun(3)], 10, 2).map((r) => r.id)).toEqual([1, 2]);
    expect(mergeLogs([makeLog(5)], [makeLog(4), makeLog(5)]).map((e) => e.seq)).toEqual([5]);
  });
});
