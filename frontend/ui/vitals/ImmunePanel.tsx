'use client';

import { errorMessage, type ApiClient } from '@/lib/api';
import { useCounterexamples } from '@/lib/query/useEvolution';
import { formatClock, shortId } from '@/lib/format';
import { Note, Panel } from '@/ui/shell/Panel';
import { VerdictBadge } from '@/ui/shell/badges';
import { firstLoad, PanelSkeleton } from '@/ui/shell/Skeleton';
import { InputText } from './TrustSection';

/**
 * The immune memory: every input that exposed a bug its genome's suite missed, shrunk, newest first. Asked for when the
 * suite's fingerprint changes (see useCounterexamples).
 */
export function ImmunePanel({ api, fingerprint }: { api: ApiClient; fingerprint: string | null }) {
  const query = useCounterexamples(api, fingerprint);
  if (typeof api.counterexamples !== 'function') return null;
  if (firstLoad(query)) return <PanelSkeleton title="Immune memory" testId="immune" what="the immune memory" />;
  const memory = query.data ?? null;
  const error = query.error ? errorMessage(query.error) : null;
  const suite = memory?.suite;
  return (
    <Panel
      title="Immune memory"
      testId="immune"
      extra={suite ? <span>suite of {suite.size}: {suite.edge} edge · {suite.property} property · {suite.regression} remembered</span> : null}
    >
      {error ? <Note tone="error">{error}</Note> : null}
      {memory === null ? null : memory.count === 0 ? (
        <Note>No counterexample yet: no verified genome has failed an input its suite lacked.</Note>
      ) : (
        <ol className="flex max-h-64 flex-col gap-1 overflow-y-auto text-xs" aria-label="Counterexamples, newest first">
          {[...memory.counterexamples].reverse().map((c) => (
            <li key={c.id} data-testid="counterexample" data-id={c.id} className="border-l-2 border-chaos/60 pl-2">
              <p className="flex flex-wrap items-center gap-x-2 text-muted">
                <span className="font-bold text-chaos">#{c.id}</span>
                <VerdictBadge verdict={c.verdict} />
                <span>demoted {shortId(c.genomeId)} at {formatClock(c.createdAt)}</span>
                <span>
                  shrunk {c.originalSize} → {c.shrunkSize} characters in {c.shrinkRuns} runs
                </span>
              </p>
              <InputText input={c.input} size={c.shrunkSize} />
            </li>
          ))}
        </ol>
      )}
    </Panel>
  );
}
