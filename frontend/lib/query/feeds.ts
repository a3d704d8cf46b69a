/**
 * The logs and the runs are feeds: the first request takes the newest page, every later one asks only for what
 * came after the cursor (`since`), and what arrives is appended to a bounded buffer. Pure, so the merge and the
 * cursor rules are tested without a backend.
 */
import type { LogEntry, LogsResponse, Run, RunsResponse } from '@ouroboros/contract';
import type { Status } from '../tolerant-schemas';

export const MAX_LOGS = 500;
export const MAX_RUNS = 60;
export const LOG_PAGE = 200;

/** What a feed query holds: the buffer, where to ask from next, and the backend restart it belongs to. */
export interface Feed<T> {
  items: T[];
  /** The `since` of the next request; null: ask for the newest page. */
  cursor: number | null;
  restarts: number;
}

/** Append log entries newer than what we hold, keep at most `max` (the newest). */
export function mergeLogs(kept: LogEntry[], incoming: LogEntry[], max = MAX_LOGS): LogEntry[] {
  if (incoming.length === 0) return kept;
  const lastSeq = kept.length > 0 ? kept[kept.length - 1]!.seq : -Infinity;
  const fresh = incoming.filter((e) => e.seq > lastSeq);
  if (fresh.length === 0) return kept;
  const merged = kept.concat(fresh);
  return merged.length > max ? merged.slice(merged.length - max) : merged;
}

/**
 * Append runs newer than what we hold and no newer than `upToId` (the status's last run: a run the status does not
 * count yet would make the chart disagree with the counts), keep at most `max` (the newest).
 */
export function mergeRuns(kept: Run[], incoming: Run[], max = MAX_RUNS, upToId = Infinity): Run[] {
  if (incoming.length === 0) return kept;
  const lastId = kept.length > 0 ? kept[kept.length - 1]!.id : -Infinity;
  const fresh = incoming.filter((r) => r.id > lastId && r.id <= upToId).sort((a, b) => a.id - b.id);
  if (fresh.length === 0) return kept;
  const merged = kept.concat(fresh);
  return merged.length > max ? merged.slice(merged.length - max) : merged;
}

/** The feed to continue from: the one held, or an empty one after the backend restarted. */
export function continueFeed<T>(held: Feed<T> | undefined, restarts: number): Feed<T> {
  if (held === undefined || held.restarts !== restarts) return { items: [], cursor: null, restarts };
  return held;
}

/** The `since` query for a feed: none on the first page. */
export function pageQuery(limit: number, cursor: number | null): { limit: number; since?: number } {
  return cursor === null ? { limit } : { limit, since: cursor };
}

/**
 * The run feed to continue from, given the newest status: its run ids went back (a fresh data dir) when the
 * status's last run is older than our cursor, or there are no runs at all any more.
 */
export function continueRuns(held: Feed<Run> | undefined, restarts: number, status: Status | undefined): Feed<Run> {
  const feed = continueFeed(held, restarts);
  if (feed.cursor === null || status === undefined) return feed;
  const wentBack = status.lastRun === null ? status.stats.totalRuns === 0 : status.lastRun.id < feed.cursor;
  return wentBack ? { items: [], cursor: null, restarts } : feed;
}

/** The run feed after a page arrived; runs the status does not count yet stay out (and are asked for again). */
export function appendRuns(feed: Feed<Run>, page: RunsResponse, status: Status | undefined): Feed<Run> {
  const items = mergeRuns(feed.items, page.runs, MAX_RUNS, status?.lastRun?.id ?? -Infinity);
  const last = items[items.length - 1];
  return { items, cursor: last ? last.id : feed.cursor, restarts: feed.restarts };
}

/**
 * The log feed after a page arrived. The cursor advances to the newest entry received; with nothing new it stays,
 * or on the very first page takes the backend's lastSeq, so the next request asks only for what follows.
 */
export function appendLogs(feed: Feed<LogEntry>, page: LogsResponse): Feed<LogEntry> {
  const items = mergeLogs(feed.items, page.entries);
  const newest = page.entries.reduce((m, e) => Math.max(m, e.seq), feed.cursor ?? -Infinity);
  return { items, cursor: Number.isFinite(newest) ? newest : page.lastSeq, restarts: feed.restarts };
}
