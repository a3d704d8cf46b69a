/**
 * The newest events in memory, ready to send: live fan-out and short replays never touch SQLite. Bounded by
 * count and by bytes (a burst of long log lines must not hold more than `maxBytes`).
 */
export interface RingEntry {
  id: number;
  organism: string;
  type: string;
  /** The whole SSE frame, serialized once and shared by every client it is written to. */
  frame: Buffer;
}

export class EventRing {
  private items: RingEntry[] = [];
  private head = 0;
  private bytes = 0;

  constructor(
    readonly maxEntries: number,
    readonly maxBytes: number,
  ) {}

  get length(): number {
    return this.items.length - this.head;
  }

  get byteLength(): number {
    return this.bytes;
  }

  /** The oldest id held, or null when empty. */
  get firstId(): number | null {
    return this.items[this.head]?.id ?? null;
  }

  /** Ids must increase. */
  push(e: RingEntry): void {
    this.items.push(e);
    this.bytes += e.frame.length;
    while (this.length > 1 && (this.length > this.maxEntries || this.bytes > this.maxBytes)) {
      this.bytes -= (this.items[this.head] as RingEntry).frame.length;
      this.items[this.head++] = undefined as unknown as RingEntry;
    }
    // Drop the evicted slots now and then rather than shifting the array at every push.
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }

  /** Up to `limit` entries with id > `after` that `accept` takes, oldest first, and the last id looked at. */
  after(after: number, limit: number, accept: (e: RingEntry) => boolean): { entries: RingEntry[]; through: number } {
    let lo = this.head;
    let hi = this.items.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.items[mid] as RingEntry).id <= after) lo = mid + 1;
      else hi = mid;
    }
    const entries: RingEntry[] = [];
    let through = after;
    for (let i = lo; i < this.items.length && entries.length < limit; i++) {
      const e = this.items[i] as RingEntry;
      if (accept(e)) entries.push(e);
      through = e.id;
    }
    return { entries, through };
  }
}
