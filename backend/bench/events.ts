/**
 * Live events: how soon the event stream tells a dashboard, what an idle dashboard costs the server and what a
 * connected client holds, each against the polling dashboard it replaces, measured on the same server in the same run.
 */
import { fork, type ChildProcess } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import type { BenchOptions, Figure, Section } from './model.js';
import { BACKEND_DIR, cpuSeconds, http as json, rssMb, startServer, tempDir } from './proc.js';
import { ratio, ratios, sleep, summarize } from './stats.js';

export interface EventsBenchOptions extends BenchOptions {
  /** Stream clients connected at once (1,000 by default, the issue's figure). */
  clients?: number;
  /** Polling dashboards beside them (each asks for the status, the runs and the logs every second). */
  pollers?: number;
}

const ORGANISM = 'bubble-sort';
const LATENCY_TARGET_MS = 50;
const IDLE_TARGET = 0.2;

interface Streams {
  /** Latency of each journal event, at each client: receipt minus the event's `at`. */
  latencies: number[];
  close(): Promise<void>;
}

/** Processes the stream clients are spread over: as many as cores, so that none of them is the bottleneck measured. */
const CLIENT_PROCESSES = Math.max(1, Math.min(4, os.availableParallelism()));

/**
 * `count` raw SSE clients of the organism's stream, spread over CLIENT_PROCESSES processes (stream-clients.ts);
 * resolves when every one of them is live.
 */
async function openStreams(base: string, count: number, types: string): Promise<Streams> {
  const url = `${base}/organisms/${ORGANISM}/events?types=${types}`;
  const shares = Array.from({ length: CLIENT_PROCESSES }, (_, i) => Math.floor(count / CLIENT_PROCESSES) + (i < count % CLIENT_PROCESSES ? 1 : 0)).filter((n) => n > 0);
  const children = shares.map(() => fork(path.join(BACKEND_DIR, 'bench/stream-clients.ts'), [], { execArgv: ['--import', 'tsx'], cwd: BACKEND_DIR, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }));
  const answer = <T>(child: ChildProcess, key: string) =>
    new Promise<T>((resolve, reject) => {
      const onMessage = (m: Record<string, unknown>) => {
        if (typeof m.error === 'string') reject(new Error(`stream clients: ${m.error}`));
        else if (key in m) {
          child.off('message', onMessage);
          resolve(m[key] as T);
        }
      };
      child.on('message', onMessage);
      child.once('exit', (code) => reject(new Error(`stream clients exited with code ${code}`)));
    });
  try {
    await Promise.all(children.map((child, i) => {
      const ready = answer<true>(child, 'ready');
      child.send({ url, count: shares[i] });
      return ready;
    }));
  } catch (err) {
    for (const c of children) c.kill('SIGKILL');
    throw err;
  }
  const latencies: number[] = [];
  return {
    latencies,
    async close() {
      const all = await Promise.all(children.map((child) => {
        const got = answer<number[]>(child, 'latencies');
        child.send({ stop: true });
        return got;
      }));
      for (const l of all) for (const v of l) latencies.push(v);
    },
  };
}

/**
 * `count` dashboards polling as the God View does without the stream: status, runs and logs every second, the feeds
 * with `since`. Each log entry's latency is its receipt minus its time.
 */
function startPollers(base: string, count: number): { latencies: number[]; requests: () => number; stop: () => Promise<void> } {
  const latencies: number[] = [];
  let requests = 0;
  let stopped = false;
  const one = async (offset: number) => {
    await sleep(offset);
    let logSince: number | null = null;
    let runSince: number | null = null;
    while (!stopped) {
      const started = Date.now();
      try {
        const runsPath = `/organisms/${ORGANISM}/runs?limit=60${runSince === null ? '' : `&since=${runSince}`}`;
        const logsPath = `/organisms/${ORGANISM}/logs?limit=200${logSince === null ? '' : `&since=${logSince}`}`;
        const answers: [unknown, { runs: { id: number }[] }, { entries: { seq: number; time: string }[]; lastSeq: number }] = await Promise.all([
          json(base, `/organisms/${ORGANISM}/status`),
          json<{ runs: { id: number }[] }>(base, runsPath),
          json<{ entries: { seq: number; time: string }[]; lastSeq: number }>(base, logsPath),
        ]);
        const [, runs, logs] = answers;
        requests += 3;
        const now = Date.now();
        if (logSince !== null) for (const e of logs.entries) latencies.push(now - Date.parse(e.time));
        logSince = logs.entries.at(-1)?.seq ?? logs.lastSeq;
        runSince = runs.runs.at(-1)?.id ?? runSince;
      } catch {
        // a refused or slow poll is retried at the next second, as the dashboard does
      }
      await sleep(Math.max(0, 1000 - (Date.now() - started)));
    }
  };
  const all = Array.from({ length: count }, (_, i) => one((i * 1000) / count));
  return {
    latencies,
    requests: () => requests,
    stop: async () => {
      stopped = true;
      await Promise.all(all);
    },
  };
}

/** A syntax_error chaos every second for `seconds`: each makes a promotion, state changes, a heal and log lines. */
async function chaosEverySecond(base: string, seconds: number): Promise<void> {
  for (let s = 0; s < seconds; s++) {
    await json(base, `/organisms/${ORGANISM}/chaos`, { method: 'POST', body: JSON.stringify({ chaos_type: 'syntax_error' }) }).catch(() => {});
    await sleep(1000);
  }
}

export async function benchEvents(o: EventsBenchOptions = {}): Promise<Section[]> {
  const tiny = o.tiny ?? false;
  const log = o.log ?? (() => {});
  const clients = o.clients ?? (tiny ? 20 : 1000);
  const pollers = o.pollers ?? (tiny ? 5 : 100);
  const busyS = tiny ? 2 : 20;
  const idleS = tiny ? 1 : 30;
  const started = performance.now();
  const dir = tempDir('ouroboros-bench-events-');
  // Every client of the bench comes from this one address: the per-address cap on streams must let them all in.
  const server = await startServer({
    DATA_DIR: dir.dir,
    ORGANISMS: ORGANISM,
    LOG_LEVEL: 'warn',
    RATE_LIMIT_PER_MINUTE: '1000000',
    EVENTS_MAX_STREAMS_PER_CLIENT: String(clients * 2 + 10),
  });
  const pid = server.child.pid!;
  const figures: Figure[] = [];
  const notes: string[] = [];
  try {
    // 1. Latency while the organism runs (each run publishes a run event and a few log lines), with chaos every
    // second for state changes, promotions and heals.
    const rss0 = rssMb(pid);
    const streams = await openStreams(server.url, clients, 'run,state,promoted,chaos,heal,incident,log');
    await sleep(1000);
    const perClientKb = ((rssMb(pid) - rss0) * 1024) / clients;
    log(`  ${clients} streams open; server RSS ${rss0.toFixed(0)} -> ${rssMb(pid).toFixed(0)} MB`);
    // The streams alone, then the polling dashboards alone, under the same chaos: each pays only its own cost.
    await chaosEverySecond(server.url, busyS);
    await streams.close();
    const polling = startPollers(server.url, pollers);
    await chaosEverySecond(server.url, busyS);
    await polling.stop();
    const stream = summarize(streams.latencies);
    const poll = summarize(polling.latencies);
    log(`  latency: stream p99 ${stream.p99} ms over ${stream.n} deliveries, polling p99 ${poll.p99} ms over ${poll.n}`);
    figures.push({
      id: 'events.latency',
      label: `event to client, ${clients} streams connected`,
      unit: 'ms',
      value: stream,
      baseline: { label: `a log line to a polling dashboard (${pollers} polling at once)`, value: poll },
      ratio: ratios(stream, poll, true),
      target: { text: `p99 < ${LATENCY_TARGET_MS} ms on 2 cores`, met: stream.p99 < LATENCY_TARGET_MS },
    });
    figures.push({ id: 'events.memory', label: 'server memory per connected stream client', unit: 'KB', value: Math.round(perClientKb * 10) / 10 });

    // 2. An idle organism (paused: no runs, no events but heartbeats): what each kind of dashboard costs the server.
    // The last chaos may still be healing: the stop is refused (409 BUSY) while a promotion is under way.
    for (let attempt = 1; ; attempt++) {
      try {
        await json(server.url, `/organisms/${ORGANISM}/emergency-stop`, { method: 'POST' });
        break;
      } catch (err) {
        if (attempt >= 30 || !/-> 409/.test((err as Error).message)) throw err;
        await sleep(500);
      }
    }
    await sleep(1000);
    // The server's own idle cost (timers, the file watcher, the storage monitor), without any dashboard: subtracted.
    const z0 = cpuSeconds(pid);
    await sleep(idleS * 1000);
    const serverCpu = cpuSeconds(pid) - z0;
    const idleStreams = await openStreams(server.url, clients, 'run,state,promoted,chaos,heal,incident,log,evolution');
    await sleep(500);
    const s0 = cpuSeconds(pid);
    await sleep(idleS * 1000);
    const streamCpu = cpuSeconds(pid) - s0;
    await idleStreams.close();
    await sleep(500);
    const idlePolling = startPollers(server.url, pollers);
    await sleep(1500);
    const p0 = cpuSeconds(pid);
    const r0 = idlePolling.requests();
    await sleep(idleS * 1000);
    const pollCpu = cpuSeconds(pid) - p0;
    const pollRequests = idlePolling.requests() - r0;
    await idlePolling.stop();
    // CPU ms per dashboard per minute; the polls also carry the stream's slow status poll (one every 5 s) below.
    const perStream = ((Math.max(0, streamCpu - serverCpu) * 1000) / clients / idleS) * 60;
    const perPoller = ((Math.max(0, pollCpu - serverCpu) * 1000) / pollers / idleS) * 60;
    // A streaming dashboard still asks for the status every 5 s: a fifteenth of a polling one's requests.
    const streamingDashboard = perStream + perPoller / 15;
    log(`  idle: ${clients} streams ${streamCpu.toFixed(2)} s CPU, ${pollers} pollers ${pollCpu.toFixed(2)} s CPU (${pollRequests} requests) over ${idleS} s`);
    figures.push({
      id: 'events.idle',
      label: 'server CPU per idle dashboard per minute: stream, with its 5 s status poll',
      unit: 'ms',
      value: Math.round(streamingDashboard * 100) / 100,
      baseline: { label: 'a dashboard polling status, runs and logs every second', value: Math.round(perPoller * 100) / 100 },
      ratio: { value: ratio(streamingDashboard, perPoller) },
      target: { text: `<= ${IDLE_TARGET}x polling`, met: ratio(streamingDashboard, perPoller) <= IDLE_TARGET },
    });
    notes.push(`Over ${idleS} s the idle server used ${(serverCpu * 1000).toFixed(0)} ms of CPU on its own, ${(streamCpu * 1000).toFixed(0)} ms with ${clients} streams open (heartbeats every 15 s), ${(pollCpu * 1000).toFixed(0)} ms with ${pollers} polling dashboards (${pollRequests} requests); the figures are net of the first.`);
    await json(server.url, `/organisms/${ORGANISM}/resume`, { method: 'POST' });
  } finally {
    await server.stop();
    dir.cleanup();
  }
  return [
    {
      id: 'events',
      title: 'Live events: the stream against polling',
      params: { 'stream clients': clients, 'polling dashboards': pollers, 'busy window (s)': busyS, 'idle window (s)': idleS },
      method: [
        `One server runs ${ORGANISM}. ${clients} clients open its event stream (raw HTTP, spread over ${CLIENT_PROCESSES} processes of their own) and chaos is injected every second for ${busyS} s; then the streams close and ${pollers} dashboards poll its status, runs and logs every second under the same chaos for ${busyS} s: an event's latency is its arrival at a client minus the time the server published it (the supervisor emitted it in the same tick); a polled log line's is its arrival minus its own time.`,
        `Then the organism is paused (no runs; the streams carry only heartbeats) and the server's CPU (/proc/<pid>/stat) is read over ${idleS} s with no dashboard, then with the streams open, then with the polling dashboards instead; net of the first, per dashboard per minute. A streaming dashboard is charged its stream and its status poll every 5 s.`,
        'Memory per client: the server\'s RSS before and a second after the streams opened, divided by their number.',
      ],
      figures,
      notes,
      elapsedS: (performance.now() - started) / 1000,
    },
  ];
}
