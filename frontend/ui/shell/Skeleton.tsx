import { Panel } from './Panel';

/** Whether a widget shows its skeleton: its query has neither an answer nor an error yet. */
export function firstLoad(query: { data: unknown; error: unknown }): boolean {
  return query.data === undefined && (query.error === null || query.error === undefined);
}

/**
 * A panel's frame with grey bars where its content will be, shown while the widget's query first loads, so the
 * layout does not jump and each area says on its own that it is still loading.
 */
export function PanelSkeleton({ title, testId, rows = 3, what }: { title: string; testId: string; rows?: number; what: string }) {
  return (
    <Panel title={title} testId={testId}>
      <div role="status" aria-busy="true" data-testid="skeleton" data-skeleton={testId} className="flex flex-col gap-2">
        {Array.from({ length: rows }, (_, i) => (
          <span key={i} aria-hidden="true" className="block h-3 animate-pulse bg-edge/60" style={{ width: `${90 - ((i * 23) % 40)}%` }} />
        ))}
        <span className="sr-only">Loading {what}…</span>
      </div>
    </Panel>
  );
}
