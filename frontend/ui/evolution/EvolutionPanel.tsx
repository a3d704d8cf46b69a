'use client';

import { useCallback, useEffect, useRef, useState } from 'react';
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { ApiError, errorMessage, type ApiClient, type EvolveOptions } from '@/lib/api';
import { parseUnifiedDiff } from '@/lib/diff';
import { collapseFailed, describeFailed } from '@/lib/lineage';
import { formatClock, formatMs, shortId, withoutEmptyCode } from '@/lib/format';
import type { EvolutionRun, EvolutionView, Fitness, GenomeDetail, LineageEntry } from '@/lib/schemas';
import { Note, Panel } from '@/ui/shell/Panel';
import { CauseBadge } from '@/ui/shell/badges';
import { DIFF_LINE_STYLE } from '@/ui/history/diff-style';

export const EVOLUTION_POLL_MS = 1000;
export const EVOLUTION_IDLE_POLL_MS = 5000;
const CHART_HEIGHT = 180;
const RECENT_CANDIDATES = 6;

/** "123 ms · 302 tokens", "gate failed: …" or "not measured": a fitness in a few words. */
export function FitnessText({ fitness, compact = false }: { fitness: Fitness | null | undefined; compact?: boolean }) {
  if (fitness === null || fitness === undefined) {
    return (
      <span data-testid="fitness" data-gate="none" className="text-muted">
        {compact ? 'fitness pending' : 'fitness not measured yet'}
      </span>
    );
  }
  if (fitness.gate === 'failed') {
    return (
      <span data-testid="fitness" data-gate="failed" className="text-sick" title={fitness.reason}>
        gate failed{compact ? '' : `: ${fitness.reason}`}
      </span>
    );
  }
  return (
    <span data-testid="fitness" data-gate="passed" className="text-cyan" title={fitness.inputs.map((i) => `${i.name}: ${formatMs(i.medianMs)}`).join('\n')}>
      {formatMs(fitness.timeMs)} · {fitness.codeSize} tokens
    </span>
  );
}

function InlineDiff({ diff }: { diff: string }) {
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

function Progress({ run, chartWidth }: { run: EvolutionRun; chartWidth?: number | undefined }) {
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

function Lineage({ entries, truncated, loadGenome }: { entries: LineageEntry[]; truncated: boolean; loadGenome: (id: string) => Promise<GenomeDetail> }) {
  const [open, setOpen] = useState<string | null>(null);
  const [details, setDetails] = useState<Record<string, GenomeDetail | string>>({});
  const toggle = (id: string) => {
    setOpen((o) => (o === id ? null : id));
    if (details[id] !== undefined) return;
    loadGenome(id).then(
      (d) => setDetails((m) => ({ ...m, [id]: d })),
      (e: unknown) => setDetails((m) => ({ ...m, [id]: errorMessage(e) })),
    );
  };
  const [unfolded, setUnfolded] = useState<ReadonlySet<string>>(new Set());
  const genomeRow = (g: LineageEntry) => {
    const detail = details[g.id];
    return (
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
            {detail === undefined ? <Note>Loading its diff…</Note> : typeof detail === 'string' ? <Note tone="error">{detail}</Note> : <InlineDiff diff={detail.diff} />}
          </div>
        ) : null}
      </li>
    );
  };
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

/**
 * Evolution: an Evolve control, the run's progress (best fitness over time) and the lineage of the best genome,
 * each ancestor with its cause, its fitness and, on a click, its diff. Polls GET /evolution itself: every second
 * while a run is on, every five otherwise, never while the tab is hidden.
 */
export function EvolutionPanel({
  api,
  disabled = false,
  act,
  intervalMs = EVOLUTION_POLL_MS,
  idleIntervalMs = EVOLUTION_IDLE_POLL_MS,
  chartWidth,
}: {
  api: ApiClient;
  disabled?: boolean;
  /** Wraps an action (the dashboard asks for the token on a 401 and polls again). */
  act?: <T>(action: () => Promise<T>) => Promise<T>;
  intervalMs?: number;
  idleIntervalMs?: number;
  /** Fixed chart width in px (tests); by default the chart fills the panel. */
  chartWidth?: number;
}) {
  const supported = typeof api.evolution === 'function';
  const [view, setView] = useState<EvolutionView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState<'start' | 'cancel' | null>(null);
  const [refusal, setRefusal] = useState<string | null>(null);
  const [generations, setGenerations] = useState<string>('');
  const [population, setPopulation] = useState<string>('');
  const [useLlm, setUseLlm] = useState(true);
  const pollNow = useRef<() => void>(() => {});

  useEffect(() => {
    setView(null);
    setError(null);
    setRefusal(null);
    if (!supported) return;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | null = null;
    const controller = new AbortController();
    const hidden = () => typeof document !== 'undefined' && document.visibilityState === 'hidden';
    const schedule = (running: boolean) => {
      if (timer !== null) clearTimeout(timer);
      if (!stopped) timer = setTimeout(() => void tick(), running ? intervalMs : idleIntervalMs);
    };
    const tick = async () => {
      timer = null;
      if (stopped) return;
      if (hidden()) return schedule(false);
      let running = false;
      try {
        const v = await api.evolution!(controller.signal);
        if (stopped) return;
        running = v.running;
        setView(v);
        setError(null);
      } catch (e) {
        if (stopped) return;
        setError(errorMessage(e));
      }
      schedule(running);
    };
    pollNow.current = () => {
      if (timer !== null) clearTimeout(timer);
      void tick();
    };
    void tick();
    return () => {
      stopped = true;
      if (timer !== null) clearTimeout(timer);
      controller.abort();
      pollNow.current = () => {};
    };
  }, [api, supported, intervalMs, idleIntervalMs]);

  const run = useCallback(
    async (kind: 'start' | 'cancel') => {
      setPending(kind);
      setRefusal(null);
      try {
        const action = () => {
          if (kind === 'cancel') return api.cancelEvolution!();
          const options: EvolveOptions = {};
          const g = Number.parseInt(generations, 10);
          const p = Number.parseInt(population, 10);
          if (Number.isInteger(g) && g > 0) options.generations = g;
          if (Number.isInteger(p) && p > 0) options.population = p;
          if (view?.sources.includes('llm') && !useLlm) options.sources = ['operators'];
          return api.evolve!(options);
        };
        await (act ? act(action) : action());
      } catch (e) {
        setRefusal(`${e instanceof ApiError && e.status !== null ? `HTTP ${e.status}: ` : ''}${errorMessage(e)}`);
      } finally {
        setPending(null);
        pollNow.current();
      }
    },
    [act, api, generations, population, useLlm, view],
  );

  if (!supported) {
    return (
      <Panel title="Evolution" testId="evolution">
        <Note>This backend does not offer evolution.</Note>
      </Panel>
    );
  }

  const running = view?.running ?? false;
  const last = view?.run ?? null;
  return (
    <Panel
      title="Evolution"
      testId="evolution"
      extra={
        view ? (
          <span>
            live #{view.live.generation}: <FitnessText fitness={view.live.fitness} compact />
          </span>
        ) : null
      }
    >
      <div className="flex flex-col gap-3">
        {error ? <Note tone="error">{error}</Note> : null}
        {view === null ? (
          error ? null : <Note>Loading evolution…</Note>
        ) : !view.available ? (
          <Note>This organism cannot evolve: {view.unavailable}</Note>
        ) : (
          <>
            <form
              className="flex flex-wrap items-end gap-2 text-xs"
              onSubmit={(e) => {
                e.preventDefault();
                void run('start');
              }}
            >
              <label className="flex flex-col gap-0.5 text-muted">
                generations
                <input
                  type="number"
                  min={1}
                  max={1000}
                  value={generations}
                  placeholder={String(view.defaults.generations)}
                  onChange={(e) => setGenerations(e.target.value)}
                  className="w-20 border border-edge bg-void px-1 py-0.5 text-soft"
                />
              </label>
              <label className="flex flex-col gap-0.5 text-muted">
                population
                <input
                  type="number"
                  min={1}
                  max={100}
                  value={population}
                  placeholder={String(view.defaults.population)}
                  onChange={(e) => setPopulation(e.target.value)}
                  className="w-20 border border-edge bg-void px-1 py-0.5 text-soft"
                />
              </label>
              {view.sources.includes('llm') ? (
                <label className="flex items-center gap-1 text-muted">
                  <input type="checkbox" checked={useLlm} onChange={(e) => setUseLlm(e.target.checked)} /> LLM
                </label>
              ) : (
                <span className="text-muted" title="Set LLM_BASE_URL and LLM_MODEL for the LLM source">
                  built-in operators only (no LLM)
                </span>
              )}
              <button
                type="submit"
                data-testid="evolve-button"
                disabled={disabled || running || pending !== null}
                className="border border-healing/70 px-3 py-1 font-bold text-healing uppercase hover:bg-healing/15 disabled:cursor-not-allowed disabled:opacity-40"
              >
                {pending === 'start' ? '…' : 'Evolve'}
              </button>
              {running ? (
                <button
                  type="button"
                  data-testid="cancel-evolution"
                  disabled={disabled || pending !== null}
                  onClick={() => void run('cancel')}
                  className="border border-sick/70 px-3 py-1 text-sick uppercase hover:bg-sick/15 disabled:cursor-not-allowed disabled:opacity-40"
                >
                  {pending === 'cancel' ? '…' : 'Cancel'}
                </button>
              ) : null}
            </form>
            {refusal ? (
              <div role="alert" data-testid="evolve-feedback" className="border border-sick/60 bg-sick/10 p-2 text-xs text-soft">
                {refusal}
              </div>
            ) : null}
            {last ? <Progress run={last} chartWidth={chartWidth} /> : <Note>No evolution run yet: press Evolve to look for a faster genome.</Note>}
            <Lineage entries={view.lineage} truncated={view.lineageTruncated} loadGenome={(id) => api.genome(id)} />
          </>
        )}
      </div>
    </Panel>
  );
}
