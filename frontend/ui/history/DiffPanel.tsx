import type { GenomeDetail } from '@ouroboros/contract';
import { parseUnifiedDiff } from '@/lib/diff';
import { formatDateTime, shortId, withoutEmptyCode } from '@/lib/format';
import { Note, Panel } from '@/ui/shell/Panel';
import { CauseBadge } from '@/ui/shell/badges';
import { DiffBody } from '@/ui/shell/DiffBody';
import { TrustSection } from '@/ui/vitals/TrustSection';

export interface DiffSelection {
  /** The selected genome id, null when nothing is selected yet. */
  id: string | null;
  detail: GenomeDetail | null;
  loading: boolean;
  error: string | null;
}

/** The selected generation's unified diff against its parent, coloured line by line. */
export function DiffPanel({ selection }: { selection: DiffSelection }) {
  const { id, detail, loading, error } = selection;
  const title = 'Diff viewer';
  if (id === null) {
    return (
      <Panel title={title} testId="diff">
        <Note>Select a generation in the history to see what changed.</Note>
      </Panel>
    );
  }
  if (error) {
    return (
      <Panel title={title} testId="diff">
        <Note tone="error">
          Cannot load genome {shortId(id)}: {error} Trying again at the next poll.
        </Note>
      </Panel>
    );
  }
  if (!detail || detail.id !== id) {
    return (
      <Panel title={title} testId="diff">
        <Note>{loading ? `Loading genome ${shortId(id)}…` : `Genome ${shortId(id)} is not loaded.`}</Note>
      </Panel>
    );
  }

  const parsed = parseUnifiedDiff(detail.diff);
  return (
    <Panel
      title={title}
      testId="diff"
      extra={
        parsed.hunks > 0 ? (
          <span>
            <span className="text-healthy">+{parsed.added}</span> <span className="text-sick">-{parsed.removed}</span>
          </span>
        ) : null
      }
    >
      <div className="mb-2 flex flex-wrap items-center gap-2 text-xs" data-testid="diff-header" data-genome-id={detail.id}>
        <span className="font-bold text-phosphor">generation #{detail.generation}</span>
        <CauseBadge cause={detail.cause} />
        <span className="text-muted">
          {detail.parentId ? `vs parent ${shortId(detail.parentId)}` : 'no parent'} · {formatDateTime(detail.createdAt)}
        </span>
        <span className="w-full break-words text-soft">{withoutEmptyCode(detail.summary)}</span>
      </div>
      <TrustSection genome={detail} />
      {parsed.hunks === 0 ? (
        <Note>
          {detail.parentId === null
            ? 'This is the seed genome: it has no parent to differ from.'
            : 'Identical to its parent: the source did not change.'}
        </Note>
      ) : (
        <DiffBody parsed={parsed} testId="diff-body" />
      )}
    </Panel>
  );
}
