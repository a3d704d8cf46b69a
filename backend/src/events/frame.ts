/**
 * Server-Sent Events framing, pure. Every event is one frame: `id:` (the cursor, so EventSource's
 * Last-Event-ID and a hand-written reader resume from it), `event:` (its type) and one `data:` line of JSON
 * (JSON.stringify never writes a raw line break).
 */
import type { ControlEvent, JournalEvent } from './types.js';

export function sseFrame(id: number, type: string, json: string): string {
  return `id: ${id}\nevent: ${type}\ndata: ${json}\n\n`;
}

export function journalFrame(e: JournalEvent): string {
  return sseFrame(e.id, e.type, JSON.stringify(e));
}

export function controlFrame(e: ControlEvent): string {
  return sseFrame(e.id, e.type, JSON.stringify(e));
}

/** The first bytes of a stream: how long EventSource waits before reconnecting, and something for proxies to pass on at once. */
export function openingFrame(retryMs: number): string {
  return `retry: ${retryMs}\n: ouroboros event stream\n\n`;
}
