'use client';

import { useRef, useState } from 'react';
import type { GenomeSummary, RollbackResult } from '@ouroboros/contract';
import { ApiError, errorMessage } from '@/lib/api';
import { formatClock, shortId, withoutEmptyCode } from '@/lib/format';
import { Note, Panel } from '@/ui/shell/Panel';
import { CauseBadge, TrustBadge, VerdictBadge } from '@/ui/shell/badges';
import { FitnessText } from '@/ui/evolution/FitnessText';

type Feedback =
  | { kind: 'ok'; from: GenomeSummary; result: RollbackResult }
  | { kind: 'refused'; from: GenomeSummary; message: string; status: number | null };

/** Every generation with its cause, time, verdict and trust; select one for its diff, roll back to a verified one. */
export function HistoryPanel({
  genomes,
  total,
  selectedId,
  onSelect,
  onRollback,
  error,
  disabled = false,
}: {
  genomes: GenomeSummary[] | null;
  total: number;
  selectedId: string | null;
  onSelect: (id: string) => void;
  onRollback: (id: string) => Promise<RollbackResult>;
  error?: string | undefined;
  disabled?: boolean;
}) {
  const [pending, setPending] = useState<string | null>(null);
  const [feedback, setFeedback] = useState<Feedback | null>(null);

  const rollback = async (g: GenomeSummary) => {
    setPending(g.id);
    setFeedback(null);
    try {
      const result = await onRollback(g.id);
      setFeedback({ kind: 'ok', from: g, result });
    } catch (e) {
      setFeedback({ kind: 'refused', from: g, message: errorMessage(e), status: e instanceof ApiError ? e.status : null });
    } finally {
      setPending(null);
    }
  };

  // The generations there when the history first showed; a row that arrives later flashes once as it appears.
  const firstSeen = useRef<Set<string> | null>(null);
  if (firstSeen.current === null && genomes !== null) firstSeen.current = new Set(genomes.map((g) => g.id));

  return (
    <Panel
      title="Mutation history"
      testId="history"
      extra={genomes ? <span>{genomes.length < total ? `newest ${genomes.length} of ${total}` : `${total} generations`}</span> : null}
    >
      {feedback ? (
        feedback.kind === 'ok' ? (
          <p role="status" data-testid="rollback-feedback" data-outcome="ok" className="mb-2 border border-paused/60 bg-paused/10 p-2 text-xs text-paused">
            Rolled back to generation #{feedback.from.generation}: it lives again as generation #{feedback.result.generation}.
          </p>
        ) : (
          <div role="alert" data-testid="rollback-feedback" data-outcome="refused" className="mb-2 border border-sick/60 bg-sick/10 p-2 text-xs">
            <p className="font-bold text-sick">
              Rollback to generation #{feedback.from.generation} refused{feedback.status !== null ? ` (HTTP ${feedback.status})` : ''}
            </p>
            <p className="break-words text-soft">{feedback.message}</p>
          </div>
        )
      ) : null}
      {error ? (
        <div className="mb-2">
          <Note tone="error">{error}</Note>
        </div>
      ) : null}
      {genomes === null ? (
        error ? null : <Note>Loading the genome history…</Note>
      ) : genomes.length === 0 ? (
        <Note>No generations yet</Note>
      ) : (
        <ol className="-mx-1 max-h-[28rem] overflow-y-auto pr-1 text-xs" aria-label="Generations, newest first">
          {genomes.map((g) => {
            const selected = g.id === selectedId;
            const arrived = !firstSeen.current!.has(g.id);
            const canRollback = g.healthy && !g.live;
            return (
              <li
                key={g.id}
                data-testid="genome-row"
                data-genome-id={g.id}
                data-generation={g.generation}
                data-cause={g.cause}
                data-live={g.live ? 'true' : 'false'}
                data-verified={g.verified === undefined ? undefined : String(g.verified)}
                data-arrived={arrived ? 'true' : undefined}
                className={`flex items-stretch gap-1 border-l-2 px-1 py-0.5 ${selected ? 'border-phosphor bg-phosphor/10' : 'border-transparent hover:bg-phosphor/5'} ${arrived ? 'animate-flip' : ''}`}
              >
                <button
                  type="button"
                  aria-pressed={selected}
                  onClick={() => onSelect(g.id)}
                  className="flex min-w-0 flex-1 flex-col gap-0.5 py-1 text-left"
                >
                  <span className="flex flex-wrap items-center gap-x-2 gap-y-1">
                    <span className="font-bold text-phosphor">#{g.generation}</span>
                    <CauseBadge cause={g.cause} />
                    <span className="text-muted">{formatClock(g.createdAt)}</span>
                    <VerdictBadge verdict={g.lastVerdict} />
                    <TrustBadge verified={g.verified} />
                    {g.live ? (
                      <span className="border border-phosphor px-1 text-[10px] leading-4 font-bold text-phosphor">LIVE</span>
                    ) : null}
                  </span>
                  <span className="truncate text-soft" title={withoutEmptyCode(g.summary)}>
                    {withoutEmptyCode(g.summary) || '(no summary)'}
                  </span>
                  <span className="text-[11px] text-muted">
                    {g.runs.total === 0 ? 'no runs yet' : `${g.runs.total} ${g.runs.total === 1 ? 'run' : 'runs'} · ${g.runs.ok} ok · ${g.runs.failed} failed`} · {shortId(g.id)}
                    {g.fitness !== undefined ? (
                      <>
                        {' · '}
                        <FitnessText fitness={g.fitness} compact />
                      </>
                    ) : null}
                  </span>
                </button>
                {canRollback ? (
                  <button
                    type="button"
                    data-testid="rollback"
                    disabled={disabled || pending !== null}
                    onClick={() => void rollback(g)}
                    title={`Promote generation #${g.generation} again as a new generation`}
                    className="self-center border border-paused/70 px-2 py-1 text-[11px] text-paused uppercase hover:bg-paused/15 disabled:cursor-not-allowed disabled:opacity-40"
                  >
                    {pending === g.id ? '…' : 'Rollback'}
                  </button>
                ) : null}
              </li>
            );
          })}
        </ol>
      )}
    </Panel>
  );
}
