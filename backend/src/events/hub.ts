/**
 * The connected streams. Each client catches up from its cursor (page by page, from the journal), then goes live
 * and gets every new event its filter takes: the same frame, serialized once, written to all of them.
 *
 * Memory per client is bounded by `clientBufferBytes` of unread bytes (written, not yet taken by the kernel). A
 * live client that passes the bound (a burst, or a client that stopped reading) is written nothing more: it falls
 * back to catching up from the journal once its socket drains, from the last event it was given. A client whose
 * socket does not drain within `stallMs` is dropped; it resumes from its cursor when it reconnects, or gets a
 * resync. Heartbeats keep proxies from closing a quiet stream and tell the client the stream is alive.
 */
import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { resyncMessage } from './cursor.js';
import { matches, type EventFilter } from './filter.js';
import { controlFrame, openingFrame } from './frame.js';
import type { EventJournal } from './journal.js';
import type { RingEntry } from './ring.js';
import type { ResyncReason } from './types.js';

export interface HubOptions {
  heartbeatMs: number;
  /** Unread bytes a client may have queued on the server; past them it is written nothing until it drains. */
  clientBufferBytes: number;
  /** How long a client over the bound may take to drain before it is dropped (default: two heartbeats). */
  stallMs?: number;
  /** Events per page of a catch-up. */
  pageSize?: number;
  /** Told when a client is dropped for not reading (for the server's own log; never the LogBook, which publishes). */
  onDrop?: (info: { unreadBytes: number; filter: EventFilter }) => void;
}

interface Client {
  res: ServerResponse;
  filter: EventFilter;
  live: boolean;
  /** The ready event was sent (once: a client that lagged and caught up again is not told twice). */
  announced: boolean;
  replayed: number;
  /** The newest event id written to it (or covered: a live-from-now client starts at the journal's head). */
  sentThrough: number;
}

export interface HubStats {
  clients: number;
  live: number;
  opened: number;
  /** Clients that fell behind and caught up again from the journal. */
  lagged: number;
  dropped: number;
  /** Bytes queued for all clients together (written, not yet taken by the kernel). */
  unreadBytes: number;
}

/** Events per page of a catch-up: a page is held until sent, so it stays small. */
const PAGE_SIZE = 200;
/** What EventSource waits before reconnecting (a hand-written client may choose its own). */
const RETRY_MS = 2000;
/** A stream that does not end when asked (its client stopped reading) is cut after this. */
const END_GRACE_MS = 1000;
/** How often a client over its bound is looked at again. */
const DRAIN_POLL_MS = 20;

export const SSE_HEADERS: Readonly<OutgoingHttpHeaders> = {
  'content-type': 'text/event-stream; charset=utf-8',
  // Proxies must neither cache nor transform nor buffer the stream (X-Accel-Buffering: nginx and those like it).
  'cache-control': 'no-cache, no-transform',
  'x-accel-buffering': 'no',
};

export class StreamHub {
  private readonly clients = new Set<Client>();
  private readonly sockets = new Set<Socket>();
  /** Published in this tick, written to the live clients together (flush). */
  private pending: RingEntry[] = [];
  private readonly timer: NodeJS.Timeout;
  private readonly unsubscribe: () => void;
  private readonly stallMs: number;
  private closing = false;
  private opened = 0;
  private lagged = 0;
  private dropped = 0;

  constructor(
    private readonly journal: EventJournal,
    private readonly o: HubOptions,
  ) {
    this.stallMs = o.stallMs ?? 2 * o.heartbeatMs;
    this.unsubscribe = journal.onEvent((e) => this.fanOut(e));
    this.timer = setInterval(() => this.heartbeat(), o.heartbeatMs);
    this.timer.unref();
  }

  /** Starts a stream on `res` (headers not sent yet): from `cursor` when given (replay or resync), else from now. */
  open(res: ServerResponse, headers: OutgoingHttpHeaders, filter: EventFilter, cursor: number | null): void {
    if (this.closing) {
      res.writeHead(503, { 'content-type': 'application/json' }).end(JSON.stringify({ statusCode: 503, code: 'SHUTTING_DOWN', message: 'The server is shutting down; reconnect in a moment.' }));
      return;
    }
    res.writeHead(200, { ...headers, ...SSE_HEADERS });
    // The server's idle timeout (10 s) would cut a quiet stream between heartbeats; a stream nothing could be
    // written to for longer than its stall allowance is cut anyway.
    res.socket?.setTimeout(Math.max(this.o.heartbeatMs, this.stallMs) + 5000);
    // Headers and the first bytes leave at once: a proxy that waits for a body would otherwise hold the stream back.
    res.write(openingFrame(RETRY_MS));
    const c: Client = { res, filter, live: false, announced: false, replayed: 0, sentThrough: cursor ?? 0 };
    this.clients.add(c);
    this.opened++;
    res.on('close', () => this.clients.delete(c));
    // A socket that carried a stream is never idle to Node's HTTP server (its response never ended), so the server's
    // close would wait for it until the connection timeout: the hub destroys it when it closes.
    const socket = res.socket;
    if (socket && !this.sockets.has(socket)) {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    }
    if (cursor === null) this.goLive(c);
    else void this.catchUp(c, cursor);
  }

  stats(): HubStats {
    let live = 0;
    let unreadBytes = 0;
    for (const c of this.clients) {
      if (c.live) live++;
      unreadBytes += c.res.writableLength;
    }
    return { clients: this.clients.size, live, opened: this.opened, lagged: this.lagged, dropped: this.dropped, unreadBytes };
  }

  /** Ends every stream (the server is stopping); clients reconnect with their cursor. */
  close(): void {
    this.closing = true;
    clearInterval(this.timer);
    this.unsubscribe();
    for (const c of this.clients) {
      c.live = false;
      c.res.end();
      c.res.socket?.end();
      setTimeout(() => c.res.destroy(), END_GRACE_MS).unref();
    }
    for (const socket of this.sockets) setTimeout(() => socket.destroy(), END_GRACE_MS).unref();
  }

  /**
   * Events published in the same tick go out together, one write per client: a chaos publishes a burst (its
   * promotion, the state changes, log lines) that would otherwise cost a write per event to every client. A
   * microtask, not setImmediate: the batch leaves as soon as the code that published it returns, not after the rest
   * of the event loop's turn (other requests, other runs' output), which delayed every event of a burst.
   */
  private fanOut(e: RingEntry): void {
    this.pending.push(e);
    if (this.pending.length === 1) queueMicrotask(() => this.flush());
  }

  private flush(): void {
    const batch = this.pending;
    if (batch.length === 0) return;
    this.pending = [];
    let all: Buffer | null = null;
    for (const c of this.clients) {
      if (!c.live) continue;
      // A client that caught up from the journal in this tick was written these events already.
      const wanted = batch.filter((e) => e.id > c.sentThrough && matches(c.filter, e));
      if (wanted.length === 0) continue;
      const bytes = wanted.reduce((n, e) => n + e.frame.length, 0);
      if (c.res.writableLength + bytes <= this.o.clientBufferBytes) {
        c.res.write(wanted.length === batch.length ? (all ??= Buffer.concat(batch.map((e) => e.frame))) : Buffer.concat(wanted.map((e) => e.frame)));
        c.sentThrough = (wanted[wanted.length - 1] as RingEntry).id;
        continue;
      }
      // Past the bound: one event at a time while there is room (the bound is passed by one event at most), then
      // it falls back to catching up from the journal from the last event written to it.
      for (const e of wanted) {
        if (this.full(c)) break;
        c.res.write(e.frame);
        c.sentThrough = e.id;
      }
      if (c.sentThrough < (wanted[wanted.length - 1] as RingEntry).id) {
        c.live = false;
        this.lagged++;
        void this.catchUp(c, c.sentThrough);
      }
    }
  }

  private heartbeat(): void {
    // The heartbeat's id is a cursor: what it covers must have been written first.
    this.flush();
    if (this.clients.size === 0) return;
    const id = this.journal.lastId;
    const frame = Buffer.from(controlFrame({ type: 'heartbeat', id, at: new Date().toISOString() }));
    for (const c of this.clients) if (c.live && !this.full(c)) c.res.write(frame);
  }

  private full(c: Client): boolean {
    return c.res.writableLength > this.o.clientBufferBytes;
  }

  /**
   * Sends the events after `cursor` from the journal, stopping whenever the client's unread bytes pass the bound
   * until its socket drains, until it reaches the newest event; then, in the same tick (nothing can be published
   * in between), it goes live. A client that does not drain in time is dropped.
   */
  private async catchUp(c: Client, cursor: number): Promise<void> {
    let after = cursor;
    // The rest of the page read last, and how far that page looked: a page is read once, however slowly it is sent.
    let pending: RingEntry[] = [];
    let pageThrough = cursor;
    for (;;) {
      if (c.res.destroyed || !this.clients.has(c)) return;
      if (this.full(c)) {
        if (!(await drained(c.res, this.o.clientBufferBytes, this.stallMs))) {
          this.drop(c);
          return;
        }
        continue;
      }
      if (pending.length === 0) {
        const r = this.journal.read(after, c.filter, this.o.pageSize ?? PAGE_SIZE);
        if ('resync' in r) {
          this.resync(c, cursor, r.resync);
          return;
        }
        pending = r.entries;
        pageThrough = r.through;
      }
      let written = 0;
      while (written < pending.length && !this.full(c)) c.res.write((pending[written++] as RingEntry).frame);
      c.replayed += written;
      if (written > 0) after = c.sentThrough = (pending[written - 1] as RingEntry).id;
      pending = pending.slice(written);
      if (pending.length === 0) {
        after = c.sentThrough = pageThrough;
        if (after === this.journal.lastId) {
          this.goLive(c);
          return;
        }
      }
      // Let the rest of the server run between pages.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  private drop(c: Client): void {
    if (!this.clients.delete(c)) return;
    this.dropped++;
    const unreadBytes = c.res.writableLength;
    c.res.destroy();
    this.o.onDrop?.({ unreadBytes, filter: c.filter });
  }

  private resync(c: Client, cursor: number, reason: ResyncReason): void {
    const b = this.journal.bounds();
    c.res.write(controlFrame({ type: 'resync', id: b.latest, reason, cursor, oldest: b.oldest, message: resyncMessage(reason, cursor, b) }));
    this.goLive(c);
  }

  private goLive(c: Client): void {
    c.live = true;
    // Everything up to the head was sent (a catch-up) or came before this client (live from now).
    c.sentThrough = Math.max(c.sentThrough, this.journal.lastId);
    if (c.announced) return;
    c.announced = true;
    c.res.write(
      controlFrame({
        type: 'ready',
        id: this.journal.lastId,
        replayed: c.replayed,
        organism: c.filter.organism,
        types: c.filter.types ? [...c.filter.types] : null,
        heartbeatMs: this.o.heartbeatMs,
      }),
    );
  }
}

/**
 * True when the client's unread bytes fell to half the bound within `ms`; false when not, or the response closed.
 * Its 'drain' event ends the wait early, but is not relied on: a response emits it only after a write returned
 * false, which depends on the socket's high-water mark (16 KiB on Node 20, 64 KiB on 22), not on the bound.
 */
function drained(res: ServerResponse, bound: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  return new Promise((resolve) => {
    let timer: NodeJS.Timeout | null = null;
    const check = () => {
      const ok = !res.destroyed && res.writableLength <= bound / 2;
      if (ok || res.destroyed || Date.now() >= deadline) {
        if (timer) clearTimeout(timer);
        res.off('drain', check);
        resolve(ok);
      } else timer = setTimeout(check, DRAIN_POLL_MS);
    };
    res.on('drain', check);
    check();
  });
}
