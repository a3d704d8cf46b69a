'use client';
import { useQuery } from '@tanstack/react-query';
import type { ApiClient } from '../api';
import { POLL_INTERVAL_MS } from './client';
import { keys } from './keys';
import { useLive } from './useStatus';

/** The chaos types the backend offers: asked for every second until they arrive, then kept. */
export function useChaosTypes(api: ApiClient) {
  const live = useLive(api);
  return useQuery({
    queryKey: keys.chaosTypes(api),
    queryFn: ({ signal }) => api.chaosTypes(signal),
    select: (r) => r.types,
    enabled: live,
    staleTime: Infinity,
    refetchInterval: (q) => (q.state.data === undefined ? POLL_INTERVAL_MS : false),
  });
}

/** Every organism of the backend at a glance, polled every second. */
export function useOrganisms(api: ApiClient) {
  const live = useLive(api);
  return useQuery({
    queryKey: keys.organisms(api),
    queryFn: ({ signal }) => api.organisms(signal),
    select: (r) => r.organisms,
    enabled: live,
    refetchInterval: POLL_INTERVAL_MS,
  });
}
