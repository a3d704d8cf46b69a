'use client';
/**
 * The live event stream of the organism in view (GET …/events). While it is open the page learns of each run, state
 * change, promotion and log line as it happens and refreshes just what the event changed; the one-second polls of
 * the status, runs and logs stop (the status keeps a slow poll, for the connection light). When the stream fails the
 * page falls back to polling every second, and tries the stream again with a growing delay. Reconnecting resumes
 * after the last event received, so nothing in between is missed.
 */
import { useQuery, useQueryClient, type QueryClient, type QueryKey } from '@tanstack/react-query';
import { useEffect } from 'react';
import { errorMessage, type ApiClient } from '../api';
import { SseParser } from '@ouroboros/contract';
import { useCacheValue, updateCacheValue } from './cache-value';
import { keys, scopeKey } from './keys';
import type { LogEntry, Status } from '@ouroboros/contract';
import { appendLogs, type Feed } from './feeds';
import { addTransition, MIN_REFRESH_GAP_MS, reconnectDelayMs, refreshesFor, type Refresh, type StreamEvent, type Transition } from './stream-events';

export interface Transport {
  mode: 'stream' | 'polling';
  /** Why the stream is not open, while it is not (null before the first attempt ends). */
  error: string | null;
}

export const initialTransport: Transport = { mode: 'polling', error: null };
/** While the stream is open, the status is still asked for this often: the connection light's contact. */
export const STREAM_STATUS_POLL_MS = 5000;
/** Events that arrive together refresh a query once. */
const COALESCE_MS = 30;
/** The backend's default heartbeat, until its ready event says otherwise. */
const DEFAULT_HEARTBEAT_MS = 15_000;

export function useTransport(api: ApiClient): Transport {
  return useCacheValue(keys.transport(api), initialTransport);
}

/** True while the stream is open (the polls of what it pushes may stop). */
export function useStreaming(api: ApiClient): boolean {
  return useCacheValue(keys.transport(api), initialTransport, isStreaming);
}

const isStreaming = (t: Transport) => t.mode === 'stream';

export function useTransitions(api: ApiClient): Transition[] {
  return useCacheValue<Transition[]>(keys.transitions(api), []);
}

/** Opens and keeps open the stream of `api`'s organism for as long as the component using it is mounted. */
export function useEventStream(api: ApiClient): void {
  const client = useQueryClient();
  // The organism's name, from the status the header polls (this observer never fetches): the default organism's
  // stream is asked for by name, since the top-level /events carries every organism's events.
  const { data: organism } = useQuery({ queryKey: keys.status(api), enabled: false, select: (s: Status) => s.organism });
  useEffect(() => {
    if (!api.events || organism === undefined) return;
    const stop = new AbortController();
    void follow(api, api.organism === null ? api.forOrganism(organism) : api, client, stop.signal);
    return () => stop.abort();
  }, [api, client, organism]);
}

/** Follows `source`'s stream; what it learns goes into `api`'s queries (the organism in view). */
async function follow(api: ApiClient, source: ApiClient, client: QueryClient, stop: AbortSignal): Promise<void> {
  const setTransport = (t: Transport) => client.setQueryData(keys.transport(api), t);
  const refresh = refresher(client, api);
  let since: number | null = null;
  let failures = 0;
  while (!stop.aborted) {
    const attempt = new AbortController();
    const onStop = () => attempt.abort();
    stop.addEventListener('abort', onStop, { once: true });
    let watchdog: ReturnType<typeof setTimeout> | undefined;
    let why = 'the stream ended';
    try {
      const body = await source.events!(since, attempt.signal);
      const reader = body.getReader();
      const decoder = new TextDecoder();
      const parser = new SseParser();
      let heartbeatMs = DEFAULT_HEARTBEAT_MS;
      // Silence for two heartbeats means a dead stream (a proxy that holds it open without passing anything on).
      const arm = () => {
        clearTimeout(watchdog);
        watchdog = setTimeout(() => attempt.abort(), 2 * heartbeatMs + 1000);
      };
      arm();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        arm();
        for (const m of parser.push(decoder.decode(value, { stream: true }))) {
          const e = JSON.parse(m.data) as StreamEvent & { heartbeatMs?: number; entry?: LogEntry };
          if (m.id !== null && /^\d+$/.test(m.id)) since = Number(m.id);
          if (e.type === 'ready') {
            heartbeatMs = e.heartbeatMs ?? heartbeatMs;
            arm();
            failures = 0;
            setTransport({ mode: 'stream', error: null });
            // What happened before the stream opened (or while it was away) is read from the REST routes once.
            for (const r of refreshesFor('resync')) refresh(r);
            continue;
          }
          if (e.type === 'log' && e.entry) {
            const entry = e.entry;
            // Onto the feed the first page started (never before it: the page would skip what it lacks).
            client.setQueryData<Feed<LogEntry>>(keys.logs(api), (feed) => (feed && feed.cursor !== null ? appendLogs(feed, { entries: [entry], count: 1, lastSeq: entry.seq }) : feed));
          }
          if (e.type === 'state' && e.from && e.to && typeof e.id === 'number') {
            const t: Transition = { from: e.from, to: e.to, at: e.at ? Date.parse(e.at) : Date.now(), id: e.id };
            updateCacheValue<Transition[]>(client, keys.transitions(api), [], (kept) => addTransition(kept, t));
          }
          for (const r of refreshesFor(e.type)) refresh(r);
        }
      }
    } catch (e) {
      why = errorMessage(e);
    } finally {
      clearTimeout(watchdog);
      stop.removeEventListener('abort', onStop);
    }
    if (stop.aborted) return;
    failures++;
    setTransport({ mode: 'polling', error: why });
    await sleep(reconnectDelayMs(failures), stop);
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

/**
 * Refreshes a query soon after an event: at once when it was last refreshed more than its MIN_REFRESH_GAP_MS ago,
 * else at the end of that gap (events in between make that one refresh). A request while the query's fetch is in
 * flight makes one more after it, since its answer may predate the event.
 */
function refresher(client: QueryClient, api: ApiClient): (r: Refresh) => void {
  const key: Record<Refresh, QueryKey> = {
    status: keys.status(api),
    runs: keys.runs(api),
    logs: keys.logs(api),
    genomes: keys.genomes(api),
    evolution: keys.evolution(api),
    proposals: keys.proposals(api),
    counterexamples: [...scopeKey(api), 'counterexamples'],
  };
  const state = new Map<Refresh, { timer: ReturnType<typeof setTimeout> | null; running: boolean; again: boolean; lastAt: number }>();
  const run = async (r: Refresh) => {
    const s = state.get(r)!;
    if (s.running) {
      s.again = true;
      return;
    }
    s.running = true;
    s.lastAt = Date.now();
    try {
      await client.refetchQueries({ queryKey: key[r], type: 'active' }, { cancelRefetch: false });
    } catch {
      // A failed fetch shows on its widget; the next event or poll asks again.
    } finally {
      s.running = false;
      if (s.again) {
        s.again = false;
        schedule(r);
      }
    }
  };
  const schedule = (r: Refresh) => {
    let s = state.get(r);
    if (!s) state.set(r, (s = { timer: null, running: false, again: false, lastAt: -Infinity }));
    if (s.timer) return;
    const wait = Math.max(COALESCE_MS, s.lastAt + MIN_REFRESH_GAP_MS[r] - Date.now());
    s.timer = setTimeout(() => {
      s.timer = null;
      void run(r);
    }, wait);
  };
  return schedule;
}
