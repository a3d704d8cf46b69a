import type { ParsedDiff } from '@/lib/diff';
import { DIFF_LINE_STYLE } from './diff-style';

/** A parsed unified diff, coloured line by line with both line numbers: the history's diff and a proposal's. */
export function DiffBody({ parsed, testId, maxHeight = 'max-h-[28rem]' }: { parsed: ParsedDiff; testId?: string; maxHeight?: string }) {
  return (
    <pre data-testid={testId} className={`${maxHeight} overflow-auto border border-edge bg-void/80 py-1 text-xs leading-5`}>
      <code className="block min-w-max">
        {parsed.lines.map((l, i) => (
          <span key={i} data-kind={l.kind} className={`flex ${DIFF_LINE_STYLE[l.kind]}`}>
            <span aria-hidden="true" className="w-9 shrink-0 pr-1 text-right text-muted/70 select-none">
              {l.oldNo ?? ''}
            </span>
            <span aria-hidden="true" className="w-9 shrink-0 pr-2 text-right text-muted/70 select-none">
              {l.newNo ?? ''}
            </span>
            <span className="pr-3 whitespace-pre">{l.text === '' ? ' ' : l.text}</span>
          </span>
        ))}
      </code>
    </pre>
  );
}
