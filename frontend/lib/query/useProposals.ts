'use client';
import { useQuery } from '@tanstack/react-query';
import type { ApiClient } from '../api';
import { EVOLUTION_IDLE_POLL_MS, POLL_INTERVAL_MS } from './client';
import { keys } from './keys';
import { useLive } from './useStatus';

/**
 * The pending proposals (HEAL_MODE=propose), asked for only while the status says there may be some: every second while
 * one waits, every five otherwise. The event stream refreshes them as soon as one is proposed or decided.
 */
export function useProposals(api: ApiClient, wanted: boolean) {
  const live = useLive(api);
  return useQuery({
    queryKey: keys.proposals(api),
    queryFn: ({ signal }) => api.pendingProposals!(signal),
    enabled: live && wanted && typeof api.pendingProposals === 'function',
    refetchInterval: (q) => ((q.state.data?.pending ?? 0) > 0 ? POLL_INTERVAL_MS : EVOLUTION_IDLE_POLL_MS),
  });
}
