'use client';

import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { formatClock, formatMs } from '@/lib/format';
import type { EvolutionRun } from '@ouroboros/contract';
import { Note } from '@/ui/shell/Panel';
import { FitnessText } from './FitnessText';

const CHART_HEIGHT = 180;
const RECENT_CANDIDATES = 6;

const STATE_TEXT: Record<EvolutionRun['state'], string> = {
  running: 'text-healing',
  finished: 'text-healthy',
  cancelled: 'text-paused',
  failed: 'text-sick',
};

function speedup(run: EvolutionRun): string | null {
  const base = run.baseline;
  const best = run.best.fitness;
  if (!base || !best || base.gate !== 'passed' || best.gate !== 'passed' || run.accepted === 0) return null;
  return `${(base.timeMs / best.timeMs).toFixed(2)}x`;
}

/** An evolution run: its state and counts, the best fitness over time and the newest candidates. */
export function Progress({ run, chartWidth }: { run: EvolutionRun; chartWidth?: number | undefined }) {
  const data = run.bestOverTime.map((p) => ({ generation: p.generation, live: p.liveMs, best: p.bestMs }));
  const chart = (
    <LineChart data={data} margin={{ top: 8, right: 12, bottom: 4, left: 0 }} {...(chartWidth ? { width: chartWidth, height: CHART_HEIGHT } : {})}>
      <CartesianGrid stroke="#1b4430" strokeDasharray="2 4" />
      <XAxis dataKey="generation" stroke="#76a88a" tick={{ fontSize: 11 }} tickLine={false} allowDecimals={false} />
      <YAxis stroke="#76a88a" tick={{ fontSize: 11 }} tickLine={false} width={52} tickFormatter={(v: number) => formatMs(v)} />
      <Tooltip formatter={(v) => formatMs(Number(v))} labelFormatter={(g) => `generation ${String(g)}`} contentStyle={{ background: '#020604', border: '1px solid #1b4430', fontSize: 12 }} />
      <Legend wrapperStyle={{ fontSize: 11 }} />
      <Line type="stepAfter" dataKey="live" name="live genome" stroke="#3dff8f" strokeWidth={1.5} isAnimationActive={false} />
      <Line type="linear" dataKey="best" name="best candidate" stroke="#4ee8ff" strokeDasharray="4 3" strokeWidth={1} isAnimationActive={false} />
    </LineChart>
  );
  const up = speedup(run);
  const recent = run.candidates.slice(-RECENT_CANDIDATES).reverse();
  return (
    <div data-testid="evolution-progress" data-state={run.state} className="flex flex-col gap-2 text-xs">
      <p className="flex flex-wrap items-center gap-x-3 gap-y-1">
        <span className={`font-bold uppercase ${STATE_TEXT[run.state]}`} data-testid="evolution-state">
          {run.state}
        </span>
        <span data-testid="evolution-generation">
          generation {run.generation} of {run.settings.generations}
        </span>
        <span data-testid="evolution-counts">
          {run.candidatesTried} tried · <span className="text-healthy">{run.accepted} accepted</span> · {run.refused} refused
        </span>
        <span className="text-muted">
          {run.settings.sources.join(' + ')} · margin {Math.round(run.settings.margin * 100)}% · since {formatClock(run.startedAt)}
        </span>
      </p>
      <p className="flex flex-wrap gap-x-3 text-soft">
        <span>
          start: <FitnessText fitness={run.baseline} />
        </span>
        <span>
          best: <FitnessText fitness={run.best.fitness} />
        </span>
        {up ? (
          <span data-testid="evolution-speedup" className="font-bold text-healthy">
            {up} faster
          </span>
        ) : null}
      </p>
      {run.endReason ? <p className="text-muted">{run.endReason}</p> : null}
      {data.length > 0 ? (
        <div className="w-full" style={{ height: CHART_HEIGHT }} role="img" aria-label={`Best fitness over ${data.length} generation points`} data-testid="evolution-chart">
          {chartWidth ? chart : <ResponsiveContainer width="100%" height={CHART_HEIGHT} initialDimension={{ width: 600, height: CHART_HEIGHT }}>{chart}</ResponsiveContainer>}
        </div>
      ) : (
        <Note>Measuring the live genome…</Note>
      )}
      {recent.length > 0 ? (
        <ol className="flex flex-col gap-0.5" aria-label="Recent candidates, newest first">
          {recent.map((c) => (
            <li key={c.n} data-testid="candidate" data-outcome={c.outcome} className="truncate" title={`${c.summary}\n${c.reason}`}>
              <span className="text-muted">#{c.n}</span> <span className="text-soft">{c.source}</span>{' '}
              <span className={c.outcome === 'accepted' ? 'font-bold text-healthy' : c.outcome === 'refused' ? 'text-sick' : 'text-healing'}>{c.outcome}</span>{' '}
              <span className="text-muted">({c.stage})</span> {c.reason}
            </li>
          ))}
        </ol>
      ) : null}
    </div>
  );
}
