/**
 * The event journal: gives every event its cursor id, stores it (SQLite, pruned to `retention`), keeps the
 * newest in a memory ring, and hands each to the stream hub, serialized once. Ids continue from the store at
 * start, so they keep increasing across restarts.
 */
import type { GenomeStore, StreamEventRow } from '../genome/store.js';
import { planRead, type JournalBounds } from './cursor.js';
import { matches, type EventFilter } from './filter.js';
import { sseFrame } from './frame.js';
import { EventRing, type RingEntry } from './ring.js';
import type { EventBody, JournalEvent, ResyncReason } from './types.js';

export interface JournalOptions {
  /** Events kept in the store. */
  retention: number;
  ringEntries?: number;
  ringBytes?: number;
}

export type JournalRead = { entries: RingEntry[]; through: number } | { resync: ResyncReason };

const RING_ENTRIES = 4096;
const RING_BYTES = 4 * 1024 * 1024;

export class EventJournal {
  private readonly ring: EventRing;
  private latest: number;
  private oldest: number;
  private lost = 0;
  private sincePrune = 0;
  private readonly pruneEvery: number;
  private readonly listeners = new Set<(e: RingEntry) => void>();

  constructor(
    private readonly store: GenomeStore,
    private readonly o: JournalOptions,
  ) {
    // Never more than the store keeps: what can be replayed must not depend on whether the server restarted.
    this.ring = new EventRing(Math.min(o.ringEntries ?? RING_ENTRIES, o.retention), o.ringBytes ?? RING_BYTES);
    const { oldest, newest } = store.streamEventBounds();
    this.latest = newest ?? 0;
    this.oldest = oldest ?? this.latest + 1;
    for (const row of store.recentStreamEvents(this.ring.maxEntries)) this.ring.push(toEntry(row));
    // Prune often enough that the store never holds much more than the retention.
    this.pruneEvery = Math.max(1, Math.min(500, Math.floor(o.retention / 10)));
  }

  /** Stores an event and sends it to every stream that wants it; returns it as sent. */
  publish(body: EventBody): JournalEvent {
    const id = ++this.latest;
    const { type, organism, ...rest } = body;
    const event = { id, type, organism, at: new Date().toISOString(), ...rest } as JournalEvent;
    const json = JSON.stringify(event);
    const stored = this.store.insertStreamEvent({ id, organism, type, json });
    if (stored !== true) this.lost = id;
    if (this.oldest > id) this.oldest = id;
    const entry: RingEntry = { id, organism, type, frame: Buffer.from(sseFrame(id, type, json)) };
    this.ring.push(entry);
    if (++this.sincePrune >= this.pruneEvery) this.prune();
    for (const l of this.listeners) l(entry);
    return event;
  }

  onEvent(listener: (e: RingEntry) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get lastId(): number {
    return this.latest;
  }

  bounds(): JournalBounds {
    return { latest: this.latest, oldest: this.oldest, ringFirst: this.ring.firstId ?? this.latest + 1, lost: this.lost };
  }

  /**
   * Up to `limit` events after `after` that the filter takes, oldest first, from the ring or else the store,
   * and `through`, the last id looked at (the next read starts after it); or why a replay from there is
   * impossible. Synchronous, so that a reader that reaches the head goes live before anything else is published.
   */
  read(after: number, filter: EventFilter, limit: number): JournalRead {
    const b = this.bounds();
    const plan = planRead(after, b);
    switch (plan.from) {
      case 'resync':
        return { resync: plan.reason };
      case 'head':
        return { entries: [], through: after };
      case 'ring':
        return this.ring.after(after, limit, (e) => matches(filter, e));
      case 'store': {
        const rows = this.store.streamEvents(after, b.ringFirst, limit, filter.organism, filter.types);
        // Fewer than asked for: everything before the ring was looked at.
        const through = rows.length < limit ? b.ringFirst - 1 : (rows[rows.length - 1] as StreamEventRow).id;
        return { entries: rows.map(toEntry), through };
      }
    }
  }

  private prune(): void {
    this.sincePrune = 0;
    const keepFrom = this.latest - this.o.retention + 1;
    if (keepFrom <= this.oldest) return;
    this.store.pruneStreamEvents(keepFrom);
    this.oldest = keepFrom;
  }
}

function toEntry(row: StreamEventRow): RingEntry {
  return { id: row.id, organism: row.organism, type: row.type, frame: Buffer.from(sseFrame(row.id, row.type, row.json)) };
}
