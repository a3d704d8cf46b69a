import type { Candidate, HealContext, HealStrategy, NoCandidate, TrialOutcome } from './types.js';

export interface RungAttempt {
  strategy: string;
  outcome: 'no-candidate' | 'trial-failed' | 'passed' | 'error';
  reason: string;
  trial?: TrialOutcome;
  detail?: Record<string, unknown>;
  durationMs: number;
}

export type LadderResult =
  | { healed: true; strategy: string; candidate: Candidate; trial: TrialOutcome; attempts: RungAttempt[] }
  | { healed: false; attempts: RungAttempt[]; reason: string };

/**
 * Climbs the repair ladder, cheapest rung first. A rung's candidate counts only if a trial run on the
 * failing input passes the oracle; a strategy's own claims are never trusted.
 */
export async function climbLadder(
  rungs: readonly HealStrategy[],
  ctx: HealContext,
  onAttempt: (a: RungAttempt) => void = () => {},
): Promise<LadderResult> {
  const attempts: RungAttempt[] = [];
  const record = (a: RungAttempt) => {
    attempts.push(a);
    onAttempt(a);
  };
  for (const rung of rungs) {
    if (ctx.signal.aborted) break;
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    let proposal: Candidate | NoCandidate;
    try {
      proposal = await rung.propose(ctx);
    } catch (err) {
      record({ strategy: rung.name, outcome: 'error', reason: (err as Error).message, durationMs: elapsed() });
      continue;
    }
    if ('none' in proposal) {
      record({ strategy: rung.name, outcome: 'no-candidate', reason: proposal.none, detail: proposal.detail, durationMs: elapsed() });
      continue;
    }
    const trial = await ctx.trial(proposal.source);
    if (trial.verdict !== 'ok') {
      record({
        strategy: rung.name,
        outcome: 'trial-failed',
        reason: `candidate failed its trial: ${trial.verdict}${trial.error ? ` (${trial.error})` : ''}`,
        trial,
        durationMs: elapsed(),
      });
      continue;
    }
    record({ strategy: rung.name, outcome: 'passed', reason: proposal.summary, trial, durationMs: elapsed() });
    return { healed: true, strategy: rung.name, candidate: proposal, trial, attempts };
  }
  const reason = ctx.signal.aborted
    ? 'healing was cancelled'
    : attempts.length === 0
      ? 'no repair strategy is configured'
      : attempts.map((a) => `${a.strategy}: ${a.reason}`).join('; ');
  return { healed: false, attempts, reason };
}
