'use client';
import { errorMessage, type ApiClient } from '@/lib/api';
import { MAX_LOGS } from '@/lib/query/feeds';
import { useLogs } from '@/lib/query/useFeeds';
import { firstLoad, PanelSkeleton } from '@/ui/shell/Skeleton';
import { TerminalPanel } from './TerminalPanel';

/** The live terminal, on the log feed (polled with `since`). */
export function TerminalWidget({ api }: { api: ApiClient }) {
  const logs = useLogs(api);
  if (firstLoad(logs)) return <PanelSkeleton title="Live terminal" testId="terminal" rows={8} what="the log" />;
  return <TerminalPanel entries={logs.data?.items ?? []} max={MAX_LOGS} error={logs.error ? errorMessage(logs.error) : undefined} />;
}
