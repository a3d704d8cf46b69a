import { describe, expect, it } from 'vitest';
import { Recovery } from './recovery.js';

const limits = { transientRetries: 2, crashLoopFailures: 3, crashLoopWindowMs: 10_000, quarantineMaxBackoffMs: 4000 };

/** The recovery state as the status shows it. */
function seen(r: Recovery) {
  return { quarantined: r.quarantine !== null, backoff: r.backoff !== null, retries: r.transientAttempts };
}

describe('Recovery', () => {
  it('retries with a growing delay, and the ladder taking over ends the retries', () => {
    const r = new Recovery(limits);
    expect(r.retryTransient('hung').delayMs).toBe(100);
    expect(r.retryTransient('hung')).toEqual({ delayMs: 150, attempt: 2, reason: 'hung' });
    r.escalate();
    expect(seen(r)).toEqual({ quarantined: false, backoff: false, retries: 0 });
  });

  it('probes a quarantined genome with a doubling delay, capped, and shows the next one', () => {
    const r = new Recovery(limits);
    r.enterQuarantine('g1', 'nothing worked');
    expect([r.nextProbe(), r.nextProbe(), r.nextProbe(), r.nextProbe()]).toEqual([1000, 2000, 4000, 4000]);
    expect(r.quarantine).toMatchObject({ genomeId: 'g1', reason: 'nothing worked', nextProbeMs: 4000 });
  });

  // Each way out of trouble, and what it clears: [transition, quarantine kept, retry kept, probe delay kept, crash loop kept].
  const exits: [string, (r: Recovery) => void, boolean, boolean, boolean, boolean][] = [
    ['a passing run', (r) => r.passed(), false, false, false, false],
    ['a promotion', (r) => r.promoted(), false, false, false, true],
    ['an outside edit or a heal by hand', (r) => r.release(), false, true, true, true],
  ];
  it.each(exits)('%s clears what it should and keeps the rest', (_name, exit, quarantine, retry, probe, loop) => {
    const r = new Recovery(limits);
    for (let i = 0; i < 3; i++) r.failed(1000 + i);
    r.retryTransient('slow');
    r.nextProbe();
    r.enterQuarantine('g1', 'gave up');
    exit(r);
    expect(r.quarantine !== null).toBe(quarantine);
    expect(r.backoff !== null).toBe(retry);
    expect(r.transientAttempts > 0).toBe(retry);
    expect(r.nextProbe() > 1000).toBe(probe);
    expect(r.looping(1003)).toBe(loop);
  });

  it('says a crash loop when the failures in the window reach the burst', () => {
    const r = new Recovery(limits);
    expect([r.failed(0), r.failed(1), r.failed(2)]).toEqual([false, false, true]);
    expect(r.looping(10_001)).toBe(false);
  });

  it('tells whether a pass ended a quarantine', () => {
    const r = new Recovery(limits);
    expect(r.passed()).toBe(false);
    r.enterQuarantine('g1', 'gave up');
    expect(r.passed()).toBe(true);
  });
});
