import { describe, expect, it } from 'vitest';
import { parseCursor, planRead, resyncMessage, type JournalBounds } from './cursor.js';

const b = (o: Partial<JournalBounds> = {}): JournalBounds => ({ latest: 100, oldest: 51, ringFirst: 81, lost: 0, ...o });

describe('planRead', () => {
  it('reads from the ring when the cursor is inside it, from the store before it, nothing at the head', () => {
    expect(planRead(100, b())).toEqual({ from: 'head' });
    expect(planRead(99, b())).toEqual({ from: 'ring' });
    expect(planRead(80, b())).toEqual({ from: 'ring' });
    expect(planRead(79, b())).toEqual({ from: 'store' });
    expect(planRead(50, b())).toEqual({ from: 'store' });
  });

  it('asks for a resync when the cursor is older than what is kept, or newer than anything published', () => {
    expect(planRead(49, b())).toEqual({ from: 'resync', reason: 'expired' });
    expect(planRead(0, b())).toEqual({ from: 'resync', reason: 'expired' });
    expect(planRead(101, b())).toEqual({ from: 'resync', reason: 'ahead' });
  });

  it('asks for a resync only when a replay from the store would cross an event the store lost', () => {
    expect(planRead(60, b({ lost: 70 }))).toEqual({ from: 'resync', reason: 'lost' });
    expect(planRead(70, b({ lost: 70 }))).toEqual({ from: 'store' });
    // The ring still holds what the store lost.
    expect(planRead(60, b({ lost: 90 }))).toEqual({ from: 'store' });
    expect(planRead(85, b({ lost: 90 }))).toEqual({ from: 'ring' });
  });

  it('handles an empty journal: cursor 0 is the head, any other is ahead', () => {
    const empty = { latest: 0, oldest: 1, ringFirst: 1, lost: 0 };
    expect(planRead(0, empty)).toEqual({ from: 'head' });
    expect(planRead(5, empty)).toEqual({ from: 'resync', reason: 'ahead' });
  });

  it('says what to do in every resync message', () => {
    for (const reason of ['expired', 'ahead', 'lost'] as const) expect(resyncMessage(reason, 10, b())).toMatch(/refetch the REST resources/i);
  });
});

describe('parseCursor', () => {
  it('takes Last-Event-ID first (EventSource reconnects to the URL it first opened), then ?since=', () => {
    expect(parseCursor('42', 7)).toEqual({ cursor: 42 });
    expect(parseCursor(undefined, 7)).toEqual({ cursor: 7 });
    expect(parseCursor(' ', 7)).toEqual({ cursor: 7 });
    expect(parseCursor(['3', '4'], undefined)).toEqual({ cursor: 3 });
    expect(parseCursor(undefined, undefined)).toEqual({ cursor: null });
    expect(parseCursor('0', undefined)).toEqual({ cursor: 0 });
  });

  it('refuses a Last-Event-ID that is not a whole number, saying what to send', () => {
    for (const bad of ['-1', '1.5', 'abc', '1e3', '12345678901234567890']) {
      const r = parseCursor(bad, undefined);
      expect('error' in r && r.error, bad).toMatch(/Last-Event-ID .* is not an event id/);
    }
  });
});
