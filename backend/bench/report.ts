/** Renders the results as BENCHMARKS.md and as a summary for the terminal. */
import os from 'node:os';
import { findingFor } from './findings.js';
import { BENCH_IDS, isSummary, type Figure, type Section } from './model.js';
import { fmt, type Summary } from './stats.js';

export interface Machine {
  cpu: string;
  cores: number;
  ramGiB: number;
  node: string;
  os: string;
}

export function machine(): Machine {
  return {
    cpu: os.cpus()[0]?.model.trim() ?? 'unknown',
    cores: os.cpus().length,
    ramGiB: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
    os: `${os.type()} ${os.release()}`,
  };
}

export interface RunInfo {
  command: string;
  date: Date;
  elapsedS: number;
  machine: Machine;
  loadBefore: number[];
  loadAfter: number[];
}

const withUnit = (v: number, unit: string) => (Number.isFinite(v) ? `${fmt(v)} ${unit}` : '–');

function value(v: Summary | number, unit: string): string {
  return isSummary(v) ? `${withUnit(v.median, unit)} / ${withUnit(v.p95, unit)}` : withUnit(v, unit);
}

function ratios(f: Figure): string {
  const r = f.ratio;
  if (!r) return '';
  if (r.value !== undefined) return `×${fmt(r.value)}`;
  const parts = [r.median, r.p95].map((x) => (x === undefined ? '–' : `×${fmt(x)}`));
  return parts.join(' / ');
}

function met(f: Figure): string {
  if (!f.target) return '';
  return f.target.met ? `✅ ${f.target.text}` : `❌ ${f.target.text}`;
}

function figureTable(figures: Figure[]): string[] {
  const hasP99 = figures.some((f) => isSummary(f.value) && f.id.startsWith('api.'));
  const head = hasP99
    ? ['Figure', 'n', 'median / p95', 'p99', 'Baseline', 'Baseline median / p95 (p99)', 'Ratio median / p95 (p99)', 'Target']
    : ['Figure', 'n', 'median / p95', 'Baseline', 'Baseline median / p95', 'Ratio median / p95', 'Target'];
  const rows = figures.map((f) => {
    const n = isSummary(f.value) ? String(f.value.n) : '';
    const base = f.baseline ? value(f.baseline.value, f.baseline.unit ?? f.unit) : '';
    if (hasP99) {
      const p99 = isSummary(f.value) ? withUnit(f.value.p99, f.unit) : '';
      const bp99 = f.baseline && isSummary(f.baseline.value) ? ` (${withUnit(f.baseline.value.p99, f.unit)})` : '';
      const rp99 = f.ratio?.p99 !== undefined ? ` (×${fmt(f.ratio.p99)})` : '';
      return [f.label, n, value(f.value, f.unit), p99, f.baseline?.label ?? '', base + bp99, ratios(f) + rp99, met(f)];
    }
    return [f.label, n, value(f.value, f.unit), f.baseline?.label ?? '', base, ratios(f), met(f)];
  });
  return [
    `| ${head.join(' | ')} |`,
    `| ${head.map(() => '---').join(' | ')} |`,
    ...rows.map((r) => `| ${r.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`),
  ];
}

function figureNotes(figures: Figure[]): string[] {
  const notes = figures.filter((f) => f.note).map((f) => `- ${f.label}: ${f.note}`);
  return notes.length ? ['', ...notes] : [];
}

const ORDER = BENCH_IDS;

export function renderMarkdown(sections: Section[], info: RunInfo): string {
  const sorted = [...sections].sort((a, b) => ORDER.indexOf(a.id) - ORDER.indexOf(b.id));
  const targets = sorted.flatMap((s) => s.figures.filter((f) => f.target).map((f) => ({ s, f })));
  const m = info.machine;
  const out: string[] = [
    '# Benchmarks',
    '',
    `Measured by \`${info.command}\` (backend/bench/run.ts), ${info.date.toISOString().replace(/\.\d+Z$/, 'Z')}, in ${Math.floor(info.elapsedS / 60)} min ${Math.round(info.elapsedS % 60)} s. This file is rewritten by every full run; don't edit it by hand.`,
    '',
    '| Machine | |',
    '| --- | --- |',
    `| CPU | ${m.cpu}, ${m.cores} cores |`,
    `| RAM | ${m.ramGiB} GiB |`,
    `| Node | ${m.node} |`,
    `| OS | ${m.os} |`,
    `| Load average (1, 5, 15 min) | ${info.loadBefore.map((l) => l.toFixed(2)).join(', ')} before the run, ${info.loadAfter.map((l) => l.toFixed(2)).join(', ')} after |`,
    '',
    'Each figure is a sample summarised by its median and p95 (nearest rank, src/lib/percentile.ts), or one value where a sample makes no sense (throughput, RSS). Each is compared with a baseline measured in the same run, on the same machine, interleaved with it where possible: the ratio is figure / baseline. The machine is shared and noisy, so read the ratios rather than the times. Run one part with `pnpm bench -- --only detect,heal` (ids: ' +
      ORDER.join(', ') +
      '); `--tiny` is the size the test suite uses.',
    '',
    // The load after the run is mostly the benchmark's own (the memory run drives the organism loop flat out): only
    // the load before it says whether other work shared the machine.
    ...(info.loadBefore[0]! > m.cores / 2
      ? [
          `**This run shared the machine**: the load average was ${info.loadBefore[0]!.toFixed(1)} before it started, on ${m.cores} cores (other work was running). Absolute times are inflated and their tails above all; the ratios to the baselines measured alongside are the figures to read, and a missed target whose baseline is inflated too says as much about the machine as about the code.`,
          '',
        ]
      : [`The machine was quiet when the run started (load average ${info.loadBefore[0]!.toFixed(1)} on ${m.cores} cores); the load after it is the benchmark's own.`, '']),
    '## Targets',
    '',
    '| Benchmark | Figure | Value | Baseline | Ratio | Target |',
    '| --- | --- | --- | --- | --- | --- |',
    ...targets.map(({ s, f }) =>
      `| ${s.title} | ${f.label} | ${headline(f, f.value)} | ${f.baseline ? `${f.baseline.label}: ${headline(f, f.baseline.value, f.baseline.unit)}` : ''} | ${ratios(f)} | ${met(f)} |`.replace(/\n/g, ' '),
    ),
    '',
    `${targets.filter((t) => t.f.target!.met).length} of ${targets.length} targets met.`,
  ];
  for (const s of sorted) {
    out.push('', `## ${s.title}`, '');
    out.push(...s.method.map((p) => `${p}\n`));
    out.push(`Parameters: ${Object.entries(s.params).map(([k, v]) => `${k} ${v}`).join('; ')}. Took ${Math.round(s.elapsedS)} s.`, '');
    out.push(...figureTable(s.figures));
    out.push(...figureNotes(s.figures));
    if (s.notes.length) out.push('', ...s.notes.map((n) => `- ${n}`));
    const missed = s.figures.filter((f) => f.target && !f.target.met);
    if (missed.length) {
      out.push('', '### Why targets were missed', '');
      // Figures that miss for the same reason share one explanation.
      const byFinding = new Map<string, Figure[]>();
      for (const f of missed) byFinding.set(findingFor(f.id), [...(byFinding.get(findingFor(f.id)) ?? []), f]);
      for (const [finding, figs] of byFinding) {
        const which = figs.map((f) => `**${f.label.replace(/\*\*/g, '')}** (${value(f.value, f.unit)}, ${ratios(f)})`).join(', ');
        out.push(`- ${which}: ${finding}`);
      }
    }
  }
  return `${out.join('\n').replace(/\n{3,}/g, '\n\n')}\n`;
}

/** The terminal's summary: one line a figure. */
export function renderSummary(sections: Section[]): string {
  const lines: string[] = [];
  for (const s of [...sections].sort((a, b) => ORDER.indexOf(a.id) - ORDER.indexOf(b.id))) {
    lines.push(`${s.title} (${Math.round(s.elapsedS)} s)`);
    for (const f of s.figures) {
      const mark = f.target ? (f.target.met ? 'ok  ' : 'MISS') : '    ';
      const base = f.baseline ? ` vs ${f.baseline.label.replace(/`/g, '')} ${headline(f, f.baseline.value, f.baseline.unit)}` : '';
      lines.push(`  ${mark} ${f.label.replace(/\*\*|`/g, '')}: ${headline(f, f.value)}${base} ${ratios(f)}${f.target ? ` [${f.target.text}]` : ''}`);
    }
  }
  return lines.join('\n');
}

/** median / p95, and the p99 too where the target is on the p99 (otherwise the headline would not show it). */
function headline(f: Figure, v: Figure['value'], unit?: string): string {
  const u = unit ?? f.unit;
  return f.target?.text.startsWith('p99') && isSummary(v) ? `${value(v, u)}, p99 ${withUnit(v.p99, u)}` : value(v, u);
}
