/** The gauntlet's table: per organism and chaos type, and the genomes left behind. */
import { percentile } from '../../src/lib/percentile.js';
import type { InjectionRecord } from './inject.js';

export interface LeftBehind {
  organism: string;
  genomes: number;
  byCause: Record<string, number>;
  generation: number;
  genomeId: string;
  state: string;
}

type Align = 'left' | 'right';

/** A markdown table whose columns are padded, so it reads the same in a terminal and in a README. */
export function markdownTable(header: string[], rows: string[][], align: Align[]): string {
  const widths = header.map((h, i) => Math.max(h.length, 3, ...rows.map((r) => (r[i] ?? '').length)));
  const pad = (s: string, i: number) => (align[i] === 'right' ? s.padStart(widths[i]!) : s.padEnd(widths[i]!));
  const line = (cells: string[]) => `| ${cells.map((c, i) => pad(c, i)).join(' | ')} |`;
  const rule = `|${widths.map((w, i) => (align[i] === 'right' ? `${'-'.repeat(w + 1)}:` : `${'-'.repeat(w + 2)}`)).join('|')}|`;
  return [line(header), rule, ...rows.map(line)].join('\n');
}

const ms = (values: number[]): string => {
  if (values.length === 0) return '-';
  return `${percentile(values, 50)} / ${percentile(values, 95)}`;
};

function summaryRow(label: [string, string], records: InjectionRecord[]): string[] {
  const injected = records.filter((r) => r.chaos !== undefined);
  const detected = injected.filter((r) => r.verdict !== undefined);
  const equivalent = injected.filter((r) => r.outcome === 'equivalent');
  const healed = injected.filter((r) => r.outcome === 'healed');
  return [
    ...label,
    String(injected.length),
    String(detected.length),
    String(equivalent.length),
    String(healed.length),
    ms(detected.map((r) => r.detectMs!)),
    ms(healed.map((r) => r.healMs!)),
  ];
}

export function resultsTable(records: InjectionRecord[], organisms: string[], types: string[]): string {
  const rows: string[][] = [];
  for (const organism of organisms) {
    for (const type of types) {
      const mine = records.filter((r) => r.organism === organism && r.type === type);
      if (mine.length > 0) rows.push(summaryRow([organism, type], mine));
    }
  }
  rows.push(summaryRow(['**total**', ''], records));
  return markdownTable(
    ['organism', 'type', 'injected', 'detected', 'equivalent', 'healed', 'detect ms p50 / p95', 'heal ms p50 / p95'],
    rows,
    ['left', 'left', 'right', 'right', 'right', 'right', 'right', 'right'],
  );
}

/** One line per chaos type over every organism: the short version of the table. */
export function byTypeTable(records: InjectionRecord[], types: string[]): string {
  const rows = types
    .map((type) => records.filter((r) => r.type === type))
    .filter((mine) => mine.length > 0)
    .map((mine) => summaryRow([mine[0]!.type, ''], mine).filter((_, i) => i !== 1));
  rows.push(summaryRow(['**total**', ''], records).filter((_, i) => i !== 1));
  return markdownTable(
    ['type', 'injected', 'detected', 'equivalent', 'healed', 'detect ms p50 / p95', 'heal ms p50 / p95'],
    rows,
    ['left', 'right', 'right', 'right', 'right', 'right', 'right'],
  );
}

export function leftBehindTable(left: LeftBehind[]): string {
  const ORDER = ['seed', 'chaos', 'heal', 'rollback'];
  const rank = (c: string) => (ORDER.includes(c) ? ORDER.indexOf(c) : ORDER.length);
  const causes = [...new Set(left.flatMap((l) => Object.keys(l.byCause)))].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  return markdownTable(
    ['organism', 'genomes', ...causes, 'live generation', 'live genome', 'state'],
    left.map((l) => [l.organism, String(l.genomes), ...causes.map((c) => String(l.byCause[c] ?? 0)), String(l.generation), l.genomeId, l.state]),
    ['left', 'right', ...causes.map((): Align => 'right'), 'right', 'left', 'left'],
  );
}

/** Lines about what the table does not show: failures, surprises and skipped injections. */
export function notes(records: InjectionRecord[]): string[] {
  const out: string[] = [];
  const tag = (r: InjectionRecord) => `${r.organism} ${r.type} (round ${r.round}, seed ${r.seed})`;
  for (const r of records.filter((x) => x.outcome === 'not-healed')) {
    out.push(`NOT HEALED: ${tag(r)}: ${r.chaos!.description} -> ${r.verdict}; chaos genome ${r.chaos!.genomeId} (generation ${r.chaos!.generation}), live genome ${r.liveGenomeId}; ${r.note ?? ''}`.trim());
  }
  for (const r of records.filter((x) => x.outcome === 'undetected' || x.outcome === 'skipped')) {
    out.push(`${r.outcome.toUpperCase()}: ${tag(r)}${r.chaos ? `: ${r.chaos.description}, chaos genome ${r.chaos.genomeId}` : ''}; ${r.note ?? ''}`);
  }
  for (const r of records.filter((x) => x.verdict !== undefined && !x.promised)) {
    out.push(`unpromised verdict: ${tag(r)}: ${r.verdict}, the operator promised ${r.chaos!.expect.join(' or ')} (${r.chaos!.description})`);
  }
  const na = records.filter((x) => x.outcome === 'not-applicable');
  if (na.length > 0) out.push(`not applicable (no place in the live genome): ${na.map(tag).join(', ')}`);
  return out;
}
