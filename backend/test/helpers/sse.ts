/**
 * A Server-Sent Events reader over fetch and a ReadableStream, as the dashboard reads GET /events (EventSource
 * cannot send an Authorization header). The parser follows the HTML standard's rules: lines end with CRLF, LF or
 * CR; `:` starts a comment; a blank line dispatches, and commits the `id` as the cursor even without data.
 */
export interface SseMessage {
  id: string | null;
  event: string;
  data: string;
}

export class SseParser {
  private buffer = '';
  private data: string[] = [];
  private event = '';
  private idBuffer: string | null = null;
  /** The id of the last event dispatched: what a client sends back as Last-Event-ID. */
  lastEventId: string | null = null;
  retry: number | null = null;

  push(text: string): SseMessage[] {
    this.buffer += text;
    // A CR at the very end may be the first half of a CRLF: keep it for the next chunk.
    const upTo = this.buffer.endsWith('\r') ? this.buffer.length - 1 : this.buffer.length;
    const last = Math.max(this.buffer.lastIndexOf('\n', upTo - 1), this.buffer.lastIndexOf('\r', upTo - 1));
    if (last === -1) return [];
    const lines = this.buffer.slice(0, last + 1).split(/\r\n|\r|\n/);
    lines.pop();
    this.buffer = this.buffer.slice(last + 1);
    const out: SseMessage[] = [];
    for (const line of lines) {
      if (line === '') {
        // An id counts once its event is complete: a frame cut short must be sent again.
        this.lastEventId = this.idBuffer;
        if (this.data.length > 0) out.push({ id: this.lastEventId, event: this.event || 'message', data: this.data.join('\n') });
        this.data = [];
        this.event = '';
        continue;
      }
      if (line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon === -1 ? line : line.slice(0, colon);
      let value = colon === -1 ? '' : line.slice(colon + 1);
      if (value.startsWith(' ')) value = value.slice(1);
      if (field === 'data') this.data.push(value);
      else if (field === 'event') this.event = value;
      else if (field === 'id' && !value.includes('\0')) this.idBuffer = value;
      else if (field === 'retry' && /^\d+$/.test(value)) this.retry = Number(value);
    }
    return out;
  }
}

export interface Received {
  id: string | null;
  event: string;
  data: any;
}

export interface OpenStream {
  status: number;
  headers: Headers;
  /** Every event received so far, data parsed as JSON. */
  events: Received[];
  parser: SseParser;
  /** Resolves with the first event received (or already received, from index `from`) that `accept` takes. */
  next(accept: (e: Received) => boolean, opts?: { timeoutMs?: number; from?: number }): Promise<Received>;
  /** Resolves when the server ends the stream. */
  ended: Promise<void>;
  close(): void;
}

/** Opens GET `url` as a stream; a non-200 answer is returned with its body as the one event. */
export async function openStream(url: string, init: { headers?: Record<string, string> } = {}): Promise<OpenStream> {
  const controller = new AbortController();
  const res = await fetch(url, { headers: { accept: 'text/event-stream', ...init.headers }, signal: controller.signal });
  const events: Received[] = [];
  const parser = new SseParser();
  const waiters = new Set<() => void>();
  const wake = () => {
    for (const w of waiters) w();
  };
  let done = false;
  if (res.status !== 200) {
    events.push({ id: null, event: 'error', data: await res.json().catch(() => null) });
    done = true;
  }
  const ended = (async () => {
    if (!res.body || done) return;
    const decoder = new TextDecoder();
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        for (const m of parser.push(decoder.decode(chunk, { stream: true }))) {
          events.push({ id: m.id, event: m.event, data: JSON.parse(m.data) });
        }
        wake();
      }
    } catch {
      // aborted by close(), or the connection broke
    } finally {
      done = true;
      wake();
    }
  })();
  return {
    status: res.status,
    headers: res.headers,
    events,
    parser,
    ended,
    next(accept, { timeoutMs = 20_000, from = 0 } = {}) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = events.slice(from).find(accept);
          if (found) {
            finish();
            resolve(found);
          } else if (done) {
            finish();
            reject(new Error(`the stream ended before the event came; got: ${events.map((e) => e.event).join(', ')}`));
          }
        };
        const timer = setTimeout(() => {
          finish();
          reject(new Error(`no such event within ${timeoutMs} ms; got ${events.length}: ${events.slice(-20).map((e) => `${e.id}:${e.event}`).join(', ')}`));
        }, timeoutMs);
        const finish = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
    close() {
      controller.abort();
    },
  };
}
