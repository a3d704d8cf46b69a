'use client';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import type { ApiClient } from '../api';
import type { Status } from '../tolerant-schemas';
import { useCacheValue, updateCacheValue } from './cache-value';
import { POLL_INTERVAL_MS } from './client';
import { answered, failed, initialConnection, type ConnectionState } from './connection';
import { keys } from './keys';
import { STREAM_STATUS_POLL_MS, useStreaming } from './useEventStream';

/** The connection to this client's backend, as the status poll last saw it. */
export function useConnection(api: ApiClient): ConnectionState {
  return useCacheValue(keys.connection(api), initialConnection);
}

/** The backend answers: the polls that wait for it (all but the status) may run. */
export function useLive(api: ApiClient): boolean {
  return useCacheValue(keys.connection(api), initialConnection, isLive);
}

const isLive = (c: ConnectionState) => c.connection === 'connected';

/**
 * GET /status. `poll`: this observer drives the one-second poll (one per page, the connection indicator's; every
 * observer with an interval would add its own timer). Readers share its answer and never fetch while it is there.
 * Every answer and every failure moves the connection state.
 */
export function useStatus(api: ApiClient, { poll = false }: { poll?: boolean } = {}) {
  const client = useQueryClient();
  const streaming = useStreaming(api);
  return useQuery({
    queryKey: keys.status(api),
    queryFn: async ({ signal }): Promise<Status> => {
      const before = client.getQueryData<Status>(keys.status(api));
      const move = (update: (c: ConnectionState) => ConnectionState) =>
        updateCacheValue(client, keys.connection(api), initialConnection, update);
      try {
        const status = await api.status(signal);
        // The status first, then the connection: the queries the connection enables read it (the runs' upper bound).
        client.setQueryData(keys.status(api), status);
        move((c) => answered(c, Date.now(), before !== undefined && status.uptimeS < before.uptimeS));
        return status;
      } catch (e) {
        // A request cancelled because nobody shows it any more says nothing about the backend.
        if (!signal.aborted) move((c) => failed(c, e, Date.now()));
        throw e;
      }
    },
    // While the stream is open it says when the status changed; the slow poll keeps the connection light honest.
    refetchInterval: poll ? (streaming ? STREAM_STATUS_POLL_MS : POLL_INTERVAL_MS) : false,
    staleTime: poll ? 0 : Infinity,
  });
}
