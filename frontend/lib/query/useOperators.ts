'use client';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import type { ApiClient } from '../api';
import { keys } from './keys';
import { POLL_INTERVAL_MS } from './client';

/** The audit trail and the alerts change only with an action or an incident: a slow poll is enough. */
export const OPERATORS_POLL_MS = 5000;
export const AUDIT_PAGE = 20;
export const ALERTS_SHOWN = 8;

/** One page of the audit trail; the newest page is polled, an older one is fixed once it arrived. */
export function useAudit(api: ApiClient, before: number | null) {
  return useQuery({
    queryKey: keys.audit(api, before),
    queryFn: ({ signal }) => api.audit!({ before, limit: AUDIT_PAGE }, signal),
    enabled: typeof api.audit === 'function',
    placeholderData: keepPreviousData,
    staleTime: before === null ? 0 : Infinity,
    refetchInterval: (q) => (q.state.status === 'error' ? POLL_INTERVAL_MS : before === null ? OPERATORS_POLL_MS : false),
  });
}

export function useAlerts(api: ApiClient) {
  return useQuery({
    queryKey: keys.alerts(api),
    queryFn: ({ signal }) => api.alerts!({ limit: ALERTS_SHOWN }, signal),
    enabled: typeof api.alerts === 'function',
    refetchInterval: (q) => (q.state.status === 'error' ? POLL_INTERVAL_MS : OPERATORS_POLL_MS),
  });
}
