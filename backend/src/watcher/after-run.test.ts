import { describe, expect, it } from 'vitest';
import { VERDICTS } from '../domain.js';
import { decideAfterRun, type AfterRun, type RunFacts } from './after-run.js';

const failing: RunFacts = {
  verdict: 'wrong',
  signal: null,
  ofLive: true,
  liveVerified: true,
  quarantined: false,
  autoHeal: true,
  held: false,
  resuming: false,
  looping: false,
  transientAttempts: 0,
  transientRetries: 2,
};
const heal = (looping = false, resuming = false): AfterRun => ({ kind: 'heal', looping, resuming });

// The supervisor's state machine after a run, one row per transition: the facts that differ from `failing`, the step.
const table: [string, Partial<RunFacts>, AfterRun][] = [
  ['a pass of the verified live genome recovers', { verdict: 'ok' }, { kind: 'recovered' }],
  ['a pass of a live genome not verified sends it to its suite', { verdict: 'ok', liveVerified: false }, { kind: 'verify' }],
  ['a pass of a replaced genome still recovers', { verdict: 'ok', ofLive: false, liveVerified: false }, { kind: 'recovered' }],
  ['a pass of the quarantined genome recovers', { verdict: 'ok', quarantined: true }, { kind: 'recovered' }],
  ['a failure of a replaced genome judges the new one', { ofLive: false, quarantined: true }, { kind: 'judge-new' }],
  ['a failure of the quarantined genome waits for the next probe', { quarantined: true, verdict: 'hung' }, { kind: 'probe' }],
  ['AUTO_HEAL=false only condemns', { autoHeal: false, verdict: 'hung' }, { kind: 'condemn' }],
  ['AUTO_HEAL=false condemns a crash loop too', { autoHeal: false, looping: true }, { kind: 'condemn' }],
  ['a wrong answer heals at once', {}, heal()],
  ['a repair waiting for approval holds the ladder back', { held: true }, { kind: 'hold' }],
  ['a repair waiting for approval holds a crash loop and a hang too', { held: true, looping: true, verdict: 'hung' }, { kind: 'hold' }],
  ['a hang is retried first', { verdict: 'hung' }, { kind: 'retry' }],
  ['a late answer is retried first', { verdict: 'slow' }, { kind: 'retry' }],
  ['a death by signal is retried first', { verdict: 'crashed', signal: 'SIGKILL' }, { kind: 'retry' }],
  ['a crash without a signal heals at once', { verdict: 'crashed' }, heal()],
  ['a hang heals once the retries are spent', { verdict: 'hung', transientAttempts: 2 }, heal()],
  ['no retries configured: a hang heals at once', { verdict: 'hung', transientRetries: 0 }, heal()],
  ['a crash loop skips the retries', { verdict: 'hung', looping: true }, heal(true)],
  ['a heal the last stop interrupted resumes without retries', { verdict: 'hung', resuming: true }, heal(false, true)],
];

describe('decideAfterRun', () => {
  it.each(table)('%s', (_name, facts, action) => {
    expect(decideAfterRun({ ...failing, ...facts })).toEqual(action);
  });

  it('never heals, retries or probes after a passing run, and never recovers after a failing one', () => {
    for (const verdict of VERDICTS) {
      for (const flags of [{}, { quarantined: true }, { looping: true }, { ofLive: false }, { liveVerified: false }]) {
        const kind = decideAfterRun({ ...failing, ...flags, verdict }).kind;
        if (verdict === 'ok') expect(['recovered', 'verify']).toContain(kind);
        else expect(['recovered', 'verify']).not.toContain(kind);
      }
    }
  });
});
