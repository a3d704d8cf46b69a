import { VERDICTS, type LlmBill as Bill, type Stats, type Verdict } from '@ouroboros/contract';
import { formatMs, formatPercent, formatUptime } from '@/lib/format';
import { Note, Panel } from '@/ui/shell/Panel';
import { Stat } from '@/ui/shell/Stat';
import { VERDICT_COLOR, VERDICT_TEXT } from '@/ui/shell/badges';
import { LlmBill } from './LlmBill';

function rateTone(rate: number | null): string {
  if (rate === null) return 'text-muted';
  if (rate >= 0.95) return 'text-healthy';
  if (rate >= 0.75) return 'text-healing';
  return 'text-sick';
}

/** Success rate, runs, failures by verdict, uptime and timing figures; what the LLM cost, when there is one. */
export function StatsPanel({
  stats,
  uptimeS,
  llm = null,
  stale = false,
  error,
}: {
  stats: Stats | null;
  uptimeS: number | null;
  llm?: Bill | null;
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
            <Stat label="Runs" testId="total-runs">
              {stats.totalRuns}
            </Stat>
            <Stat label="OK" valueClassName="text-healthy">
              {stats.successes}
            </Stat>
            <Stat label="Failed" valueClassName={stats.failures > 0 ? 'text-sick' : 'text-soft'}>
              {stats.failures}
            </Stat>
          </dl>
        </div>

        {stats.totalRuns === 0 ? <Note>No runs yet</Note> : null}

        <dl className="grid grid-cols-3 gap-2 text-sm">
          <Stat label="Last" boxed>
            {formatMs(stats.lastMs)}
          </Stat>
          <Stat label="Average" testId="avg-ms" boxed>
            {formatMs(stats.avgMs)}
          </Stat>
          <Stat label="p95" testId="p95-ms" boxed>
            {formatMs(stats.p95Ms)}
          </Stat>
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
        {llm ? <LlmBill bill={llm} /> : null}
        {error ? <Note tone="error">{error}</Note> : null}
      </div>
    </Panel>
  );
}
