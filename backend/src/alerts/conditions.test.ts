import { describe, expect, it } from 'vitest';
import { fromHealed, fromLogLine, fromPromoted, fromState, fromStorage } from './conditions.js';

describe('alert conditions', () => {
  it("reads the demotion of a verified genome from the watcher's line (watcher/live-judge.ts)", () => {
    const line =
      'generation 3 was verified but answered wrong on run #41: demoted. Counterexample #2 (120 -> 9 characters in 14 shrinking runs) joins every verification; 1 other baseline(s) pass it';
    expect(fromLogLine('sorter', 'watcher', 'warn', line)).toEqual({
      kind: 'once',
      key: 'demoted:sorter:3',
      event: 'demoted',
      organism: 'sorter',
      summary: 'sorter: generation 3 was verified but answered wrong on run #41: demoted.',
    });
    expect(fromLogLine('sorter', 'watcher', 'warn', 'generation 3 failed run #41 but passed the same input again: not demoted')).toBeNull();
    expect(fromLogLine('sorter', 'organism', 'warn', line)).toBeNull();
  });

  it('quarantine is a lasting condition that a healthy state ends with the crash loop and the failed heal', () => {
    expect(fromState('a', 'healing', 'quarantined', 'nothing can heal it')).toMatchObject({ kind: 'raise', key: 'quarantined:a', summary: expect.stringContaining('nothing can heal it') });
    expect(fromState('a', 'verifying', 'healthy', null)).toEqual({ kind: 'clear', prefixes: ['crash-loop:a', 'heal-failed:a', 'quarantined:a'] });
    // A probe that fails goes healing again: still quarantined in effect.
    expect(fromState('a', 'quarantined', 'healing', null)).toBeNull();
    expect(fromState('a', 'quarantined', 'verifying', null)).toEqual({ kind: 'clear', prefixes: ['quarantined:a'] });
  });

  it('tells a heal only with ALERT_ON_HEAL, and an evolution promotion only', () => {
    expect(fromHealed('a', 5, 'rollback', 30, false)).toHaveLength(1);
    expect(fromHealed('a', 5, 'rollback', 30, true)[1]).toMatchObject({ kind: 'once', event: 'healed', summary: 'a healed by rollback in 30 ms: generation 5 is live' });
    expect(fromPromoted('a', 'chaos', 2, 'g2', 'x')).toBeNull();
    expect(fromPromoted('a', 'evolve', 2, 'g2', '12% faster')).toMatchObject({ kind: 'once', key: 'evolution-promoted:g2' });
  });

  it('storage: one server-wide condition, ended when it works again', () => {
    expect(fromStorage({ message: 'full' })).toMatchObject({ kind: 'raise', key: 'storage', organism: null, event: 'storage-degraded' });
    expect(fromStorage(null)).toEqual({ kind: 'clear', prefixes: ['storage'] });
  });
});
