'use client';

import { useEffect, useState } from 'react';
import type { ShownState, Status } from '@/lib/tolerant-schemas';
import { formatAgo, formatClock, formatMs, formatUptime, shortId, withoutEmptyCode } from '@/lib/format';
import { Note, Panel } from '@/ui/shell/Panel';
import { CauseBadge, runNumber, stateStyle, VerdictBadge } from '@/ui/shell/badges';
import type { Transition } from '@/lib/query/stream-events';
import { InputText } from './TrustSection';

interface Flip {
  state: ShownState;
  previous: ShownState | null;
  at: number;
  count: number;
}

/** State (with a flash when it flips), generation, last execution and verdict. */
export function VitalsPanel({
  status,
  stale = false,
  error,
  now = Date.now(),
  transitions = [],
}: {
  status: Status | null;
  /** The newest state changes the event stream told, oldest first: every one shows, however short it was. */
  transitions?: readonly Transition[];
  /** True while the backend is unreachable: the values are the last ones received. */
  stale?: boolean;
  error?: string | undefined;
  now?: number;
}) {
  const state = status?.state ?? null;
  const [flip, setFlip] = useState<Flip | null>(null);

  useEffect(() => {
    if (state === null) return;
    setFlip((f) => {
      if (f && f.state === state) return f;
      return { state, previous: f ? f.state : null, at: Date.now(), count: f ? f.count + 1 : 0 };
    });
  }, [state]);

  if (!status) {
    return (
      <Panel title="Vital signs" testId="vitals">
        {error ? <Note tone="error">{error}</Note> : <Note>Waiting for the first status from the backend…</Note>}
      </Panel>
    );
  }

  const s = stateStyle(status.state);
  const run = status.lastRun;
  // The last run may be of an earlier generation (chaos, a heal or a rollback has just made a new one): then the
  // live generation has no verdict yet, and the earlier one's is said to be that.
  const ofLive = run !== null && run.genomeId === status.genomeId;
  const since = status.generationSince ? Date.parse(status.generationSince) : NaN;
  return (
    <Panel
      title="Vital signs"
      testId="vitals"
      extra={<span className="tracking-widest uppercase">{status.organism}</span>}
    >
      <div className={`flex flex-col gap-3 ${stale ? 'opacity-60' : ''}`}>
        <div className="flex flex-wrap items-center gap-3">
          <div
            // A new key replays the flash: on each state this page saw, and on each change the stream told.
            key={`${flip?.count ?? 0}-${transitions[transitions.length - 1]?.id ?? 0}`}
            data-testid="organism-state"
            data-state={status.state}
            className={`border-2 px-3 py-1.5 text-2xl font-bold tracking-[0.25em] ${s.text} ${s.border} ${s.bg} ${(flip && flip.count > 0) || transitions.length > 0 ? 'animate-flip' : ''}`}
          >
            {s.label}
          </div>
          <div className="text-xs leading-5 text-muted">
            {flip?.previous ? (
              <p data-testid="state-change">
                was <span className={stateStyle(flip.previous).text}>{flip.previous}</span> until{' '}
                {formatClock(flip.at)}
              </p>
            ) : (
              <p>since this page opened</p>
            )}
            {stale ? <p className="text-sick">last known value</p> : null}
          </div>
        </div>
        {transitions.length > 0 ? <StateTrail transitions={transitions} /> : null}

        <dl className="grid grid-cols-2 gap-x-4 gap-y-2 text-sm">
          <div>
            <dt className="text-xs text-muted uppercase">Generation</dt>
            <dd data-testid="generation" className="text-xl font-bold text-phosphor glow">
              #{status.generation}
            </dd>
            <dd className="text-xs text-muted" title={status.genomeId}>
              genome {shortId(status.genomeId)}
              {Number.isFinite(since) ? (
                <span data-testid="generation-age" title={`live since ${formatClock(since)}`}>
                  {' '}
                  · live for {formatUptime((now - since) / 1000)}
                </span>
              ) : null}
            </dd>
          </div>
          <div>
            <dt className="text-xs text-muted uppercase">Last verdict</dt>
            <dd data-testid="last-verdict" data-of-live={ofLive} className="text-xl">
              {!run ? <span className="text-muted">No runs yet</span> : ofLive ? <VerdictBadge verdict={run.verdict} /> : <span className="text-muted">not run yet</span>}
            </dd>
            {run ? (
              <dd data-testid="last-run" className="text-xs text-muted">
                {ofLive ? (
                  <>
                    run #{runNumber(run)} · gen #{run.generation}
                  </>
                ) : (
                  <>
                    gen #{status.generation} is next; run #{runNumber(run)} (gen #{run.generation}) was <VerdictBadge verdict={run.verdict} />
                  </>
                )}
              </dd>
            ) : null}
          </div>
          <div>
            <dt className="text-xs text-muted uppercase">Last execution</dt>
            <dd data-testid="last-duration" className="text-soft">
              {run ? formatMs(run.durationMs) : '-'}
            </dd>
          </div>
          <div>
            <dt className="text-xs text-muted uppercase">Last run at</dt>
            <dd className="text-soft">
              {run ? (
                <>
                  {formatClock(run.startedAt)} <span className="text-xs text-muted">({formatAgo(run.startedAt, now)})</span>
                </>
              ) : (
                '-'
              )}
            </dd>
          </div>
        </dl>

        {status.quarantine ? (
          <p data-testid="cannot-heal" role="alert" className="border border-violet/60 bg-violet/10 p-2 text-xs text-violet">
            Quarantined: the healer gave up ({status.quarantine.reason}). Next probe in {formatMs(status.quarantine.nextProbeMs)}.
          </p>
        ) : status.healing?.cannotHeal ? (
          <p data-testid="cannot-heal" role="alert" className="border border-sick/60 bg-sick/10 p-2 text-xs text-sick">
            The healer gave up: {status.healing.cannotHeal}
          </p>
        ) : null}

        {status.backoff ? (
          <p data-testid="backoff" className="border border-orange/60 bg-orange/10 p-2 text-xs text-orange">
            Retry {status.backoff.attempt} in {formatMs(status.backoff.delayMs)}: {status.backoff.reason}
          </p>
        ) : null}

        {status.lastIncident?.timeToHealMs != null ? (
          <p data-testid="time-to-heal" className="text-xs text-muted">
            Last incident ({status.lastIncident.verdict} in gen #{status.lastIncident.generation}) healed in{' '}
            <span className="text-healthy">{formatMs(status.lastIncident.timeToHealMs)}</span>
          </p>
        ) : null}
        {status.lastIncident?.failingInput ? (
          <p data-testid="incident-input" className="break-words text-xs text-muted">
            Smallest failing input ({status.lastIncident.failingInput.case}):{' '}
            <InputText input={status.lastIncident.failingInput.input} size={status.lastIncident.failingInput.size} />
          </p>
        ) : null}
        {status.verification ? (
          <p data-testid="live-trust" className="text-xs text-muted">
            Verification: <span className={status.verification.state === 'passed' ? 'text-healthy' : status.verification.state === 'failed' ? 'text-sick' : 'text-cyan'}>{status.verification.state}</span>{' '}
            against {status.verification.suite.size} inputs ({status.verification.suite.edge} edge cases, {status.verification.suite.property} property inputs,{' '}
            {status.verification.suite.regression} counterexamples)
            {status.verification.timeMs !== null ? ` in ${formatMs(status.verification.timeMs)}` : ''}
          </p>
        ) : null}

        {status.lastError ? (
          <div data-testid="last-error" className="border-l-2 border-sick/70 pl-2 text-xs">
            <p className="text-muted">
              Last failure: <VerdictBadge verdict={status.lastError.verdict} /> in gen #{status.lastError.generation} at{' '}
              {formatClock(status.lastError.at)}
            </p>
            <p className="line-clamp-2 break-words text-sick/90" title={status.lastError.error}>
              {status.lastError.error}
            </p>
          </div>
        ) : null}

        {status.lastMutation ? (
          <div className="flex flex-wrap items-center gap-2 text-xs text-muted">
            <span>Last mutation:</span>
            <CauseBadge cause={status.lastMutation.cause} />
            <span>
              gen #{status.lastMutation.generation} at {formatClock(status.lastMutation.at)}
            </span>
            <span className="w-full break-words text-soft">{withoutEmptyCode(status.lastMutation.summary)}</span>
          </div>
        ) : null}
        {error ? <Note tone="error">{error}</Note> : null}
      </div>
    </Panel>
  );
}

/** The state changes as they happened, in order: a sick spell healed within 100 ms still shows here. */
function StateTrail({ transitions }: { transitions: readonly Transition[] }) {
  const shown = transitions.slice(-5);
  return (
    <ol data-testid="state-trail" aria-label="Latest state changes" className="flex flex-wrap items-center gap-x-1 text-xs text-muted">
      <li className={stateStyle(shown[0]!.from).text}>{shown[0]!.from}</li>
      {shown.map((t) => (
        <li key={t.id} data-state={t.to} title={formatClock(t.at)} className="animate-flip">
          {'→ '}
          <span className={stateStyle(t.to).text}>{t.to}</span>
        </li>
      ))}
    </ol>
  );
}
