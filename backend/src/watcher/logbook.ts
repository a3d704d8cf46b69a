import type { LogLevel, LogSource } from '../domain.js';
import { RingBuffer } from '../lib/ring-buffer.js';
import type { GenomeStore, LogRow } from '../genome/store.js';

export type LogEntry = Omit<LogRow, 'organism'> & { organism: string };

const MEMORY_ENTRIES = 6000;
const PRUNE_EVERY = 500;

/**
 * The log stream the dashboard polls. Sequence numbers keep increasing across restarts (they continue from
 * the database), so a client's `since` stays meaningful when the server comes back.
 */
export class LogBook {
  private readonly ring = new RingBuffer<LogEntry>(MEMORY_ENTRIES);
  private seq: number;
  private sincePrune = 0;
  private readonly listeners = new Set<(e: LogEntry) => void>();

  constructor(
    private readonly store: GenomeStore,
    private readonly retention: number,
  ) {
    for (const row of store.recentLogs(MEMORY_ENTRIES)) this.ring.push(row);
    this.seq = store.maxLogSeq();
  }

  append(organism: string, source: LogSource, level: LogLevel, text: string): LogEntry {
    const entry: LogEntry = { seq: ++this.seq, organism, time: new Date().toISOString(), level, source, text };
    this.ring.push(entry);
    this.store.insertLog(entry);
    if (++this.sincePrune >= PRUNE_EVERY) {
      this.sincePrune = 0;
      this.store.pruneLogs(this.retention);
    }
    for (const l of this.listeners) l(entry);
    return entry;
  }

  /**
   * Entries after `since` (oldest first, at most `limit`), or the newest `limit` when `since` is absent;
   * only one organism's when `organism` is given.
   */
  read(limit: number, since?: number, organism?: string): LogEntry[] {
    let all = this.ring.toArray();
    if (since !== undefined) {
      // Sequence numbers are dense and increasing, so the first newer entry sits at a computable index.
      const first = all[0];
      if (!first) return [];
      all = all.slice(Math.max(0, since - first.seq + 1));
    }
    if (organism !== undefined) all = all.filter((e) => e.organism === organism);
    return since === undefined ? all.slice(-limit) : all.slice(0, limit);
  }

  get lastSeq(): number {
    return this.seq;
  }

  onEntry(listener: (e: LogEntry) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
