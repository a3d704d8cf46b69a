'use client';
import { errorMessage, type ApiClient } from '@/lib/api';
import { useChaosMutation } from '@/lib/query/mutations';
import { useChaosTypes } from '@/lib/query/useBackend';
import { useLive } from '@/lib/query/useStatus';
import { firstLoad, PanelSkeleton } from '@/ui/shell/Skeleton';
import { ChaosPanel } from './ChaosPanel';

/** The chaos buttons, on the chaos types query; a click is a mutation that refreshes the organism's widgets. */
export function ChaosWidget({ api }: { api: ApiClient }) {
  const types = useChaosTypes(api);
  const chaos = useChaosMutation(api);
  const live = useLive(api);
  if (firstLoad(types)) return <PanelSkeleton title="Chaos" testId="chaos" rows={4} what="the chaos types" />;
  return (
    <ChaosPanel
      types={types.data ?? null}
      error={types.error ? errorMessage(types.error) : undefined}
      disabled={!live}
      disabledReason="Chaos needs a live backend; waiting for it to answer."
      onTrigger={chaos.mutateAsync}
    />
  );
}
