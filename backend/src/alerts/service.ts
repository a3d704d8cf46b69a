/**
 * Alerts: listens to what the watcher tells (each supervisor's events, the log book, the storage monitor), turns
 * it into conditions (conditions.ts), lets each through once (dedup.ts), stores it in the outbox and lets the
 * dispatcher deliver it. Listening costs the watcher nothing: the work is deferred out of its call.
 */
import type { Logger } from 'pino';
import type { AlertsResponse } from '@ouroboros/contract';
import type { AlertsConfig } from '../config.js';
import type { SupervisorEventMap, SupervisorEvents } from '../watcher/events.js';
import type { LogBook } from '../watcher/logbook.js';
import * as conditions from './conditions.js';
import { ConditionTracker } from './dedup.js';
import { AlertDispatcher } from './dispatcher.js';
import type { OutboxStore } from './outbox-store.js';
import * as payload from './payload.js';
import { retryPolicy } from './retry.js';

export interface Watched {
  readonly name: string;
  readonly events: SupervisorEvents;
  readonly liveGenome: { readonly generation: number };
  status(): { quarantine: { reason: string } | null };
}

export interface StorageWatch {
  readonly current: { message: string } | null;
  subscribe(listener: (fault: { message: string } | null) => void): () => void;
}

export interface AlertServiceOptions {
  config: AlertsConfig;
  dashboardUrl: string | null;
  outbox: OutboxStore;
  supervisors: readonly Watched[];
  logbook: LogBook;
  logger: Logger;
}

export class AlertService {
  private readonly tracker: ConditionTracker;
  private readonly dispatcher: AlertDispatcher;
  private readonly offs: (() => void)[] = [];
  private reminderTimer: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(private readonly o: AlertServiceOptions) {
    const c = o.config;
    this.tracker = new ConditionTracker(c.reminderMs);
    this.dispatcher = new AlertDispatcher(o.outbox, { secret: c.secret, timeoutMs: c.timeoutMs, maxAttempts: c.maxAttempts, retry: retryPolicy(c.retryInitialMs) }, o.logger);
  }

  get enabled(): boolean {
    return this.o.config.webhooks.length > 0;
  }

  /** Starts listening, and delivers what the last run of the server left pending. */
  start(): void {
    const dropped = this.o.outbox.abandonOthers(this.o.config.webhooks, Date.now());
    if (dropped) this.o.logger.warn(`alerts: ${dropped} pending deliveries to webhooks no longer in ALERT_WEBHOOK_URLS were given up`);
    if (!this.enabled) return;
    for (const s of this.o.supervisors) this.listen(s);
    this.offs.push(this.o.logbook.onEntry((e) => this.later(() => conditions.fromLogLine(e.organism, e.source, e.level, e.text))));
    this.dispatcher.kick();
  }

  /** The storage monitor exists only once the HTTP layer does; it is watched from then on. */
  watchStorage(monitor: StorageWatch): void {
    if (!this.enabled || this.stopped) return;
    this.offs.push(monitor.subscribe((fault) => this.later(() => conditions.fromStorage(fault))));
    // The monitor's first check ran before this: a fault found at start is told too.
    const now = monitor.current;
    if (now) this.later(() => conditions.fromStorage(now));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const off of this.offs.splice(0)) off();
    if (this.reminderTimer) clearTimeout(this.reminderTimer);
    await this.dispatcher.stop();
  }

  view(limit: number): AlertsResponse {
    const { alerts, pending, failed } = this.o.outbox.recent(limit);
    return { enabled: this.enabled, signed: this.o.config.secret !== null, webhooks: this.o.config.webhooks.map(payload.webhookHost), pending, failed, alerts };
  }

  private listen(s: Watched): void {
    const on = <K extends keyof SupervisorEventMap>(name: K, listener: (...args: SupervisorEventMap[K]) => void) => {
      const emitter = s.events as unknown as NodeJS.EventEmitter;
      const l = listener as (...args: unknown[]) => void;
      emitter.on(name, l);
      this.offs.push(() => emitter.off(name, l));
    };
    // Read what the event does not carry now, while it is true; the rest waits until the watcher's call is over.
    on('state', (e) => {
      const reason = e.to === 'quarantined' ? (s.status().quarantine?.reason ?? null) : null;
      this.later(() => conditions.fromState(e.organism, e.from, e.to, reason));
    });
    on('heal-failed', (e) => {
      const generation = s.liveGenome.generation;
      this.later(() => conditions.fromHealFailed(e.organism, generation, e.reason));
    });
    on('healed', (e) => {
      const generation = s.liveGenome.generation;
      this.later(() => conditions.fromHealed(e.organism, generation, e.strategy, e.healMs, this.o.config.onHeal));
    });
    on('incident', (e) => {
      if (e.phase === 'closed') this.later(() => conditions.fromIncidentClosed(e.organism));
    });
    on('promoted', (e) => this.later(() => conditions.fromPromoted(e.organism, e.cause, e.generation, e.genomeId, e.summary)));
  }

  /** Out of the caller's stack: a supervisor's emit returns at once, and the outbox is written after. */
  private later(make: () => conditions.AlertChange | conditions.AlertChange[] | null): void {
    setImmediate(() => {
      if (this.stopped) return;
      try {
        const made = make();
        for (const change of Array.isArray(made) ? made : made ? [made] : []) this.apply(change, Date.now());
      } catch (err) {
        this.o.logger.error({ err }, 'alerts: could not raise an alert');
      }
    });
  }

  private apply(change: conditions.AlertChange, now: number): void {
    if (change.kind === 'clear') {
      this.tracker.clear(change.prefixes);
    } else if (change.kind === 'once' || this.tracker.raise(change, now)) {
      this.send(change, now, false);
    }
    this.scheduleReminders();
  }

  private send(signal: conditions.Signal, now: number, reminder: boolean, since?: number): void {
    const generation = signal.organism ? (this.o.supervisors.find((s) => s.name === signal.organism)?.liveGenome.generation ?? null) : null;
    const summary = reminder && since !== undefined ? `${signal.summary} (still, since ${new Date(since).toISOString()})` : signal.summary;
    const facts = { event: signal.event, organism: signal.organism, time: new Date(now).toISOString(), generation, summary, reminder };
    try {
      const { dropped } = this.o.outbox.add(facts, signal.key, this.o.config.webhooks, this.o.dashboardUrl, now);
      if (dropped) this.o.logger.warn(`alerts: the outbox is full (ALERT_OUTBOX_MAX=${this.o.config.outboxMax}): ${dropped} undelivered deliveries of the oldest alerts were dropped`);
      this.dispatcher.kick();
    } catch (err) {
      this.o.logger.error({ err }, `alerts: the outbox could not store "${summary}"; sending it from memory`);
      this.dispatcher.deliverUnsaved(JSON.stringify(payload.alertBody(0, facts, this.o.dashboardUrl)), signal.event, this.o.config.webhooks);
    }
  }

  private scheduleReminders(): void {
    if (this.reminderTimer) clearTimeout(this.reminderTimer);
    this.reminderTimer = null;
    const next = this.tracker.nextDueAt();
    if (next === null || this.stopped) return;
    this.reminderTimer = setTimeout(() => {
      const now = Date.now();
      for (const { signal, since } of this.tracker.due(now)) this.send(signal, now, true, since);
      this.scheduleReminders();
    }, Math.max(0, next - Date.now()));
    this.reminderTimer.unref();
  }
}
