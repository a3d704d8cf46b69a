import { diffLines } from 'diff';
import { FileRefused } from '../files/refusal.js';
import type { OrganismFiles } from '../files/organism-files.js';
import type { OrganismContext } from './context.js';
import { watchLiveFile } from './live-file-watch.js';
import type { Promotions } from './promotions.js';
import type { Recovery } from './recovery.js';

export interface LiveFileKeeperDeps {
  files: OrganismFiles;
  /** Outside edits are taken inside the promotions' lock, with the trust the verifier has in their source. */
  promotions: Pick<Promotions, 'exclusive' | 'judgedAlready'>;
  recovery: Recovery;
  /** Take edits made to live.js from outside as new genomes (cause "external"). */
  externalEdits: boolean;
  /** Runs the loop now: the new genome is judged at once. */
  wake: () => void;
}

/**
 * Keeps live.js equal to the live genome of the store: puts it back when it is deleted or replaced by something that
 * is not a regular file, finishes a promotion a crash interrupted, and takes an edit made from outside as a genome.
 */
export class LiveFileKeeper {
  private stopWatching: (() => void) | null = null;

  constructor(
    private readonly c: OrganismContext,
    private readonly d: LiveFileKeeperDeps,
  ) {}

  /** Watches live.js for outside edits, when they are taken. */
  watch(): void {
    if (this.d.externalEdits) this.stopWatching = watchLiveFile(this.d.files.liveFile, () => void this.takeOutsideEdit());
  }

  unwatch(): void {
    this.stopWatching?.();
  }

  /** A deleted organisms/ or live.js, a link or a FIFO in its place: put back from the store. */
  async ensureIntact(): Promise<void> {
    if (!(await this.d.files.intact())) await this.d.promotions.exclusive(() => this.d.files.restore(this.c.live.current.source));
  }

  /**
   * The store is the truth, with one exception. A live file equal to the parent's source is what a crash
   * between the store's commit and the file's rename leaves: rewrite it. Any other difference is an edit
   * made while the server was down: take it as an outside edit.
   */
  async reconcile(): Promise<void> {
    const { files } = this.d;
    const { store } = this.c;
    const live = this.c.live.current;
    const read = await files.readLive();
    const onDisk = read instanceof FileRefused ? null : read;
    if (onDisk === live.source) return;
    const parent = live.parentId ? store.getGenome(live.parentId) : null;
    if (onDisk !== null && this.d.externalEdits && onDisk !== parent?.source) {
      await this.takeOutsideEdit();
      return;
    }
    if (read instanceof FileRefused && read.reason !== 'missing') {
      // A link, a FIFO, a device, an oversized file: never taken in; the store's genome replaces it (a directory
      // cannot be replaced: the organism is then reported degraded, and runs go on).
      await files.restore(live.source);
      return;
    }
    if (onDisk === null) {
      // The first start, or a DATA_DIR restored without its organisms/: nothing to say.
      await files.rewriteLive(live.source);
      return;
    }
    await files.rewriteLive(live.source);
    this.c.say('watcher', 'warn', `live.js was left behind by an interrupted promotion; rewrote generation ${live.generation} from the store`);
  }

  /**
   * Someone edited live.js: record it as a genome with cause "external" and judge it at once. Inside the
   * promotion lock, so our own atomic writes are never mistaken for an edit.
   */
  private takeOutsideEdit(): Promise<void> {
    return this.d.promotions.exclusive(async () => {
      const { files } = this.d;
      const { store, live, organism } = this.c;
      const onDisk = await files.readLive();
      if (onDisk instanceof FileRefused) {
        // Deleted, or a link, hard link, FIFO, directory or oversized file: never a genome. Put the live one back.
        await files.restore(live.current.source);
        return;
      }
      if (onDisk === live.current.source) return;
      const stat = lineChanges(live.current.source, onDisk);
      const row = store.promote(
        live.id,
        this.d.promotions.judgedAlready({
          organism: organism.name,
          source: onDisk,
          cause: 'external',
          summary: `live.js was edited outside Ouroboros (${stat})`,
          detail: { editedFile: files.liveFile },
        }),
      );
      live.replace(row);
      this.d.recovery.release();
      store.insertEvent(organism.name, 'external', row.id, { generation: row.generation, summary: row.summary });
      this.c.events.emit('promoted', { organism: organism.name, cause: 'external', generation: row.generation, genomeId: row.id, summary: row.summary });
      this.c.say('watcher', 'warn', `outside edit of live.js (${stat}) recorded as generation ${row.generation}`);
      this.d.wake();
    });
  }
}

/** "+2 -1 lines", for people reading the history. */
function lineChanges(before: string, after: string): string {
  let added = 0;
  let removed = 0;
  for (const part of diffLines(before, after)) {
    if (part.added) added += part.count ?? 0;
    if (part.removed) removed += part.count ?? 0;
  }
  return `+${added} -${removed} lines`;
}
