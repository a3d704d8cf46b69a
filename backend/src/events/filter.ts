/** Which events a stream wants: one organism's or all, some types or all. Pure. */
import { JOURNAL_EVENT_TYPES, type JournalEventType } from './types.js';

export interface EventFilter {
  /** null: every organism. */
  organism: string | null;
  /** null: every type. */
  types: readonly JournalEventType[] | null;
}

export const EVERYTHING: EventFilter = { organism: null, types: null };

export function matches(f: EventFilter, e: { organism: string; type: string }): boolean {
  if (f.organism !== null && e.organism !== f.organism) return false;
  return f.types === null || (f.types as readonly string[]).includes(e.type);
}

/** `?types=run,state`: the types asked for, or null for all of them. */
export function parseTypes(list: string | undefined): { types: JournalEventType[] | null } | { error: string } {
  if (list === undefined) return { types: null };
  const asked = [...new Set(list.split(',').map((t) => t.trim()).filter(Boolean))];
  const unknown = asked.filter((t) => !(JOURNAL_EVENT_TYPES as readonly string[]).includes(t));
  if (unknown.length > 0 || asked.length === 0) {
    return { error: `${unknown.length ? `Unknown event type${unknown.length > 1 ? 's' : ''} ${unknown.map((t) => `"${t.slice(0, 40)}"`).join(', ')}` : 'No event type given'} in types. Valid: ${JOURNAL_EVENT_TYPES.join(', ')}.` };
  }
  return { types: asked as JournalEventType[] };
}
