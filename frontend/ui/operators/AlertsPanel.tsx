'use client';

import type { Alert, AlertsResponse } from '@ouroboros/contract';
import { errorMessage, type ApiClient } from '@/lib/api';
import { formatClock } from '@/lib/format';
import { useAlerts } from '@/lib/query/useOperators';
import { Note, Panel } from '@/ui/shell/Panel';
import { firstLoad, PanelSkeleton } from '@/ui/shell/Skeleton';

export function AlertsWidget({ api }: { api: ApiClient }) {
  const query = useAlerts(api);
  if (typeof api.alerts !== 'function') return null;
  if (firstLoad(query)) return <PanelSkeleton title="Alerts" testId="alerts" what="the alerts" />;
  return <AlertsPanel view={query.data ?? null} error={query.error ? errorMessage(query.error) : undefined} />;
}

/** Whether alerts go out, to which hosts, and how the newest deliveries went. */
export function AlertsPanel({ view, error }: { view: AlertsResponse | null; error?: string | undefined }) {
  return (
    <Panel
      title="Alerts"
      testId="alerts"
      extra={view?.enabled ? <span data-testid="alerts-counts">{view.pending} pending · {view.failed} failed</span> : null}
    >
      {error ? (
        <div className="mb-2">
          <Note tone="error">{error}</Note>
        </div>
      ) : null}
      {view === null ? null : (
        <>
          <p className="mb-2 text-xs text-muted" data-testid="alerts-targets">
            {view.enabled
              ? `To ${view.webhooks.join(', ')}${view.signed ? ', signed' : ', unsigned (no ALERT_WEBHOOK_SECRET)'}.`
              : 'Off: set ALERT_WEBHOOK_URLS on the backend to be told of crash loops, quarantines and failed heals.'}
          </p>
          {view.alerts.length === 0 ? (
            view.enabled ? <Note>No alert yet.</Note> : null
          ) : (
            <ol className="flex max-h-72 flex-col gap-1 overflow-y-auto text-xs" aria-label="Alerts, newest first">
              {view.alerts.map((a) => (
                <AlertRow key={a.id} alert={a} />
              ))}
            </ol>
          )}
        </>
      )}
    </Panel>
  );
}

const STATE_STYLE = { delivered: 'text-healthy', pending: 'text-healing', failed: 'text-sick' } as const;

function AlertRow({ alert: a }: { alert: Alert }) {
  return (
    <li data-testid="alert" data-event={a.event} className="border-l-2 border-edge pl-2">
      <p className="flex flex-wrap items-center gap-x-2 text-muted">
        <span className="text-soft">{formatClock(a.at)}</span>
        <span className="font-bold text-phosphor">{a.event}</span>
        {a.reminder ? <span>reminder</span> : null}
      </p>
      <p className="break-words text-soft">{a.summary}</p>
      {a.deliveries.map((d, i) => (
        <p key={i} data-testid="alert-delivery" data-state={d.state} className="text-muted">
          <span className={STATE_STYLE[d.state]}>{d.state}</span> to {d.host} after {d.attempts} attempt{d.attempts === 1 ? '' : 's'}
          {d.lastError ? `: ${d.lastError}` : ''}
        </p>
      ))}
    </li>
  );
}
