import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { CHAOS_OPERATORS } from '../chaos/index.js';
import { VERDICTS } from '../domain.js';
import type { SupervisorEventMap, SupervisorEvents } from '../watcher/events.js';
import { llmMetrics, type LlmBillSource } from './llm.js';

/** What the metrics need of a supervisor: its events and a few live readings taken at scrape time. */
export interface MetricsSource {
  readonly name: string;
  readonly events: SupervisorEvents;
  readonly liveGenome: { readonly generation: number };
  readonly alive: boolean;
}

/** What the metrics read of the event stream's hub (src/events/hub.ts) when scraped. */
export interface StreamSource {
  stats(): { clients: number; unreadBytes: number; opened: number; lagged: number; dropped: number };
}

export interface AppMetrics {
  /** The Prometheus text exposition: this app's metrics, then the process's. */
  render(): Promise<string>;
  readonly contentType: string;
  /** Stops listening to the supervisors. */
  close(): void;
}

/** Seconds from a new genome to the failing run that revealed it: a run, plus a hang's time limit at most. */
const DETECT_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60];
/** Seconds from a failure to a promoted repair: a restore is one trial, a minimal revert dozens, an LLM call more. */
const HEAL_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];
/** Seconds of one run of the organism. */
const RUN_BUCKETS = [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10];

let processRegistry: Registry | null = null;

/**
 * Node process metrics (CPU, memory, heap, event loop lag, GC, handles) belong to the process, not to one app,
 * and prom-client's collectors install observers that are never removed: collect them once per process, in
 * their own registry, however many apps a test process builds.
 */
function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

/**
 * The Prometheus metrics of one app, in a registry of its own (tests build many apps in one process, and the
 * default global registry would mix them or refuse the second registration). Every series is labelled with its
 * organism. Counters and histograms follow the supervisors' events; gauges read the supervisors when scraped.
 */
export function createMetrics(sources: readonly MetricsSource[], stream?: StreamSource, llm?: LlmBillSource): AppMetrics {
  const registry = new Registry();
  if (stream) streamMetrics(registry, stream);
  if (llm) llmMetrics(registry, llm);

  const runs = new Counter({
    name: 'ouroboros_runs_total',
    help: 'Runs of the live organism, by verdict.',
    labelNames: ['organism', 'verdict'] as const,
    registers: [registry],
  });
  const runSeconds = new Histogram({
    name: 'ouroboros_run_duration_seconds',
    help: 'Duration of runs of the live organism, by verdict.',
    labelNames: ['organism', 'verdict'] as const,
    buckets: RUN_BUCKETS,
    registers: [registry],
  });
  const detectSeconds = new Histogram({
    name: 'ouroboros_time_to_detect_seconds',
    help: 'Time from a new genome becoming live to the end of the first run that failed on it.',
    labelNames: ['organism', 'cause', 'verdict'] as const,
    buckets: DETECT_BUCKETS,
    registers: [registry],
  });
  const heals = new Counter({
    name: 'ouroboros_heals_total',
    help: 'Repairs promoted, by the strategy that found them.',
    labelNames: ['organism', 'strategy'] as const,
    registers: [registry],
  });
  const healSeconds = new Histogram({
    name: 'ouroboros_time_to_heal_seconds',
    help: 'Time the repair ladder took from a failed run to a promoted repair, by strategy.',
    labelNames: ['organism', 'strategy'] as const,
    buckets: HEAL_BUCKETS,
    registers: [registry],
  });
  const healFailures = new Counter({
    name: 'ouroboros_heal_failures_total',
    help: 'Times the repair ladder gave up on a failing genome.',
    labelNames: ['organism'] as const,
    registers: [registry],
  });
  const promotions = new Counter({
    name: 'ouroboros_promotions_total',
    help: 'Genomes made live, by cause (chaos, heal, rollback, external...).',
    labelNames: ['organism', 'cause'] as const,
    registers: [registry],
  });
  const chaos = new Counter({
    name: 'ouroboros_chaos_injected_total',
    help: 'Chaos injected into the live genome, by type.',
    labelNames: ['organism', 'type'] as const,
    registers: [registry],
  });
  new Gauge({
    name: 'ouroboros_generation',
    help: 'Generation of the live genome.',
    labelNames: ['organism'] as const,
    registers: [registry],
    collect() {
      for (const s of sources) this.set({ organism: s.name }, s.liveGenome.generation);
    },
  });
  new Gauge({
    name: 'ouroboros_watcher_alive',
    help: '1 while the watcher loop is alive (what GET /health reports), 0 otherwise.',
    labelNames: ['organism'] as const,
    registers: [registry],
    collect() {
      for (const s of sources) this.set({ organism: s.name }, s.alive ? 1 : 0);
    },
  });

  // Series that exist from the start read 0 rather than missing, so rate() and alerts work before the first event.
  for (const { name: organism } of sources) {
    for (const verdict of VERDICTS) runs.inc({ organism, verdict }, 0);
    for (const op of CHAOS_OPERATORS) chaos.inc({ organism, type: op.type }, 0);
    healFailures.inc({ organism }, 0);
  }

  const listeners: { [K in keyof SupervisorEventMap]?: (...args: SupervisorEventMap[K]) => void } = {
    run: (e) => {
      runs.inc({ organism: e.organism, verdict: e.verdict });
      runSeconds.observe({ organism: e.organism, verdict: e.verdict }, e.durationMs / 1000);
    },
    detected: (e) => detectSeconds.observe({ organism: e.organism, cause: e.cause, verdict: e.verdict }, e.detectMs / 1000),
    healed: (e) => {
      heals.inc({ organism: e.organism, strategy: e.strategy });
      healSeconds.observe({ organism: e.organism, strategy: e.strategy }, e.healMs / 1000);
    },
    'heal-failed': (e) => healFailures.inc({ organism: e.organism }),
    promoted: (e) => promotions.inc({ organism: e.organism, cause: e.cause }),
    chaos: (e) => chaos.inc({ organism: e.organism, type: e.type }),
  };
  const entries = Object.entries(listeners) as [keyof SupervisorEventMap, (...args: unknown[]) => void][];
  const emitters = sources.map((s) => s.events as unknown as NodeJS.EventEmitter);
  for (const events of emitters) for (const [event, listener] of entries) events.on(event, listener);

  return {
    contentType: registry.contentType,
    async render() {
      const [own, proc] = await Promise.all([registry.metrics(), processMetrics().metrics()]);
      return `${own}\n${proc}`;
    },
    close() {
      for (const events of emitters) for (const [event, listener] of entries) events.off(event, listener);
    },
  };
}

/** The event stream's clients as gauges (prom-client has no counter read at scrape time, so the totals are gauges too). */
function streamMetrics(registry: Registry, stream: StreamSource): void {
  const gauges: [string, string, (s: ReturnType<StreamSource['stats']>) => number][] = [
    ['ouroboros_stream_clients', 'Clients connected to GET /events now.', (s) => s.clients],
    ['ouroboros_stream_unread_bytes', 'Bytes written to the stream clients that they have not read yet, all together.', (s) => s.unreadBytes],
    ['ouroboros_stream_opened_total', 'Streams opened since the server started.', (s) => s.opened],
    ['ouroboros_stream_lagged_total', 'Times a client fell behind its buffer bound and caught up again from the journal.', (s) => s.lagged],
    ['ouroboros_stream_dropped_total', 'Clients dropped for not reading.', (s) => s.dropped],
  ];
  for (const [name, help, read] of gauges) {
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        this.set(read(stream.stats()));
      },
    });
  }
}
