'use client';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import type { ApiClient } from '../api';
import type { LogEntry, Run } from '@ouroboros/contract';
import type { Status } from '../tolerant-schemas';
import { POLL_INTERVAL_MS } from './client';
import type { ConnectionState } from './connection';
import { appendLogs, appendRuns, continueFeed, continueRuns, LOG_PAGE, MAX_RUNS, pageQuery, type Feed } from './feeds';
import { keys } from './keys';
import { useStreaming } from './useEventStream';
import { useLive } from './useStatus';

const restartsOf = (client: ReturnType<typeof useQueryClient>, api: ApiClient) =>
  client.getQueryData<ConnectionState>(keys.connection(api))?.restarts ?? 0;

/**
 * The newest runs (at most MAX_RUNS), polled every second with `since` after the first page. Only runs the
 * status already counts are kept, so the chart never runs ahead of the counts.
 */
export function useRuns(api: ApiClient) {
  const client = useQueryClient();
  const live = useLive(api);
  const streaming = useStreaming(api);
  return useQuery({
    queryKey: keys.runs(api),
    queryFn: async ({ signal }): Promise<Feed<Run>> => {
      const status = client.getQueryData<Status>(keys.status(api));
      const feed = continueRuns(client.getQueryData<Feed<Run>>(keys.runs(api)), restartsOf(client, api), status);
      const page = await api.runs(pageQuery(MAX_RUNS, feed.cursor), signal);
      return appendRuns(feed, page, status);
    },
    enabled: live,
    // The stream refreshes it on each new entry (useEventStream); without the stream, a poll every second.
    refetchInterval: streaming ? false : POLL_INTERVAL_MS,
  });
}

/** The newest log entries (at most MAX_LOGS), polled every second with `since` after the first page. */
export function useLogs(api: ApiClient) {
  const client = useQueryClient();
  const live = useLive(api);
  const streaming = useStreaming(api);
  return useQuery({
    queryKey: keys.logs(api),
    queryFn: async ({ signal }): Promise<Feed<LogEntry>> => {
      const feed = continueFeed(client.getQueryData<Feed<LogEntry>>(keys.logs(api)), restartsOf(client, api));
      const page = await api.logs(pageQuery(LOG_PAGE, feed.cursor), signal);
      return appendLogs(feed, page);
    },
    enabled: live,
    // The stream refreshes it on each new entry (useEventStream); without the stream, a poll every second.
    refetchInterval: streaming ? false : POLL_INTERVAL_MS,
  });
}
