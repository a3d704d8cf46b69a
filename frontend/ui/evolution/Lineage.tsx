'use client';

import { useState } from 'react';
import { errorMessage, type ApiClient } from '@/lib/api';
import { shortId, withoutEmptyCode } from '@/lib/format';
import { collapseFailed, describeFailed } from '@/lib/lineage';
import { useGenomeDetail } from '@/lib/query/useGenomes';
import type { LineageEntry } from '@ouroboros/contract';
import { CauseBadge } from '@/ui/shell/badges';
import { Note } from '@/ui/shell/Panel';
import { FitnessText } from './FitnessText';
import { InlineDiff } from './InlineDiff';

/** An ancestor's diff, opened from its row: the same genome query as the diff viewer, so it is fetched once. */
function AncestorDiff({ api, id }: { api: ApiClient; id: string }) {
  const detail = useGenomeDetail(api, id);
  if (detail.data) return <InlineDiff diff={detail.data.diff} />;
  if (detail.error) return <Note tone="error">{errorMessage(detail.error)}</Note>;
  return <Note>Loading its diff…</Note>;
}

/** The lineage of the best genome, newest first; a stretch of failed generations folds into one row. */
export function Lineage({ api, entries, truncated }: { api: ApiClient; entries: LineageEntry[]; truncated: boolean }) {
  const [open, setOpen] = useState<string | null>(null);
  const toggle = (id: string) => setOpen((o) => (o === id ? null : id));
  const [unfolded, setUnfolded] = useState<ReadonlySet<string>>(new Set());
  const genomeRow = (g: LineageEntry) => (
      <li key={g.id} data-testid="lineage-row" data-cause={g.cause} data-genome-id={g.id} className="border-l-2 border-edge py-0.5 pl-2">
        <button type="button" aria-expanded={open === g.id} onClick={() => toggle(g.id)} className="flex w-full flex-wrap items-center gap-x-2 gap-y-1 text-left hover:bg-phosphor/5">
          <span className="font-bold text-phosphor">#{g.generation}</span>
          <CauseBadge cause={g.cause} />
          <FitnessText fitness={g.fitness} compact />
          {g.live ? <span className="border border-phosphor px-1 text-[10px] leading-4 font-bold text-phosphor">LIVE</span> : null}
          <span className="min-w-0 flex-1 truncate text-soft" title={withoutEmptyCode(g.summary)}>
            {withoutEmptyCode(g.summary)}
          </span>
          <span className="text-muted">{shortId(g.id)}</span>
        </button>
        {open === g.id ? (
          <div className="mt-1">
            <AncestorDiff api={api} id={g.id} />
          </div>
        ) : null}
      </li>
  );
  return (
    <div>
      <h3 className="mb-1 text-[11px] tracking-[0.2em] text-muted uppercase">Lineage of the best genome</h3>
      <ol className="flex flex-col text-xs" aria-label="Lineage, newest first">
        {collapseFailed(entries).map((row) => {
          if (row.kind === 'genome') return genomeRow(row.entry);
          // A stretch of generations that failed (chaos until a heal): one row, unfolded on a click.
          const key = row.entries[0]!.id;
          const isOpen = unfolded.has(key);
          return (
            <li key={`failed-${key}`} data-testid="lineage-failed" data-count={row.entries.length} className="border-l-2 border-dashed border-sick/50 py-0.5 pl-2">
              <button
                type="button"
                aria-expanded={isOpen}
                onClick={() => setUnfolded((s) => new Set(isOpen ? [...s].filter((k) => k !== key) : [...s, key]))}
                className="w-full text-left text-muted hover:bg-phosphor/5"
              >
                {isOpen ? '▾' : '▸'} {describeFailed(row.entries)}
              </button>
              {isOpen ? <ol className="mt-0.5 flex flex-col">{row.entries.map(genomeRow)}</ol> : null}
            </li>
          );
        })}
      </ol>
      {truncated ? <p className="mt-1 text-[11px] text-muted">older ancestors are in the mutation history</p> : null}
    </div>
  );
}
