import { describe, expect, it } from 'vitest';
import { EventRing, type RingEntry } from './ring.js';

const entry = (id: number, bytes = 10, organism = 'a'): RingEntry => ({ id, organism, type: 'log', frame: Buffer.alloc(bytes) });
const all = () => true;

describe('EventRing', () => {
  it('keeps the newest entries up to its count and finds those after an id', () => {
    const r = new EventRing(3, 1000);
    expect(r.firstId).toBeNull();
    for (let id = 1; id <= 5; id++) r.push(entry(id));
    expect(r.length).toBe(3);
    expect(r.firstId).toBe(3);
    expect(r.after(3, 10, all)).toEqual({ entries: [entry(4), entry(5)], through: 5 });
    expect(r.after(0, 10, all).entries.map((e) => e.id)).toEqual([3, 4, 5]);
    expect(r.after(5, 10, all)).toEqual({ entries: [], through: 5 });
  });

  it('is bounded by bytes as well, yet always keeps the newest entry', () => {
    const r = new EventRing(100, 25);
    for (let id = 1; id <= 4; id++) r.push(entry(id, 10));
    expect(r.length).toBe(2);
    expect(r.byteLength).toBe(20);
    r.push(entry(5, 100));
    expect(r.length).toBe(1);
    expect(r.firstId).toBe(5);
  });

  it('stops at the limit and says how far it looked; filters without losing its place', () => {
    const r = new EventRing(100, 10_000);
    for (let id = 1; id <= 10; id++) r.push(entry(id, 10, id % 2 ? 'odd' : 'even'));
    expect(r.after(0, 3, all)).toMatchObject({ through: 3 });
    const odd = r.after(0, 100, (e) => e.organism === 'odd');
    expect(odd.entries.map((e) => e.id)).toEqual([1, 3, 5, 7, 9]);
    expect(odd.through).toBe(10);
    // Ids with gaps (a store that lost some) are found by search, not by arithmetic.
    const gaps = new EventRing(100, 10_000);
    for (const id of [2, 3, 7, 8, 20]) gaps.push(entry(id));
    expect(gaps.after(5, 10, all).entries.map((e) => e.id)).toEqual([7, 8, 20]);
  });

  it('stays correct across the compaction of evicted slots', () => {
    const r = new EventRing(10, 1_000_000);
    for (let id = 1; id <= 5000; id++) r.push(entry(id, 1));
    expect(r.length).toBe(10);
    expect(r.after(4995, 100, all).entries.map((e) => e.id)).toEqual([4996, 4997, 4998, 4999, 5000]);
  });
});
