'use client';
/** The vital signs, the run statistics, the execution chart and the immune memory, each on its own query. */
import type { ApiClient } from '@/lib/api';
import { errorMessage } from '@/lib/api';
import { isUnreachable } from '@/lib/query/connection';
import { useRuns } from '@/lib/query/useFeeds';
import { useConnection, useStatus } from '@/lib/query/useStatus';
import { firstLoad, PanelSkeleton } from '@/ui/shell/Skeleton';
import { ExecutionChart } from './ExecutionChart';
import { ImmunePanel } from './ImmunePanel';
import { StatsPanel } from './StatsPanel';
import { useTransitions } from '@/lib/query/useEventStream';
import { VitalsPanel } from './VitalsPanel';

/** The status as the vitals show it: the last one received, stale while the backend is unreachable. */
function useVitals(api: ApiClient) {
  const query = useStatus(api);
  const { connection } = useConnection(api);
  const status = query.data ?? null;
  // An unreachable backend is the connection banner's to say; an odd answer (contract, 4xx) is the panel's.
  const error = query.error && !isUnreachable(query.error) ? errorMessage(query.error) : undefined;
  return { query, status, stale: status !== null && connection !== 'connected', error };
}

export function VitalsWidget({ api }: { api: ApiClient }) {
  const { query, status, stale, error } = useVitals(api);
  const transitions = useTransitions(api);
  if (firstLoad(query)) return <PanelSkeleton title="Vital signs" testId="vitals" rows={5} what="the vital signs" />;
  return <VitalsPanel status={status} stale={stale} error={error} transitions={transitions} />;
}

export function StatsWidget({ api }: { api: ApiClient }) {
  const { query, status, stale, error } = useVitals(api);
  if (firstLoad(query)) return <PanelSkeleton title="Statistics" testId="stats" rows={4} what="the run statistics" />;
  return <StatsPanel stats={status?.stats ?? null} uptimeS={status?.uptimeS ?? null} llm={status?.llm ?? null} stale={stale} error={error} />;
}

export function RunsChartWidget({ api }: { api: ApiClient }) {
  const runs = useRuns(api);
  const { data: status } = useStatus(api);
  if (firstLoad(runs)) return <PanelSkeleton title="Execution time" testId="chart" rows={6} what="the recent runs" />;
  return <ExecutionChart runs={runs.data?.items ?? []} p95Ms={status?.stats.p95Ms ?? null} error={runs.error ? errorMessage(runs.error) : undefined} />;
}

export function ImmuneWidget({ api }: { api: ApiClient }) {
  const { data: status } = useStatus(api);
  return <ImmunePanel api={api} fingerprint={status?.verification?.suite.fingerprint ?? null} />;
}
