import { describe, expect, it } from 'vitest';
import type { Signal } from './conditions.js';
import { ConditionTracker } from './dedup.js';

const signal = (key: string): Signal => ({ kind: 'raise', key, event: 'quarantined', organism: 'a', summary: key });

describe('ConditionTracker', () => {
  it('lets a condition through once while it lasts, and again once it was cleared', () => {
    const t = new ConditionTracker(0);
    expect(t.raise(signal('quarantined:a'), 0)).toBe(true);
    expect(t.raise(signal('quarantined:a'), 10)).toBe(false);
    expect(t.raise(signal('quarantined:b'), 10)).toBe(true);
    t.clear(['quarantined:a']);
    expect(t.active).toEqual(['quarantined:b']);
    expect(t.raise(signal('quarantined:a'), 20)).toBe(true);
  });

  it('clears by prefix on word boundaries: crash-loop:a does not end crash-loop:ab', () => {
    const t = new ConditionTracker(0);
    t.raise(signal('crash-loop:a'), 0);
    t.raise(signal('crash-loop:ab'), 0);
    t.raise(signal('storage'), 0);
    t.clear(['crash-loop:a', 'storage']);
    expect(t.active).toEqual(['crash-loop:ab']);
  });

  it('reminds every reminderMs while a condition lasts, and never with 0', () => {
    const t = new ConditionTracker(1000);
    t.raise(signal('x'), 0);
    expect(t.nextDueAt()).toBe(1000);
    expect(t.due(999)).toEqual([]);
    expect(t.due(1000).map((d) => [d.signal.key, d.since])).toEqual([['x', 0]]);
    expect(t.due(1500)).toEqual([]);
    expect(t.nextDueAt()).toBe(2000);
    t.clear(['x']);
    expect(t.nextDueAt()).toBeNull();

    const never = new ConditionTracker(0);
    never.raise(signal('x'), 0);
    expect(never.due(1e9)).toEqual([]);
    expect(never.nextDueAt()).toBeNull();
  });
});
