import type { Cause, OrganismState, Run, Verdict } from '@ouroboros/contract';

export interface StateStyle {
  text: string;
  border: string;
  bg: string;
  label: string;
}

/** One entry per state the dashboard colours; a state the backend adds later is shown by its name (stateStyle). */
export const STATE_STYLE: Record<OrganismState, StateStyle> = {
  healthy: { text: 'text-healthy', border: 'border-healthy', bg: 'bg-healthy/10', label: 'HEALTHY' },
  verifying: { text: 'text-cyan', border: 'border-cyan', bg: 'bg-cyan/10', label: 'VERIFYING' },
  sick: { text: 'text-sick', border: 'border-sick', bg: 'bg-sick/15', label: 'SICK' },
  healing: { text: 'text-healing', border: 'border-healing', bg: 'bg-healing/15', label: 'HEALING' },
  backoff: { text: 'text-orange', border: 'border-orange', bg: 'bg-orange/15', label: 'BACKOFF' },
  quarantined: { text: 'text-violet', border: 'border-violet', bg: 'bg-violet/15', label: 'QUARANTINED' },
  paused: { text: 'text-paused', border: 'border-paused', bg: 'bg-paused/15', label: 'PAUSED' },
};

/** How a state looks: its entry in STATE_STYLE, or its own name in a neutral colour (any name: see lib/tolerant-schemas). */
export function stateStyle(state: string): StateStyle {
  return (STATE_STYLE as Record<string, StateStyle | undefined>)[state] ?? { text: 'text-soft', border: 'border-soft', bg: 'bg-soft/10', label: state.toUpperCase() };
}

/** A run's number as people count: its organism's 1, 2, 3... (the id, shared by every organism, from older backends). */
export const runNumber = (run: Pick<Run, 'id' | 'number'>): number => run.number ?? run.id;

export const VERDICT_TEXT: Record<Verdict, string> = {
  ok: 'text-healthy',
  crashed: 'text-sick',
  hung: 'text-orange',
  wrong: 'text-chaos',
  slow: 'text-healing',
  oom: 'text-violet',
};

export const VERDICT_COLOR: Record<Verdict, string> = {
  ok: '#3dff8f',
  crashed: '#ff5470',
  hung: '#ff9f45',
  wrong: '#ff6bf1',
  slow: '#ffc23d',
  oom: '#b78bff',
};

const CAUSE_TEXT: Record<Cause, string> = {
  seed: 'text-cyan border-cyan/50',
  chaos: 'text-chaos border-chaos/50',
  heal: 'text-healthy border-healthy/50',
  rollback: 'text-paused border-paused/50',
  external: 'text-soft border-soft/40',
  evolve: 'text-healing border-healing/50',
  manual: 'text-orange border-orange/50',
};

export function VerdictBadge({ verdict }: { verdict: Verdict | null }) {
  if (verdict === null) return <span className="text-muted">not run</span>;
  return (
    <span data-verdict={verdict} className={`font-bold uppercase ${VERDICT_TEXT[verdict]}`}>
      {verdict}
    </span>
  );
}

export function CauseBadge({ cause }: { cause: Cause }) {
  return (
    <span
      data-cause={cause}
      className={`inline-block border px-1.5 text-[11px] leading-5 tracking-wider uppercase ${CAUSE_TEXT[cause]}`}
    >
      {cause}
    </span>
  );
}

type Verified = boolean | 'pending' | undefined;

const TRUST: Record<'true' | 'false' | 'pending', { label: string; style: string; title: string }> = {
  true: { label: 'verified', style: 'text-healthy border-healthy/60', title: 'passed its verification suite: a baseline for healing and a rollback target' },
  false: { label: 'unverified', style: 'text-sick border-sick/60', title: 'failed its verification suite or a run, or was demoted by a counterexample' },
  pending: { label: 'pending', style: 'text-cyan border-cyan/60', title: 'not judged by its verification suite yet' },
};

/** A genome's standing with its verification suite; nothing for a backend that does not say. */
export function TrustBadge({ verified }: { verified: Verified }) {
  if (verified === undefined) return null;
  const t = TRUST[String(verified) as keyof typeof TRUST];
  return (
    <span data-testid="trust" data-verified={String(verified)} title={t.title} className={`inline-block border px-1 text-[10px] leading-4 tracking-wider uppercase ${t.style}`}>
      {t.label}
    </span>
  );
}
