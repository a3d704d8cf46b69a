'use client';

import { errorMessage, type ApiClient } from '@/lib/api';
import { offersEvolution, useEvolution } from '@/lib/query/useEvolution';
import { Note, Panel } from '@/ui/shell/Panel';
import { firstLoad, PanelSkeleton } from '@/ui/shell/Skeleton';
import { EvolveForm } from './EvolveForm';
import { FitnessText } from './FitnessText';
import { Lineage } from './Lineage';
import { Progress } from './Progress';

/**
 * Evolution: an Evolve control, the run's progress (best fitness over time) and the lineage of the best genome,
 * each ancestor with its cause, its fitness and, on a click, its diff. On the evolution query (useEvolution).
 */
export function EvolutionPanel({
  api,
  disabled = false,
  chartWidth,
}: {
  api: ApiClient;
  disabled?: boolean;
  /** Fixed chart width in px (tests); by default the chart fills the panel. */
  chartWidth?: number;
}) {
  const query = useEvolution(api);
  if (!offersEvolution(api)) {
    return (
      <Panel title="Evolution" testId="evolution">
        <Note>This backend does not offer evolution.</Note>
      </Panel>
    );
  }
  if (firstLoad(query)) return <PanelSkeleton title="Evolution" testId="evolution" rows={5} what="evolution" />;

  const view = query.data ?? null;
  const error = query.error ? errorMessage(query.error) : null;
  return (
    <Panel
      title="Evolution"
      testId="evolution"
      extra={
        view ? (
          <span>
            live #{view.live.generation}: <FitnessText fitness={view.live.fitness} compact />
          </span>
        ) : null
      }
    >
      <div className="flex flex-col gap-3">
        {error ? <Note tone="error">{error}</Note> : null}
        {view === null ? null : !view.available ? (
          <Note>This organism cannot evolve: {view.unavailable}</Note>
        ) : (
          <>
            <EvolveForm api={api} view={view} disabled={disabled} />
            {view.run ? <Progress run={view.run} chartWidth={chartWidth} /> : <Note>No evolution run yet: press Evolve to look for a faster genome.</Note>}
            <Lineage api={api} entries={view.lineage} truncated={view.lineageTruncated} />
          </>
        )}
      </div>
    </Panel>
  );
}
