'use client';
/**
 * The page's one polling hook. Every `intervalMs` (1 s) it asks the backend for its status and,
 * when that answers, for the new runs, the new log entries (with `since`, so only what is new
 * crosses the wire), the organisms and, until it has them, the chaos types. The genome history
 * is the heaviest answer and changes rarely: it is asked for when the live genome or the state
 * changed, after an action, and otherwise every GENOME_REFRESH_MS (for its run counts).
 *
 * - It never overlaps requests: the next tick is scheduled when the current one ends.
 * - It pauses while the tab is hidden (document.visibilityState) and polls at once on return.
 * - It keeps a bounded amount of data: MAX_LOGS log entries, MAX_RUNS runs, DETAIL_CACHE_MAX genome details.
 * - The genome the page shows (select(id)) is fetched by the same poll, and asked for again on every poll until it
 *   arrives: it shows within one poll of being selected or created, whatever became of an earlier request.
 * - Connection: connecting -> connected; after a failure reconnecting; after `offlineAfter`
 *   consecutive failures offline. It keeps polling, so it recovers by itself.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiError, errorMessage, needsToken, type ApiClient } from './api';
import type { ChaosType, GenomeDetail, GenomeSummary, LogEntry, OrganismSummary, Run, Status } from './schemas';

export const POLL_INTERVAL_MS = 1000;
export const MAX_LOGS = 500;
export const MAX_RUNS = 60;
export const LOG_PAGE = 200;
export const GENOME_PAGE = 50;
/** The genome history's run counts go stale for at most this long while nothing else changes. */
export const GENOME_REFRESH_MS = 10_000;
export const OFFLINE_AFTER_FAILURES = 3;
/** Genome details are immutable (a diff never changes): kept by id, at most this many. */
export const DETAIL_CACHE_MAX = 50;

export type Connection = 'connecting' | 'connected' | 'reconnecting' | 'offline';
export type Section = 'status' | 'runs' | 'logs' | 'genomes' | 'chaosTypes' | 'organisms' | 'genome';

/** The genome the page shows in detail: its id, and its detail once it arrived (or why it did not). */
export interface Selection {
  id: string | null;
  detail: GenomeDetail | null;
  error: string | null;
}

export interface OuroborosData {
  connection: Connection;
  /** Date.now() of the last answer from the backend, null before the first one. */
  lastContactAt: number | null;
  consecutiveFailures: number;
  /** Why the backend could not be reached, while it cannot. */
  connectionError: string | null;
  status: Status | null;
  runs: Run[];
  logs: LogEntry[];
  genomes: GenomeSummary[] | null;
  genomesTotal: number;
  chaosTypes: ChaosType[] | null;
  /** Every organism of the backend at a glance (null until the first answer). */
  organisms: OrganismSummary[] | null;
  /** The genome selected with select(id), in detail. */
  selection: Selection;
  /** The backend refuses to answer without a token (OUROBOROS_PROTECT_READS). */
  unauthorized: boolean;
  /** Per-section errors (a contract break or an HTTP error on one endpoint). */
  errors: Partial<Record<Section, string>>;
  /** Number of completed polls, handy for tests and for "updated" hints. */
  polls: number;
}

export const initialData: OuroborosData = {
  connection: 'connecting',
  lastContactAt: null,
  consecutiveFailures: 0,
  connectionError: null,
  status: null,
  runs: [],
  logs: [],
  genomes: null,
  genomesTotal: 0,
  chaosTypes: null,
  organisms: null,
  selection: { id: null, detail: null, error: null },
  unauthorized: false,
  errors: {},
  polls: 0,
};

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
 * Append runs newer than what we hold and no newer than `upToId` (the status's last run: the runs are asked for
 * after the status, and a run the status does not count yet would make the chart disagree with the counts), keep
 * at most `max` (the newest).
 */
export function mergeRuns(kept: Run[], incoming: Run[], max = MAX_RUNS, upToId = Infinity): Run[] {
  if (incoming.length === 0) return kept;
  const lastId = kept.length > 0 ? kept[kept.length - 1]!.id : -Infinity;
  const fresh = incoming.filter((r) => r.id > lastId && r.id <= upToId).sort((a, b) => a.id - b.id);
  if (fresh.length === 0) return kept;
  const merged = kept.concat(fresh);
  return merged.length > max ? merged.slice(merged.length - max) : merged;
}

/** Does this failure mean "the backend is not there" (as opposed to "it answered oddly")? */
function isUnreachable(e: unknown): boolean {
  if (e instanceof ApiError) return e.kind === 'network' || (e.kind === 'http' && (e.status ?? 0) >= 500);
  return true;
}

export interface UseOuroborosOptions {
  intervalMs?: number;
  offlineAfter?: number;
}

export interface UseOuroboros extends OuroborosData {
  /** Poll now (after an action), without waiting for the next tick. */
  refresh: () => void;
  /** Show this genome in detail (null: none); fetched at once, and by every poll until it arrives. */
  select: (id: string | null) => void;
}

export function useOuroboros(api: ApiClient, options: UseOuroborosOptions = {}): UseOuroboros {
  const intervalMs = options.intervalMs ?? POLL_INTERVAL_MS;
  const offlineAfter = options.offlineAfter ?? OFFLINE_AFTER_FAILURES;
  const [data, setData] = useState<OuroborosData>(initialData);
  // The engine works on this mutable copy and publishes immutable snapshots with setData.
  const ref = useRef<{
    data: OuroborosData;
    logCursor: number | null;
    runCursor: number | null;
    everConnected: boolean;
    /** What the genome history was last fetched for (live genome, generation, state), and when. */
    genomesKey: string | null;
    genomesAt: number;
    selectedId: string | null;
    details: Map<string, GenomeDetail>;
    refresh: () => void;
    select: (id: string | null) => void;
  }>({
    data: initialData,
    logCursor: null,
    runCursor: null,
    everConnected: false,
    genomesKey: null,
    genomesAt: 0,
    selectedId: null,
    details: new Map(),
    refresh: () => {},
    select: () => {},
  });

  useEffect(() => {
    const engine = ref.current;
    // A new client is a new organism (or backend): start its history afresh, keep what is backend-wide.
    const keep = engine.data;
    engine.data = {
      ...initialData,
      connection: keep.connection,
      lastContactAt: keep.lastContactAt,
      chaosTypes: keep.chaosTypes,
      organisms: keep.organisms,
    };
    engine.logCursor = null;
    engine.runCursor = null;
    engine.genomesKey = null;
    engine.selectedId = null;
    engine.details = new Map();
    setData(engine.data);
    const controller = new AbortController();
    let stopped = false;
    let running = false;
    let again = false;
    let timer: ReturnType<typeof setTimeout> | null = null;

    const publish = (patch: Partial<OuroborosData>) => {
      engine.data = { ...engine.data, ...patch };
      if (!stopped) setData(engine.data);
    };

    const hidden = () => typeof document !== 'undefined' && document.visibilityState === 'hidden';

    const schedule = (delay: number) => {
      if (timer !== null) clearTimeout(timer);
      timer = null;
      if (stopped || hidden()) return;
      timer = setTimeout(() => {
        timer = null;
        void tick();
      }, delay);
    };

    const tick = async () => {
      if (stopped || running) return;
      running = true;
      again = false;
      const started = Date.now();
      try {
        await pollOnce();
      } finally {
        running = false;
      }
      if (stopped) return;
      schedule(again ? 0 : Math.max(0, intervalMs - (Date.now() - started)));
    };

    const pollOnce = async () => {
      const signal = controller.signal;
      let status: Status;
      try {
        status = await api.status(signal);
      } catch (e) {
        if (stopped) return;
        if (isUnreachable(e)) {
          const failures = engine.data.consecutiveFailures + 1;
          publish({
            consecutiveFailures: failures,
            connection:
              failures >= offlineAfter ? 'offline' : engine.everConnected ? 'reconnecting' : 'connecting',
            connectionError: errorMessage(e),
            polls: engine.data.polls + 1,
          });
        } else {
          engine.everConnected = true;
          publish({
            connection: 'connected',
            consecutiveFailures: 0,
            connectionError: null,
            lastContactAt: Date.now(),
            errors: { ...engine.data.errors, status: errorMessage(e) },
            unauthorized: needsToken(e),
            polls: engine.data.polls + 1,
          });
        }
        return;
      }
      if (stopped) return;
      engine.everConnected = true;

      // A backend that restarted (its uptime went down) may have started over with a fresh data
      // dir, so its run ids and log sequence numbers may have gone back: fetch the newest pages
      // again instead of asking for what comes after our cursors.
      let runs = engine.data.runs;
      const previous = engine.data.status;
      const restarted = previous !== null && status.uptimeS < previous.uptimeS;
      const runsWentBack =
        engine.runCursor !== null &&
        (status.lastRun === null ? status.stats.totalRuns === 0 : status.lastRun.id < engine.runCursor);
      if (restarted || runsWentBack) {
        engine.runCursor = null;
        runs = [];
      }
      if (restarted) engine.logCursor = null;

      const runCursor = engine.runCursor;
      const logCursor = engine.logCursor;
      // A thousand dashboards asking for fifty genomes every second cost the backend more than all
      // the rest of their polling: ask again only when something the history shows has changed.
      const genomesKey = `${status.genomeId}|${status.generation}|${status.state}`;
      const wantGenomes =
        restarted || genomesKey !== engine.genomesKey || Date.now() - engine.genomesAt >= GENOME_REFRESH_MS;
      const wantDetail = engine.selectedId !== null && !engine.details.has(engine.selectedId) ? engine.selectedId : null;
      const [runsR, logsR, genomesR, typesR, organismsR, detailR] = await Promise.allSettled([
        api.runs(runCursor === null ? { limit: MAX_RUNS } : { limit: MAX_RUNS, since: runCursor }, signal),
        api.logs(logCursor === null ? { limit: LOG_PAGE } : { limit: LOG_PAGE, since: logCursor }, signal),
        wantGenomes ? api.genomes({ limit: GENOME_PAGE }, signal) : Promise.resolve(null),
        engine.data.chaosTypes === null ? api.chaosTypes(signal) : Promise.resolve(null),
        api.organisms(signal),
        wantDetail !== null ? api.genome(wantDetail, signal) : Promise.resolve(null),
      ]);
      if (stopped) return;

      const errors: Partial<Record<Section, string>> = {};
      const patch: Partial<OuroborosData> = {
        status,
        connection: 'connected',
        consecutiveFailures: 0,
        connectionError: null,
        lastContactAt: Date.now(),
        unauthorized: false,
        polls: engine.data.polls + 1,
      };

      if (runsR.status === 'fulfilled') {
        runs = mergeRuns(runs, runsR.value.runs, MAX_RUNS, status.lastRun?.id ?? -Infinity);
        const last = runs[runs.length - 1];
        engine.runCursor = last ? last.id : engine.runCursor;
      } else {
        errors.runs = errorMessage(runsR.reason);
      }
      patch.runs = runs;

      if (logsR.status === 'fulfilled') {
        const { entries, lastSeq } = logsR.value;
        patch.logs = logCursor === null ? mergeLogs([], entries) : mergeLogs(engine.data.logs, entries);
        // Advance to the newest entry received; with nothing new, keep the cursor (or take the
        // backend's lastSeq on the very first page, so the next poll asks only for what follows).
        const newest = entries.reduce((m, e) => Math.max(m, e.seq), logCursor ?? -Infinity);
        engine.logCursor = Number.isFinite(newest) ? newest : lastSeq;
      } else {
        errors.logs = errorMessage(logsR.reason);
      }

      if (genomesR.status === 'fulfilled') {
        if (genomesR.value !== null) {
          patch.genomes = genomesR.value.genomes;
          patch.genomesTotal = genomesR.value.total;
          engine.genomesKey = genomesKey;
          engine.genomesAt = Date.now();
        }
      } else {
        // Asked again on the next poll (the key stays unknown).
        errors.genomes = errorMessage(genomesR.reason);
        engine.genomesKey = null;
      }

      if (typesR.status === 'fulfilled') {
        if (typesR.value !== null) patch.chaosTypes = typesR.value.types;
      } else {
        errors.chaosTypes = errorMessage(typesR.reason);
      }

      if (organismsR.status === 'fulfilled') {
        patch.organisms = organismsR.value.organisms;
      } else {
        errors.organisms = errorMessage(organismsR.reason);
      }

      if (detailR.status === 'fulfilled') {
        if (detailR.value !== null) {
          const details = engine.details;
          details.set(detailR.value.id, detailR.value);
          while (details.size > DETAIL_CACHE_MAX) details.delete(details.keys().next().value as string);
          if (engine.selectedId === detailR.value.id) patch.selection = { id: detailR.value.id, detail: detailR.value, error: null };
        }
      } else if (wantDetail !== null && engine.selectedId === wantDetail) {
        // Shown, and asked for again on the next poll.
        errors.genome = errorMessage(detailR.reason);
        patch.selection = { id: wantDetail, detail: null, error: errorMessage(detailR.reason) };
      }

      patch.errors = errors;
      publish(patch);
    };

    engine.select = (id) => {
      if (id === engine.selectedId) return;
      engine.selectedId = id;
      const cached = id === null ? null : (engine.details.get(id) ?? null);
      publish({ selection: { id, detail: cached, error: null } });
      if (id !== null && cached === null) pollNow();
    };

    const onVisibility = () => {
      if (hidden()) {
        if (timer !== null) clearTimeout(timer);
        timer = null;
      } else if (!running && timer === null) {
        void tick();
      }
    };

    /** Polls now, or right after the poll in progress. */
    const pollNow = () => {
      if (stopped) return;
      if (running) {
        again = true;
      } else {
        if (timer !== null) clearTimeout(timer);
        timer = null;
        void tick();
      }
    };

    engine.refresh = () => {
      // After an action (chaos, rollback, heal) the history is asked for whatever the status says.
      engine.genomesKey = null;
      pollNow();
    };

    document.addEventListener('visibilitychange', onVisibility);
    if (!hidden()) void tick();

    return () => {
      stopped = true;
      if (timer !== null) clearTimeout(timer);
      controller.abort();
      document.removeEventListener('visibilitychange', onVisibility);
      engine.refresh = () => {};
      engine.select = (id) => {
        engine.selectedId = id;
      };
    };
  }, [api, intervalMs, offlineAfter]);

  const refresh = useCallback(() => ref.current.refresh(), []);
  const select = useCallback((id: string | null) => ref.current.select(id), []);
  return { ...data, refresh, select };
}
