import type { Stats, Verdict } from '@ouroboros/contract';
import { VERDICTS } from '@ouroboros/contract';
import { formatMs, formatPercent, formatUptime } from '@/lib/format';
import { Note, Panel } from '@/ui/shell/Panel';
import { VERDICT_COLOR, VERDICT_TEXT } from '@/ui/shell/badges';

function rateTone(rate: number | null): string {
  if (rate === null) return 'text-muted';
  if (rate >= 0.95) return 'text-healthy';
  if (rate >= 0.75) return 'text-healing';
  return 'text-sick';
}

/** Success rate, runs, failures by verdict, uptime and timing figures. */
export function StatsPanel({
  stats,
  uptimeS,
  stale = false,
  error,
}: {
  stats: Stats | null;
  uptimeS: number | null;
  stale?: boolean;
  error?: string | undefined;
}) {
  if (!stats) {
    return (
      <Panel title="Statistics" testId="stats">
        {error ? <Note tone="error">{error}</Note> : <Note>Waiting for the first status from the backend…</Note>}
      </Panel>
    );
  }
  const failures: Verdict[] = VERDICTS.filter((v) => v !== 'ok');
  const maxCount = Math.max(1, ...failures.map((v) => stats.byVerdict[v]));
  return (
    <Panel
      title="Statistics"
      testId="stats"
      extra={
        <span data-testid="server-uptime" title="Time since the backend server started (not the organism's age: see its generation)">
          server up {formatUptime(uptimeS)}
        </span>
      }
    >
      <div className={`flex flex-col gap-3 ${stale ? 'opacity-60' : ''}`}>
        <div className="flex flex-wrap items-end gap-x-6 gap-y-2">
          <div>
            <p className="text-xs text-muted uppercase" title="Over every run of this organism, all generations">
              Success rate <span className="normal-case">(all runs)</span>
            </p>
            <p data-testid="success-rate" className={`text-3xl font-bold glow ${rateTone(stats.successRate)}`}>
              {formatPercent(stats.successRate)}
            </p>
          </div>
          <dl className="grid grid-cols-3 gap-x-4 text-sm">
            <div>
              <dt className="text-xs text-muted uppercase">Runs</dt>
              <dd data-testid="total-runs" className="text-soft">
                {stats.totalRuns}
              </dd>
            </div>
            <div>
              <dt className="text-xs text-muted uppercase">OK</dt>
              <dd className="text-healthy">{stats.successes}</dd>
            </div>
            <div>
              <dt className="text-xs text-muted uppercase">Failed</dt>
              <dd className={stats.failures > 0 ? 'text-sick' : 'text-soft'}>{stats.failures}</dd>
            </div>
          </dl>
        </div>

        {stats.totalRuns === 0 ? <Note>No runs yet</Note> : null}

        <dl className="grid grid-cols-3 gap-2 text-sm">
          <div className="border border-edge px-2 py-1">
            <dt className="text-[11px] text-muted uppercase">Last</dt>
            <dd className="text-soft">{formatMs(stats.lastMs)}</dd>
          </div>
          <div className="border border-edge px-2 py-1">
            <dt className="text-[11px] text-muted uppercase">Average</dt>
            <dd data-testid="avg-ms" className="text-soft">
              {formatMs(stats.avgMs)}
            </dd>
          </div>
          <div className="border border-edge px-2 py-1">
            <dt className="text-[11px] text-muted uppercase">p95</dt>
            <dd data-testid="p95-ms" className="text-soft">
              {formatMs(stats.p95Ms)}
            </dd>
          </div>
        </dl>

        <div>
          <p className="mb-1 text-xs text-muted uppercase">Failures by verdict</p>
          <ul className="flex flex-col gap-1 text-xs" data-testid="by-verdict">
            {failures.map((v) => {
              const n = stats.byVerdict[v];
              return (
                <li key={v} className="grid grid-cols-[5.5rem_1fr_3rem] items-center gap-2">
                  <span className={`uppercase ${n > 0 ? VERDICT_TEXT[v] : 'text-muted'}`}>{v}</span>
                  <span className="h-2 bg-edge/40" aria-hidden="true">
                    <span
                      className="block h-full"
                      style={{ width: `${(n / maxCount) * 100}%`, backgroundColor: VERDICT_COLOR[v] }}
                    />
                  </span>
                  <span data-testid={`verdict-${v}`} className={`text-right ${n > 0 ? 'text-soft' : 'text-muted'}`}>
                    {n}
                  </span>
                </li>
              );
            })}
          </ul>
        </div>
        {error ? <Note tone="error">{error}</Note> : null}
      </div>
    </Panel>
  );
}
