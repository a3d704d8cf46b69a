/**
 * The lineage of the best genome as the evolution panel tells it: the ancestors that held, with each stretch of
 * generations that failed (chaos that broke the genome until a heal repaired it) folded into one row.
 */
import type { LineageEntry } from '@ouroboros/contract';

export type LineageRow = { kind: 'genome'; entry: LineageEntry } | { kind: 'failed'; entries: LineageEntry[] };

/** Folds each run of consecutive failed generations (never the live one) into one row, keeping the order. */
export function collapseFailed(entries: readonly LineageEntry[]): LineageRow[] {
  const rows: LineageRow[] = [];
  for (const entry of entries) {
    if (entry.healthy !== false || entry.live) {
      rows.push({ kind: 'genome', entry });
      continue;
    }
    const last = rows.at(-1);
    if (last?.kind === 'failed') last.entries.push(entry);
    else rows.push({ kind: 'failed', entries: [entry] });
  }
  return rows;
}

/** "3 failed generations (#5–#9: chaos)", for a folded row. */
export function describeFailed(entries: readonly LineageEntry[]): string {
  const generations = entries.map((e) => e.generation);
  const span = generations.length === 1 ? `#${generations[0]}` : `#${Math.min(...generations)}–#${Math.max(...generations)}`;
  const causes = [...new Set(entries.map((e) => e.cause))].join(', ');
  return `${entries.length} failed generation${entries.length === 1 ? '' : 's'} (${span}: ${causes})`;
}
