/**
 * Records in the audit trail what the watcher promotes by itself: a heal, an evolution's candidate, an edit of the
 * live file from outside. Promotions a request made (chaos, rollback) are the request's entry already.
 */
import type { Logger } from 'pino';
import type { Cause } from '../domain.js';
import type { SupervisorEvents } from '../watcher/events.js';
import type { AuditStore } from './audit-store.js';

const AUTOMATIC: ReadonlySet<Cause> = new Set(['heal', 'evolve', 'external']);

export interface Promoting {
  readonly name: string;
  readonly events: SupervisorEvents;
  readonly liveGenome: { readonly id: string };
}

/** Listens to every supervisor's promotions; returns the function that stops listening. */
export function auditPromotions(audit: AuditStore, supervisors: readonly Promoting[], logger: Logger): () => void {
  const offs: (() => void)[] = [];
  for (const s of supervisors) {
    // The genome each promotion replaced: the live one before it, followed through every promotion.
    let live = s.liveGenome.id;
    const listener = (e: { organism: string; cause: Cause; generation: number; genomeId: string; summary: string }) => {
      const before = live;
      live = e.genomeId;
      if (!AUTOMATIC.has(e.cause)) return;
      try {
        audit.record({
          action: 'promoted',
          method: null,
          path: null,
          organism: e.organism,
          genomeBefore: before,
          genomeAfter: e.genomeId,
          status: null,
          client: null,
          tokenFingerprint: null,
          detail: { cause: e.cause, generation: e.generation, summary: e.summary },
        });
      } catch (err) {
        logger.error({ err }, `audit: could not record the promotion of ${e.genomeId}`);
      }
    };
    s.events.on('promoted', listener);
    offs.push(() => s.events.off('promoted', listener));
  }
  return () => {
    for (const off of offs.splice(0)) off();
  };
}
