'use client';

import { useState } from 'react';
import type { AuditEntry, AuditResponse } from '@ouroboros/contract';
import { errorMessage, type ApiClient } from '@/lib/api';
import { formatClock, shortId } from '@/lib/format';
import { useAudit } from '@/lib/query/useOperators';
import { Note, Panel } from '@/ui/shell/Panel';
import { firstLoad, PanelSkeleton } from '@/ui/shell/Skeleton';

/** The audit trail, a page at a time: the newest page follows the server; older pages stay as they were read. */
export function AuditWidget({ api }: { api: ApiClient }) {
  // The `before` of each page read so far: the last one is on screen, null is the newest page.
  const [pages, setPages] = useState<(number | null)[]>([null]);
  const before = pages[pages.length - 1] ?? null;
  const query = useAudit(api, before);
  if (typeof api.audit !== 'function') return null;
  if (firstLoad(query)) return <PanelSkeleton title="Audit" testId="audit" what="the audit trail" />;
  return (
    <AuditPanel
      page={query.data ?? null}
      pageNumber={pages.length}
      error={query.error ? errorMessage(query.error) : undefined}
      onOlder={(next) => setPages((p) => [...p, next])}
      onNewer={() => setPages((p) => (p.length > 1 ? p.slice(0, -1) : p))}
    />
  );
}

export function AuditPanel({
  page,
  pageNumber,
  error,
  onOlder,
  onNewer,
}: {
  page: AuditResponse | null;
  pageNumber: number;
  error?: string | undefined;
  onOlder: (before: number) => void;
  onNewer: () => void;
}) {
  const next = page?.next ?? null;
  return (
    <Panel title="Audit" testId="audit" extra={<span>{pageNumber === 1 ? 'newest first' : `page ${pageNumber}`}</span>}>
      {error ? (
        <div className="mb-2">
          <Note tone="error">{error}</Note>
        </div>
      ) : null}
      {page === null ? null : page.entries.length === 0 ? (
        <Note>Nothing changed yet: chaos, rollbacks, heals, evolution runs, stops and automatic promotions are recorded here.</Note>
      ) : (
        <ol className="flex max-h-72 flex-col gap-1 overflow-y-auto text-xs" aria-label="Audit trail, newest first">
          {page.entries.map((e) => (
            <AuditRow key={e.id} entry={e} />
          ))}
        </ol>
      )}
      <div className="mt-2 flex gap-2 text-xs">
        <button type="button" className="border border-edge px-2 py-0.5 text-soft disabled:opacity-40" disabled={pageNumber === 1} onClick={onNewer}>
          ← newer
        </button>
        <button type="button" className="border border-edge px-2 py-0.5 text-soft disabled:opacity-40" disabled={next === null} onClick={() => next !== null && onOlder(next)}>
          older →
        </button>
      </div>
    </Panel>
  );
}

function AuditRow({ entry: e }: { entry: AuditEntry }) {
  const refused = e.status !== null && e.status >= 400;
  const changed = e.genomeBefore !== e.genomeAfter && e.genomeAfter !== null;
  return (
    <li data-testid="audit-entry" data-action={e.action} data-status={e.status ?? 'auto'} className={`border-l-2 pl-2 ${refused ? 'border-sick/60' : 'border-edge'}`}>
      <p className="flex flex-wrap items-center gap-x-2 text-muted">
        <span className="text-soft">{formatClock(e.at)}</span>
        <span className={`font-bold ${refused ? 'text-sick' : 'text-phosphor'}`}>{e.action}</span>
        {e.organism ? <span>{e.organism}</span> : null}
        <span>{e.status === null ? 'by the watcher' : `HTTP ${e.status}`}</span>
        {changed ? (
          <span>
            {e.genomeBefore ? shortId(e.genomeBefore) : '—'} → {shortId(e.genomeAfter as string)}
          </span>
        ) : null}
        {e.client ? <span>from {e.client}</span> : null}
        {e.tokenFingerprint ? <span title="first 12 hex digits of the token's sha256">token {e.tokenFingerprint}</span> : null}
      </p>
    </li>
  );
}
