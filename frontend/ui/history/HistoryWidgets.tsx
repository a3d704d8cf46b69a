'use client';
/** The mutation history and the diff of the generation selected in it, each on its own query. */
import { errorMessage, type ApiClient } from '@/lib/api';
import { useRollbackMutation } from '@/lib/query/mutations';
import { useGenomeDetail, useGenomes } from '@/lib/query/useGenomes';
import { useLive } from '@/lib/query/useStatus';
import { firstLoad, PanelSkeleton } from '@/ui/shell/Skeleton';
import { DiffPanel } from './DiffPanel';
import { HistoryPanel } from './HistoryPanel';

/** The generation shown in detail: the one the reader picked, else the newest (followed as new ones arrive). */
export function useSelectedGenome(api: ApiClient, picked: string | null): string | null {
  const { data } = useGenomes(api);
  return picked ?? data?.genomes[0]?.id ?? null;
}

export function HistoryWidget({ api, picked, onSelect }: { api: ApiClient; picked: string | null; onSelect: (id: string) => void }) {
  const genomes = useGenomes(api, { poll: true });
  const rollback = useRollbackMutation(api);
  const live = useLive(api);
  const selectedId = useSelectedGenome(api, picked);
  if (firstLoad(genomes)) return <PanelSkeleton title="Mutation history" testId="history" rows={6} what="the mutation history" />;
  return (
    <HistoryPanel
      genomes={genomes.data?.genomes ?? null}
      total={genomes.data?.total ?? 0}
      selectedId={selectedId}
      onSelect={onSelect}
      onRollback={rollback.mutateAsync}
      error={genomes.error ? errorMessage(genomes.error) : undefined}
      disabled={!live}
    />
  );
}

export function DiffWidget({ api, picked }: { api: ApiClient; picked: string | null }) {
  const live = useLive(api);
  const id = useSelectedGenome(api, picked);
  const detail = useGenomeDetail(api, id, { enabled: live });
  const error = detail.error && detail.data === undefined ? errorMessage(detail.error) : null;
  return <DiffPanel selection={{ id, detail: detail.data ?? null, error, loading: detail.data === undefined && error === null }} />;
}
