'use client';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import type { ApiClient } from '../api';
import type { Status } from '../tolerant-schemas';
import { GENOME_PAGE, GENOME_REFRESH_MS, POLL_INTERVAL_MS } from './client';
import { keys } from './keys';
import { useCacheValue } from './cache-value';
import { initialConnection, type ConnectionState } from './connection';
import { useLive, useStatus } from './useStatus';

const restartsOf = (c: ConnectionState) => c.restarts;

/** What the genome history shows changes only with these: it is asked for again when one of them changed. */
export function genomesChangeKey(status: Status, restarts: number): string {
  return `${status.genomeId}|${status.generation}|${status.state}|${restarts}`;
}

/**
 * The genome history (newest GENOME_PAGE). The heaviest answer and it changes rarely: asked for when the live
 * genome, the generation or the state changed, after an action (invalidated), and otherwise every GENOME_REFRESH_MS
 * by the observer with `poll` (for its run counts). The previous page stays on screen while the next one loads.
 */
export function useGenomes(api: ApiClient, { poll = false }: { poll?: boolean } = {}) {
  const live = useLive(api);
  const restarts = useCacheValue(keys.connection(api), initialConnection, restartsOf);
  const { data: status } = useStatus(api);
  const changeKey = status === undefined ? 'none' : genomesChangeKey(status, restarts);
  return useQuery({
    queryKey: keys.genomes(api, changeKey),
    queryFn: ({ signal }) => api.genomes({ limit: GENOME_PAGE }, signal),
    enabled: live && status !== undefined,
    placeholderData: keepPreviousData,
    refetchInterval: poll ? (q) => (q.state.status === 'error' ? POLL_INTERVAL_MS : GENOME_REFRESH_MS) : false,
    staleTime: poll ? 0 : Infinity,
  });
}

/**
 * One genome in detail. Immutable (a diff never changes): kept once it arrived, and asked for again every second
 * until it does, whatever became of an earlier request.
 */
export function useGenomeDetail(api: ApiClient, id: string | null, { enabled = true }: { enabled?: boolean } = {}) {
  return useQuery({
    queryKey: keys.genome(api, id ?? ''),
    queryFn: ({ signal }) => api.genome(id!, signal),
    enabled: enabled && id !== null,
    staleTime: Infinity,
    refetchInterval: (q) => (q.state.data === undefined ? POLL_INTERVAL_MS : false),
  });
}
