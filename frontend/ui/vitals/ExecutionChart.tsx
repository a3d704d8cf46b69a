'use client';

import {
  CartesianGrid,
  Line,
  LineChart,
  ReferenceLine,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
  type DotItemDotProps,
} from 'recharts';
import type { Run, Verdict } from '@ouroboros/contract';
import { formatClock, formatMs } from '@/lib/format';
import { Note, Panel } from '@/ui/shell/Panel';
import { runNumber, VERDICT_COLOR } from '@/ui/shell/badges';

interface Point {
  id: number;
  /** The organism's own run number: the x-axis counts as the Runs figure does. */
  number: number;
  durationMs: number;
  verdict: Verdict;
  generation: number;
  startedAt: string;
  error: string | null;
}

const HEIGHT = 240;

function RunDot(props: DotItemDotProps) {
  const { cx, cy, payload } = props;
  const p = payload as Point | undefined;
  if (cx === undefined || cy === undefined || !p) return null;
  const key = `dot-${p.id}`;
  if (p.verdict === 'ok') {
    return <circle key={key} cx={cx} cy={cy} r={2} fill="#3dff8f" data-run-id={p.id} data-run-number={p.number} data-verdict="ok" />;
  }
  // Failures: a larger ring plus a cross, in the verdict's colour.
  const c = VERDICT_COLOR[p.verdict];
  return (
    <g key={key} data-run-id={p.id} data-run-number={p.number} data-verdict={p.verdict} data-testid="failure-marker">
      <circle cx={cx} cy={cy} r={6} fill="#020604" stroke={c} strokeWidth={2} />
      <path d={`M${cx - 3} ${cy - 3}L${cx + 3} ${cy + 3}M${cx + 3} ${cy - 3}L${cx - 3} ${cy + 3}`} stroke={c} strokeWidth={1.5} />
    </g>
  );
}

function RunTooltip({ active, payload }: { active?: boolean; payload?: ReadonlyArray<{ payload?: unknown }> }) {
  const p = active && payload && payload[0] ? (payload[0].payload as Point | undefined) : undefined;
  if (!p) return null;
  return (
    <div className="max-w-64 border border-edge bg-void px-2 py-1 text-xs text-soft">
      <p>
        run #{p.number} · gen #{p.generation} · {formatClock(p.startedAt)}
      </p>
      <p>
        {formatMs(p.durationMs)} · <span style={{ color: VERDICT_COLOR[p.verdict] }}>{p.verdict}</span>
      </p>
      {p.error ? <p className="break-words text-sick">{p.error}</p> : null}
    </div>
  );
}

/** Execution time per run (the last runs kept by the poller), failures marked in their verdict's colour. */
export function ExecutionChart({
  runs,
  p95Ms,
  error,
  width,
}: {
  runs: Run[];
  p95Ms: number | null;
  error?: string | undefined;
  /** Fixed width in px (tests); by default the chart fills its panel. */
  width?: number;
}) {
  const data: Point[] = runs.map((r) => ({
    id: r.id,
    number: runNumber(r),
    durationMs: r.durationMs,
    verdict: r.verdict,
    generation: r.generation,
    startedAt: r.startedAt,
    error: r.error,
  }));
  const failed = data.filter((d) => d.verdict !== 'ok').length;

  const chart = (
    <LineChart data={data} margin={{ top: 8, right: 12, bottom: 4, left: 0 }} {...(width ? { width, height: HEIGHT } : {})}>
      <CartesianGrid stroke="#1b4430" strokeDasharray="2 4" />
      <XAxis dataKey="number" stroke="#76a88a" tick={{ fontSize: 11 }} tickLine={false} minTickGap={24} />
      <YAxis
        stroke="#76a88a"
        tick={{ fontSize: 11 }}
        tickLine={false}
        width={52}
        tickFormatter={(v: number) => (v >= 1000 ? `${(v / 1000).toFixed(1)}s` : `${Math.round(v)}ms`)}
      />
      <Tooltip content={<RunTooltip />} cursor={{ stroke: '#76a88a', strokeDasharray: '2 2' }} />
      {p95Ms !== null ? (
        <ReferenceLine
          y={p95Ms}
          stroke="#ffc23d"
          strokeDasharray="4 4"
          label={{ value: 'p95', fill: '#ffc23d', fontSize: 11, position: 'insideTopRight' }}
        />
      ) : null}
      <Line
        type="linear"
        dataKey="durationMs"
        stroke="#3dff8f"
        strokeWidth={1.5}
        dot={RunDot}
        activeDot={{ r: 4, fill: '#4ee8ff' }}
        isAnimationActive={false}
      />
    </LineChart>
  );

  return (
    <Panel
      title="Execution time"
      testId="chart"
      extra={
        data.length > 0 ? (
          <span data-testid="chart-summary">
            last {data.length} runs · <span className={failed > 0 ? 'text-sick' : ''}>{failed} failed</span>
          </span>
        ) : null
      }
    >
      {data.length === 0 ? (
        <Note>No runs yet</Note>
      ) : (
        <div className="w-full" style={{ height: HEIGHT }} role="img" aria-label={`Execution time of the last ${data.length} runs, ${failed} failed`}>
          {width ? chart : <ResponsiveContainer width="100%" height={HEIGHT} initialDimension={{ width: 600, height: HEIGHT }}>{chart}</ResponsiveContainer>}
        </div>
      )}
      <div className="mt-1 flex flex-wrap gap-x-3 text-[11px] text-muted">
        <span>
          <span className="text-healthy">●</span> ok
        </span>
        <span>
          <span className="text-sick">⊗</span> failure (colour = verdict)
        </span>
        {p95Ms !== null ? (
          <span>
            <span className="text-healing">--</span> p95 {formatMs(p95Ms)}
          </span>
        ) : null}
      </div>
      {error ? <Note tone="error">{error}</Note> : null}
    </Panel>
  );
}
