'use client';

import { useState } from 'react';
import type { ChaosResult, ChaosType } from '@ouroboros/contract';
import { ApiError, errorMessage } from '@/lib/api';
import { EMPTY_LINE, withoutEmptyCode } from '@/lib/format';
import { Note, Panel } from '@/ui/shell/Panel';

type Feedback =
  | { kind: 'ok'; result: ChaosResult }
  | { kind: 'refused'; type: string; message: string; code: string | null; status: number | null };

/** One button per chaos type the API offers, with what the click corrupted or why it was refused. */
export function ChaosPanel({
  types,
  error,
  disabled = false,
  disabledReason,
  onTrigger,
}: {
  types: ChaosType[] | null;
  error?: string | undefined;
  disabled?: boolean;
  disabledReason?: string | undefined;
  onTrigger: (type: string) => Promise<ChaosResult>;
}) {
  const [pending, setPending] = useState<string | null>(null);
  const [feedback, setFeedback] = useState<Feedback | null>(null);
  const [hint, setHint] = useState<ChaosType | null>(null);

  const fire = async (type: string) => {
    setPending(type);
    setFeedback(null);
    try {
      const result = await onTrigger(type);
      setFeedback({ kind: 'ok', result });
    } catch (e) {
      setFeedback({
        kind: 'refused',
        type,
        message: errorMessage(e),
        code: e instanceof ApiError ? e.code : null,
        status: e instanceof ApiError ? e.status : null,
      });
    } finally {
      setPending(null);
    }
  };

  // "random" first, then the others in the API's order.
  const ordered = types ? [...types].sort((a, b) => Number(b.type === 'random') - Number(a.type === 'random')) : null;

  return (
    <Panel title="Chaos" testId="chaos" extra={types ? <span>{types.length} types</span> : null}>
      {ordered === null ? (
        error ? (
          <Note tone="error">Cannot load the chaos types: {error} Retrying every second.</Note>
        ) : (
          <Note>Loading the chaos types from the backend…</Note>
        )
      ) : ordered.length === 0 ? (
        <Note>The backend offers no chaos types.</Note>
      ) : (
        <div className="flex flex-col gap-3">
          <div className="grid grid-cols-2 gap-1.5 sm:grid-cols-3 lg:grid-cols-4 xl:grid-cols-3">
            {ordered.map((t) => (
              <button
                key={t.type}
                type="button"
                data-chaos-type={t.type}
                title={t.description}
                disabled={disabled || pending !== null}
                onClick={() => void fire(t.type)}
                onMouseEnter={() => setHint(t)}
                onFocus={() => setHint(t)}
                onMouseLeave={() => setHint(null)}
                onBlur={() => setHint(null)}
                className={`min-h-9 border px-2 py-1 text-left text-[11px] leading-4 break-words transition-colors disabled:cursor-not-allowed disabled:opacity-40 ${
                  t.type === 'random'
                    ? 'border-chaos text-chaos hover:bg-chaos/15'
                    : 'border-chaos/50 text-chaos/90 hover:border-chaos hover:bg-chaos/10'
                }`}
              >
                {pending === t.type ? 'injecting…' : <TypeName type={t.type} />}
              </button>
            ))}
          </div>
          <p data-testid="chaos-hint" className="min-h-8 text-xs text-soft">
            {hint ? (
              <>
                <span className="text-chaos">{hint.type}</span>: {hint.description}
              </>
            ) : (
              <span className="text-muted">Pick a type to corrupt the live genome; hover or focus a button for what it does.</span>
            )}
          </p>
          {disabled && disabledReason ? <p className="text-xs text-muted">{disabledReason}</p> : null}
          <ChaosFeedback feedback={feedback} />
        </div>
      )}
    </Panel>
  );
}

/** Long names like unhandled_rejection may wrap after an underscore, never mid-word. */
function TypeName({ type }: { type: string }) {
  const parts = type.split('_');
  return (
    <>
      {parts.map((p, i) => (
        <span key={i}>
          {p}
          {i < parts.length - 1 ? (
            <>
              _<wbr />
            </>
          ) : null}
        </span>
      ))}
    </>
  );
}

function ChaosFeedback({ feedback }: { feedback: Feedback | null }) {
  if (feedback === null) return null;
  if (feedback.kind === 'refused') {
    return (
      <div role="alert" data-testid="chaos-feedback" data-outcome="refused" className="border border-sick/60 bg-sick/10 p-2 text-xs">
        <p className="font-bold text-sick">
          Chaos &quot;{feedback.type}&quot; refused
          {feedback.status !== null ? ` (HTTP ${feedback.status}${feedback.code ? ` ${feedback.code}` : ''})` : ''}
        </p>
        <p className="break-words text-soft">{feedback.message}</p>
      </div>
    );
  }
  const r = feedback.result;
  return (
    <div role="status" data-testid="chaos-feedback" data-outcome="ok" className="border border-chaos/60 bg-chaos/10 p-2 text-xs">
      <p className="text-chaos">
        <span className="font-bold uppercase">{r.chaos_type}</span> corrupted line {r.line} → generation #{r.generation}
      </p>
      <p className="mb-1 text-soft">
        {withoutEmptyCode(r.description)}
        {r.expect && r.expect.length > 0 ? <span className="text-muted"> · expect {r.expect.join(' / ')}</span> : null}
      </p>
      <pre className="overflow-x-auto leading-5">
        <code>
          <span className="block text-sick">- {r.before.trim() === '' ? <span className="text-muted">{EMPTY_LINE}</span> : r.before}</span>
          <span className="block text-healthy">+ {r.after.trim() === '' ? <span className="text-muted">{EMPTY_LINE}</span> : r.after}</span>
        </code>
      </pre>
    </div>
  );
}
