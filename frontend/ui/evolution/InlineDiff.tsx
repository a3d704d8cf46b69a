import { parseUnifiedDiff } from '@/lib/diff';
import { DIFF_LINE_STYLE } from '@/ui/shell/diff-style';
import { Note } from '@/ui/shell/Panel';

/** A genome's diff against its parent, small enough to sit inside a lineage row. */
export function InlineDiff({ diff }: { diff: string }) {
  const parsed = parseUnifiedDiff(diff);
  if (parsed.hunks === 0) return <Note>No change against its parent.</Note>;
  return (
    <pre data-testid="lineage-diff" className="max-h-64 overflow-auto border border-edge bg-void/80 py-1 text-[11px] leading-5">
      <code className="block min-w-max">
        {parsed.lines.map((l, i) => (
          <span key={i} data-kind={l.kind} className={`block px-2 whitespace-pre ${DIFF_LINE_STYLE[l.kind]}`}>
            {l.text === '' ? ' ' : l.text}
          </span>
        ))}
      </code>
    </pre>
  );
}
