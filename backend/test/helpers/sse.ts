/**
 * A Server-Sent Events reader over fetch and a ReadableStream, as the dashboard reads GET /events (EventSource
 * cannot send an Authorization header), with the contract's parser.
 */
import { SseParser } from '@ouroboros/contract';

export { SseParser };
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
