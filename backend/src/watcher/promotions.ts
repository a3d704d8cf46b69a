import { applyChaos } from '../chaos/index.js';
import type { ChaosResult } from '../chaos/types.js';
import type { OrganismFiles } from '../files/organism-files.js';
import { checkSourceSize } from '../files/source-size.js';
import { StaleLiveGenomeError, type GenomeRow, type NewGenome } from '../genome/store.js';
import { Mutex } from '../lib/mutex.js';
import { createRng } from '../lib/rng.js';
import type { Verifier } from '../verification/verifier.js';
import type { Logger } from 'pino';
import type { OrganismContext } from './context.js';
import type { Recovery } from './recovery.js';

export interface ChaosInjection {
  result: Omit<ChaosResult, 'source'>;
  seed: number;
  genome: GenomeRow;
}

/** Tries of a chaos injection that keeps losing the race for the live genome before it answers 409 BUSY. */
const CHAOS_ATTEMPTS = 3;
/** A promotion (its wait for the organism's lock included) this slow is logged with where the time went. */
const SLOW_PROMOTION_MS = 2000;

export interface PromotionsDeps {
  files: OrganismFiles;
  verifier: Verifier;
  recovery: Recovery;
  /** Runs the loop now: a new live genome is judged at once. */
  wake: () => void;
  isPaused: () => boolean;
  /** The server's log, for promotions slow enough to explain. */
  logger: Pick<Logger, 'warn'>;
}

/**
 * Every way a new genome becomes live (a heal, chaos, a rollback, evolution), one at a time: the store's
 * compare-and-swap and live.js as one unit, and the genome's trust taken from the verifier, never from its promoter.
 */
export class Promotions {
  private readonly mutex = new Mutex();

  constructor(
    private readonly c: OrganismContext,
    private readonly d: PromotionsDeps,
  ) {}

  /** Runs `fn` while no promotion runs: our own writes of live.js are never mistaken for an outside edit. */
  exclusive<T>(fn: () => Promise<T> | T): Promise<T> {
    return this.mutex.runExclusive(fn);
  }

  /**
   * Makes a new genome live: the store's compare-and-swap and live.js as one unit (src/files: if the file cannot
   * be written, the store is put back and a StorageError is thrown). The new live.js is staged (written and fsynced)
   * before the lock, so a queue of promotions waits on one another's commits only, never on each other's staging;
   * the commit and the rename, then the directory's fsync, are serialised, so two promotions can never interleave
   * their file writes and live.js is never more than one generation behind the store after a power cut.
   * A source over MAX_SOURCE_BYTES throws SourceTooLarge, and nothing changes.
   */
  async promote(expectedLiveId: string, g: NewGenome): Promise<GenomeRow> {
    const { store, live, events } = this.c;
    checkSourceSize(g.source, this.d.files.maxBytes, `the ${g.cause} genome`);
    const asked = performance.now();
    const staged = await this.d.files.stageLive(g.source);
    const stagedAt = performance.now();
    let began = stagedAt;
    try {
      return await this.exclusive(async () => {
        began = performance.now();
        const row = staged.commit(
          () => store.promote(expectedLiveId, this.judgedAlready(g)),
          (r) => store.undoPromotion(r),
        );
        await staged.durable();
        live.replace(row);
        this.d.recovery.promoted();
        store.insertEvent(this.c.organism.name, g.cause, row.id, { generation: row.generation, summary: row.summary });
        events.emit('promoted', { organism: this.c.organism.name, cause: row.cause, generation: row.generation, genomeId: row.id, summary: row.summary });
        this.d.wake();
        return row;
      });
    } finally {
      await staged.discard();
      this.reportIfSlow(g, asked, stagedAt, began);
    }
  }

  /** A chaos request or a heal waits in promote behind the organism's other promotions: say which part was slow. */
  private reportIfSlow(g: NewGenome, asked: number, stagedAt: number, began: number): void {
    const done = performance.now();
    if (done - asked < SLOW_PROMOTION_MS) return;
    const [stagedMs, waitedMs, tookMs] = [stagedAt - asked, began - stagedAt, done - began].map(Math.round);
    const organism = this.c.organism.name;
    this.d.logger.warn(
      { organism, cause: g.cause, stagedMs, waitedMs, tookMs },
      `slow promotion: ${g.cause} of ${organism} took ${stagedMs} ms to stage, waited ${waitedMs} ms for its turn and took ${tookMs} ms to commit`,
    );
  }

  /**
   * Whatever made it, a new genome's trust comes from the verifier's record of its source against the current suite,
   * never from its promoter: known code (a heal's verified candidate, a rollback) is judged already, the rest pending.
   */
  judgedAlready(g: NewGenome): NewGenome {
    const { verification: _ignored, ...rest } = g;
    const known = this.d.verifier.known(g.source);
    return known ? { ...rest, verification: { state: known.outcome, detail: known.detail } } : rest;
  }

  async injectChaos(type: string, seed: number): Promise<ChaosInjection> {
    const organism = this.c.organism.name;
    if (this.d.isPaused()) throw new PausedError();
    // The operator asked to damage whatever is live: when a heal, a rollback or other chaos is promoted while this
    // waits its turn, apply the same chaos to the genome that won instead of refusing (a few times, then 409 BUSY).
    for (let attempt = 1; ; attempt++) {
      const base = this.c.live.current;
      // Pure and synchronous: unknown types and inapplicable operators throw before anything changes.
      const result = applyChaos(type, base.source, createRng(seed));
      const { source, ...described } = result;
      try {
        const genome = await this.promote(base.id, { organism, source, cause: 'chaos', summary: result.description, detail: { chaos: described, seed } });
        this.c.events.emit('chaos', { organism, type: result.type, line: result.line, description: result.description, genomeId: genome.id, generation: genome.generation });
        this.c.say('chaos', 'warn', `${result.type} at line ${result.line}: ${result.description} -> generation ${genome.generation}`);
        return { result: described, seed, genome };
      } catch (err) {
        if (err instanceof StaleLiveGenomeError && attempt < CHAOS_ATTEMPTS && !this.d.isPaused()) continue;
        throw err;
      }
    }
  }

  async rollback(target: GenomeRow): Promise<GenomeRow> {
    const genome = await this.promote(this.c.live.id, {
      organism: this.c.organism.name,
      source: target.source,
      cause: 'rollback',
      summary: `rolled back to generation ${target.generation} (${target.id})`,
      detail: { rolledBackTo: target.id, rolledBackGeneration: target.generation },
    });
    this.c.say('watcher', 'warn', `rolled back to generation ${target.generation}: generation ${genome.generation} is live`);
    return genome;
  }
}

export class PausedError extends Error {
  override name = 'PausedError';
}
