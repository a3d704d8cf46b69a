'use client';

import type { OrganismSummary } from '@/lib/tolerant-schemas';
import { formatPercent } from '@/lib/format';
import { stateStyle } from './badges';

/**
 * Every organism's state at a glance; picking one switches the detailed view below to it.
 * `selected` null means the backend's default organism.
 */
export function OrganismsPanel({
  organisms,
  selected,
  onSelect,
  error,
}: {
  organisms: OrganismSummary[] | null;
  selected: string | null;
  onSelect: (name: string) => void;
  error?: string | undefined;
}) {
  if (error && !organisms) {
    return (
      <p role="alert" className="text-xs text-sick">
        Cannot list the organisms: {error}
      </p>
    );
  }
  if (!organisms) return <p className="text-xs text-muted">Looking for organisms…</p>;
  if (organisms.length === 0) return <p className="text-xs text-muted">The backend runs no organism.</p>;
  const current = selected ?? organisms.find((o) => o.default)?.name ?? null;
  return (
    <nav aria-label="Organisms" className="flex flex-wrap gap-2">
      {organisms.map((o) => {
        const style = stateStyle(o.state);
        const active = o.name === current;
        return (
          <button
            key={o.name}
            type="button"
            data-testid={`organism-${o.name}`}
            data-state={o.state}
            aria-pressed={active}
            title={o.description}
            onClick={() => onSelect(o.name)}
            className={`flex min-w-[11rem] flex-col items-start gap-0.5 border px-3 py-1.5 text-left text-xs transition-colors ${
              active ? `${style.border} ${style.bg}` : 'border-edge hover:border-soft'
            }`}
          >
            <span className="flex w-full items-center justify-between gap-2">
              <span className={active ? 'font-bold text-phosphor' : 'text-soft'}>{o.name}</span>
              <span className={`${style.text} font-bold`}>{style.label}</span>
            </span>
            <span className="text-muted">
              gen #{o.generation} · {o.totalRuns} runs · {formatPercent(o.successRate)} ok
            </span>
          </button>
        );
      })}
    </nav>
  );
}
