import type { GenomeRow } from '../genome/store.js';

/**
 * The genome the loop runs, shared by the supervisor's parts. Replacing it aborts `changed`: work on the old
 * genome (a heal, a verification) is then no longer worth finishing. Updating it (its verification, a refreshed
 * row) keeps the same genome and aborts nothing.
 */
export class LiveGenome {
  private controller = new AbortController();

  constructor(private row: GenomeRow) {}

  get current(): GenomeRow {
    return this.row;
  }

  get id(): string {
    return this.row.id;
  }

  /** Aborted when the live genome is replaced (or the supervisor stops). */
  get changed(): AbortSignal {
    return this.controller.signal;
  }

  replace(row: GenomeRow): void {
    this.row = row;
    this.controller.abort();
    this.controller = new AbortController();
  }

  /** Changes the live row in place, when `id` is still the live genome. */
  update(id: string, patch: Partial<GenomeRow>): void {
    if (this.row.id === id) this.row = { ...this.row, ...patch };
  }

  /** Aborts the work on the live genome without replacing it: the supervisor is stopping. */
  abandon(): void {
    this.controller.abort();
  }
}
