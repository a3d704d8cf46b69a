/**
 * De-duplication of lasting conditions. Pure: the caller gives the time. A condition raised again while it lasts
 * (a flapping organism re-entering its crash loop) is not told again; one that lasts is reminded every
 * `reminderMs` (0: never) until it is cleared.
 */
import type { Signal } from './conditions.js';

interface Raised {
  signal: Signal;
  since: number;
  lastToldAt: number;
}

export class ConditionTracker {
  private readonly raised = new Map<string, Raised>();

  constructor(private readonly reminderMs: number) {}

  /** True when the condition is new and must be told; false while it already lasts. */
  raise(signal: Signal, now: number): boolean {
    if (this.raised.has(signal.key)) return false;
    this.raised.set(signal.key, { signal, since: now, lastToldAt: now });
    return true;
  }

  /** Ends every condition whose key starts with one of the prefixes. */
  clear(prefixes: readonly string[]): void {
    for (const key of this.raised.keys()) {
      if (prefixes.some((p) => key === p || key.startsWith(`${p}:`))) this.raised.delete(key);
    }
  }

  /** The conditions due for a reminder at `now`, marked as told. */
  due(now: number): { signal: Signal; since: number }[] {
    if (this.reminderMs <= 0) return [];
    const out: { signal: Signal; since: number }[] = [];
    for (const r of this.raised.values()) {
      if (now - r.lastToldAt < this.reminderMs) continue;
      r.lastToldAt = now;
      out.push({ signal: r.signal, since: r.since });
    }
    return out;
  }

  /** When the next reminder falls due, or null when none can. */
  nextDueAt(): number | null {
    if (this.reminderMs <= 0 || this.raised.size === 0) return null;
    return Math.min(...[...this.raised.values()].map((r) => r.lastToldAt + this.reminderMs));
  }

  get active(): string[] {
    return [...this.raised.keys()];
  }
}
