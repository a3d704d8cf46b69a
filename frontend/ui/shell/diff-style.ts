import type { DiffLineKind } from '@/lib/diff';

/** How each kind of diff line looks, wherever a diff is shown (history and evolution). */
export const DIFF_LINE_STYLE: Record<DiffLineKind, string> = {
  add: 'bg-healthy/10 text-healthy',
  del: 'bg-sick/10 text-sick',
  hunk: 'text-muted bg-cyan/5',
  file: 'text-muted font-bold',
  meta: 'text-muted italic',
  context: 'text-soft/80',
};
