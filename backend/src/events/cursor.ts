/**
 * Cursor arithmetic of the event stream, pure: where a client resumes from, and whether the journal can still
 * give it every event it missed (replay) or it must refetch the REST resources (resync).
 */
import type { ResyncReason } from './types.js';

/** What the journal holds right now. */
export interface JournalBounds {
  /** The newest id (0 before the first event). */
  latest: number;
  /** The oldest id still in the store (latest + 1 when it holds none). */
  oldest: number;
  /** The oldest id in the memory ring (latest + 1 when it is empty). */
  ringFirst: number;
  /** The newest id whose store write failed (0: none): a replay from the store across it would have a gap. */
  lost: number;
}

/** Where the next events after a cursor come from. */
export type ReadPlan = { from: 'head' } | { from: 'ring' } | { from: 'store' } | { from: 'resync'; reason: ResyncReason };

export function planRead(after: number, b: JournalBounds): ReadPlan {
  if (after > b.latest) return { from: 'resync', reason: 'ahead' };
  if (after === b.latest) return { from: 'head' };
  if (after + 1 >= b.ringFirst) return { from: 'ring' };
  if (after + 1 < b.oldest) return { from: 'resync', reason: 'expired' };
  // The ring holds what the store lost; only the part before the ring is read from the store.
  if (b.lost > after && b.lost < b.ringFirst) return { from: 'resync', reason: 'lost' };
  return { from: 'store' };
}

export function resyncMessage(reason: ResyncReason, cursor: number, b: JournalBounds): string {
  switch (reason) {
    case 'expired':
      return `Event ${cursor + 1} is no longer kept (the oldest is ${b.oldest}): refetch the REST resources, then apply the events that follow.`;
    case 'ahead':
      return `This server has no event ${cursor} (its newest is ${b.latest}): its store was reset or lost its newest events. Refetch the REST resources, then apply the events that follow.`;
    case 'lost':
      return `Some events after ${cursor} could not be stored (a storage fault): refetch the REST resources, then apply the events that follow.`;
  }
}

const WHOLE = /^\d{1,15}$/;

/**
 * The cursor a client resumes from: the Last-Event-ID header (what EventSource sends when it reconnects, and
 * what wins, since it reconnects to the URL it first opened) or `?since=`. Null: start from now.
 */
export function parseCursor(lastEventId: string | string[] | undefined, since: number | undefined): { cursor: number | null } | { error: string } {
  const header = Array.isArray(lastEventId) ? lastEventId[0] : lastEventId;
  if (header !== undefined && header.trim() !== '') {
    const v = header.trim();
    if (!WHOLE.test(v)) {
      return { error: `Last-Event-ID "${v.slice(0, 40)}" is not an event id: send the id of the last event received (a whole number), or leave the header out to start from now.` };
    }
    return { cursor: Number(v) };
  }
  return { cursor: since ?? null };
}
