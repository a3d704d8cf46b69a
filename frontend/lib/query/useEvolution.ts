'use client';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import type { ApiClient } from '../api';
import { EVOLUTION_IDLE_POLL_MS, EVOLUTION_POLL_MS, POLL_INTERVAL_MS } from './client';
import { keys } from './keys';

/** Whether this backend offers evolution (the API client says so by having the methods). */
export const offersEvolution = (api: ApiClient) => typeof api.evolution === 'function';

/** GET /evolution: every second while a run is on, every five otherwise (never while the tab is hidden). */
export function useEvolution(api: ApiClient) {
  return useQuery({
    queryKey: keys.evolution(api),
    queryFn: ({ signal }) => api.evolution!(signal),
    enabled: offersEvolution(api),
    refetchInterval: (q) => (q.state.data?.running ? EVOLUTION_POLL_MS : EVOLUTION_IDLE_POLL_MS),
  });
}

/**
 * The immune memory. Asked for when the suite's fingerprint changes (a new counterexample changes it), so it
 * costs nothing while nothing is learnt; after a failure, every second until it arrives.
 */
export function useCounterexamples(api: ApiClient, fingerprint: string | null) {
  return useQuery({
    queryKey: keys.counterexamples(api, fingerprint),
    queryFn: ({ signal }) => api.counterexamples!(signal),
    enabled: typeof api.counterexamples === 'function',
    placeholderData: keepPreviousData,
    staleTime: Infinity,
    refetchInterval: (q) => (q.state.status === 'error' ? POLL_INTERVAL_MS : false),
  });
}
