import type { Candidate, HealContext, HealStrategy, NoCandidate, TrialOutcome, VerifyOutcome } from './types.js';

export interface RungAttempt {
  strategy: string;
  outcome: 'no-candidate' | 'trial-failed' | 'verification-failed' | 'passed' | 'error';
  reason: string;
  trial?: TrialOutcome;
  verification?: VerifyOutcome;
  detail?: Record<string, unknown>;
  durationMs: number;
}

export type LadderResult =
  | { healed: true; strategy: string; candidate: Candidate; trial: TrialOutcome; verification: VerifyOutcome; attempts: RungAttempt[] }
  | { healed: false; attempts: RungAttempt[]; reason: string };

/** Proposals one rung may make in an incident: each failed verification teaches its trial one more case. */
export const PROPOSALS_PER_RUNG = 3;

/**
 * Climbs the repair ladder, cheapest rung first. A rung's candidate counts only if it passes the organism's whole
 * verification suite, the failing input first, run here by the ladder: a strategy's own claims and its own trials are
 * never trusted. A candidate that fails the suite is not promoted; the rung is asked again (its trial now includes the
 * case it failed on), up to PROPOSALS_PER_RUNG times, then the next rung.
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
    const failedOn = new Set<string>();
    for (let proposal = 1; proposal <= PROPOSALS_PER_RUNG && !ctx.signal.aborted; proposal++) {
      const started = performance.now();
      const elapsed = () => Math.round(performance.now() - started);
      let candidate: Candidate | NoCandidate;
      try {
        candidate = await rung.propose(ctx);
      } catch (err) {
        record({ strategy: rung.name, outcome: 'error', reason: (err as Error).message, durationMs: elapsed() });
        break;
      }
      if ('none' in candidate) {
        record({ strategy: rung.name, outcome: 'no-candidate', reason: candidate.none, detail: candidate.detail, durationMs: elapsed() });
        break;
      }
      const verification = await ctx.verify(candidate.source);
      if (!verification.passed) {
        const f = verification.failure;
        const outcome = f?.kind === 'failing' ? 'trial-failed' : 'verification-failed';
        record({
          strategy: rung.name,
          outcome,
          reason: f
            ? `candidate failed ${outcome === 'trial-failed' ? 'its trial' : 'verification'} on ${f.case}: ${f.verdict}${f.error ? ` (${f.error})` : ''}`
            : 'candidate verification was cancelled',
          verification,
          durationMs: elapsed(),
        });
        // The same failure again would be the same proposal again: move on.
        if (!f || failedOn.has(f.case)) break;
        failedOn.add(f.case);
        continue;
      }
      const trial: TrialOutcome = { verdict: 'ok', error: null, durationMs: verification.timeMs, seed: ctx.failure.seed };
      record({ strategy: rung.name, outcome: 'passed', reason: candidate.summary, trial, verification, durationMs: elapsed() });
      return { healed: true, strategy: rung.name, candidate, trial, verification, attempts };
    }
  }
  const reason = ctx.signal.aborted
    ? 'healing was cancelled'
    : attempts.length === 0
      ? 'no repair strategy is configured'
      : attempts.map((a) => `${a.strategy}: ${a.reason}`).join('; ');
  return { healed: false, attempts, reason };
}
