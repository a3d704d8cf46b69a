import { describe, expect, it } from 'vitest';
import { makeLog, makeRun, makeStatus } from '@/test/fixtures';
import { appendLogs, appendRuns, continueFeed, continueRuns, pageQuery, type Feed } from './feeds';
import type { LogEntry, Run } from '@ouroboros/contract';

const runs = (ids: number[], restarts = 0): Feed<Run> => ({ items: ids.map((id) => makeRun(id)), cursor: ids.at(-1) ?? null, restarts });

describe('feeds', () => {
  it('asks for the first page without since, and for what follows the cursor after it', () => {
    expect(pageQuery(200, null)).toEqual({ limit: 200 });
    expect(pageQuery(200, 7)).toEqual({ limit: 200, since: 7 });
  });

  it('takes the backend lastSeq as the cursor when the first page is empty, and keeps it when nothing is new', () => {
    const first = appendLogs(continueFeed<LogEntry>(undefined, 0), { entries: [], count: 0, lastSeq: 12 });
    expect(first.cursor).toBe(12);
    expect(appendLogs(first, { entries: [], count: 0, lastSeq: 12 }).cursor).toBe(12);
    expect(appendLogs(first, { entries: [makeLog(13), makeLog(14)], count: 2, lastSeq: 14 })).toMatchObject({ cursor: 14 });
  });

  it('starts over after a restart, or when the run ids went back', () => {
    expect(continueFeed(runs([1, 2]), 1)).toEqual({ items: [], cursor: null, restarts: 1 });
    expect(continueRuns(runs([5, 6]), 0, makeStatus({ lastRun: makeRun(2) })).cursor).toBeNull();
    expect(continueRuns(runs([5, 6]), 0, makeStatus({ lastRun: makeRun(9) })).cursor).toBe(6);
  });

  it('keeps out the runs the status does not count yet, and asks for them again', () => {
    const feed = appendRuns(runs([1]), { runs: [makeRun(2), makeRun(3)], count: 2 }, makeStatus({ lastRun: makeRun(2) }));
    expect(feed.items.map((r) => r.id)).toEqual([1, 2]);
    expect(feed.cursor).toBe(2);
  });
});
