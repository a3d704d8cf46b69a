import path from 'node:path';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir } from '../../test/helpers/fixtures.js';
import { GenomeStore } from '../genome/store.js';
import type { EventFilter } from './filter.js';
import { EventJournal, type JournalRead } from './journal.js';
import { JournalEvent, type EventBody } from './types.js';

let tmp: ReturnType<typeof tempDir>;
let store: GenomeStore;
beforeEach(() => {
  tmp = tempDir();
  store = new GenomeStore(path.join(tmp.dir, 's.db'));
});
afterEach(() => {
  store.close();
  tmp.cleanup();
});

const log = (organism: string, text: string): EventBody => ({
  type: 'log',
  organism,
  entry: { seq: 1, time: new Date().toISOString(), level: 'info', source: 'watcher', text },
});
const state = (organism: string): EventBody => ({ type: 'state', organism, from: 'healthy', to: 'sick' });

/** Every event after `cursor` through the journal's pages, as a client catching up would read them. */
function readAll(j: EventJournal, cursor: number, filter: EventFilter, limit: number): number[] | JournalRead {
  const ids: number[] = [];
  let after = cursor;
  while (after < j.lastId) {
    const r = j.read(after, filter, limit);
    if ('resync' in r) return r;
    ids.push(...r.entries.map((e) => e.id));
    expect(r.through).toBeGreaterThan(after);
    after = r.through;
  }
  return ids;
}

/** The JSON of each frame, parsed. */
const parsed = (r: JournalRead) => ('entries' in r ? r.entries.map((e) => JSON.parse(/^data: (.*)$/m.exec(e.frame.toString())![1]!)) : []);

describe('EventJournal', () => {
  it('numbers events, frames each once as SSE, and keeps numbering after a restart', () => {
    const j = new EventJournal(store, { retention: 1000 });
    const e1 = j.publish(log('a', 'one'));
    const e2 = j.publish(state('b'));
    expect([e1.id, e2.id]).toEqual([1, 2]);
    expect(JournalEvent.parse(e1)).toEqual(e1);
    const r = j.read(0, { organism: null, types: null }, 10);
    expect('entries' in r && r.entries[0]!.frame.toString()).toBe(`id: 1\nevent: log\ndata: ${JSON.stringify(e1)}\n\n`);
    const again = new EventJournal(store, { retention: 1000 });
    expect(again.lastId).toBe(2);
    expect(again.publish(log('a', 'three')).id).toBe(3);
    // The reopened journal replays what the first one published, byte for byte.
    expect(parsed(again.read(0, { organism: null, types: null }, 10))).toEqual([e1, e2, expect.objectContaining({ id: 3 })]);
  });

  it('replays from the store what has left the ring, and from the ring the rest, with no gap and no duplicate', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom('a', 'b', 'c'), fc.boolean()), { minLength: 1, maxLength: 60 }),
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 1, max: 7 }),
        fc.nat(),
        fc.constantFrom<EventFilter>({ organism: null, types: null }, { organism: 'a', types: null }, { organism: null, types: ['state'] }, { organism: 'b', types: ['log'] }),
        (events, ringEntries, limit, cursorSeed, filter) => {
          // SQLite in memory: the same engine and SQL, without a file to create and sync for each of the 60 cases.
          const s = new GenomeStore(':memory:');
          try {
            const j = new EventJournal(s, { retention: 10_000, ringEntries });
            const published = events.map(([org, isLog]) => j.publish(isLog ? log(org, 'x') : state(org)));
            const cursor = cursorSeed % (published.length + 1);
            const want = published.filter((e) => e.id > cursor && (filter.organism === null || e.organism === filter.organism) && (filter.types === null || (filter.types as string[]).includes(e.type))).map((e) => e.id);
            expect(readAll(j, cursor, filter, limit)).toEqual(want);
          } finally {
            s.close();
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it('keeps the retention in the store and answers a resync for a cursor older than that', () => {
    const j = new EventJournal(store, { retention: 100, ringEntries: 10 });
    for (let i = 0; i < 350; i++) j.publish(log('a', `#${i}`));
    const b = j.bounds();
    expect(b.latest).toBe(350);
    expect(b.oldest).toBeGreaterThan(350 - 100 - 10);
    expect(store.streamEventBounds().oldest).toBe(b.oldest);
    expect(j.read(b.oldest - 2, { organism: null, types: null }, 50)).toEqual({ resync: 'expired' });
    expect(readAll(j, b.oldest - 1, { organism: null, types: null }, 50)).toHaveLength(350 - b.oldest + 1);
    expect(j.read(351, { organism: null, types: null }, 50)).toEqual({ resync: 'ahead' });
    // The same after a restart: the bounds come from the store.
    const again = new EventJournal(store, { retention: 100, ringEntries: 10 });
    expect(again.bounds()).toMatchObject({ latest: 350, oldest: b.oldest });
    expect(again.read(b.oldest - 2, { organism: null, types: null }, 50)).toEqual({ resync: 'expired' });
  });

  it('hands every event to its listeners as it is published, after storing it', () => {
    const j = new EventJournal(store, { retention: 1000 });
    const seen: number[] = [];
    const off = j.onEvent((e) => {
      seen.push(e.id);
      expect(store.streamEventBounds().newest).toBe(e.id);
    });
    j.publish(log('a', 'one'));
    off();
    j.publish(log('a', 'two'));
    expect(seen).toEqual([1]);
  });
});
