/**
 * Delivers the outbox: due deliveries are posted a few at a time, a failure is tried again with a growing delay
 * until ALERT_MAX_ATTEMPTS, and a timer wakes it for the next one due. Runs beside the watcher, never in its way:
 * nothing here is awaited by a supervisor.
 */
import type { Logger } from 'pino';
import type { BackoffPolicy } from '../watcher/backoff.js';
import type { OutboxStore, PendingDelivery } from './outbox-store.js';
import { postAlert } from './post.js';
import { webhookHost } from './payload.js';
import { afterFailure } from './retry.js';
import { setTimeout as sleepFor } from 'node:timers/promises';

const CONCURRENCY = 4;

export interface DispatcherOptions {
  secret: string | null;
  timeoutMs: number;
  maxAttempts: number;
  retry: BackoffPolicy;
}

export class AlertDispatcher {
  private readonly inFlight = new Map<number, Promise<void>>();
  private readonly stopping = new AbortController();
  private timer: NodeJS.Timeout | null = null;
  private pumping = false;
  /** Deliveries of alerts the outbox could not store get negative ids, so they never meet a stored one. */
  private unsavedIds = 0;

  constructor(
    private readonly outbox: OutboxStore,
    private readonly o: DispatcherOptions,
    private readonly log: Logger,
  ) {}

  /** Look for due deliveries soon (after a new alert, at start). */
  kick(): void {
    if (this.stopping.signal.aborted) return;
    setImmediate(() => this.pump());
  }

  async stop(): Promise<void> {
    this.stopping.abort();
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await Promise.all(this.inFlight.values());
  }

  private pump(): void {
    if (this.pumping || this.stopping.signal.aborted) return;
    this.pumping = true;
    try {
      const free = CONCURRENCY - this.inFlight.size;
      const due = free > 0 ? this.outbox.due(Date.now(), free, new Set(this.inFlight.keys())) : [];
      for (const d of due) {
        const work = this.deliver(d).finally(() => {
          this.inFlight.delete(d.id);
          this.kick();
        });
        this.inFlight.set(d.id, work);
      }
      this.schedule();
    } catch (err) {
      // The store failing (a full disk) must not stop the server; the next alert or timer tries again.
      this.log.error({ err }, 'alerts: could not read the outbox');
    } finally {
      this.pumping = false;
    }
  }

  private schedule(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const next = this.outbox.nextDueAt(new Set(this.inFlight.keys()));
    if (next === null || this.stopping.signal.aborted) return;
    this.timer = setTimeout(() => this.pump(), Math.max(0, next - Date.now()));
    this.timer.unref();
  }

  /**
   * An alert the outbox could not store (the disk is full: the very thing a storage alert is about) is still sent,
   * retried from memory; only a restart loses it.
   */
  deliverUnsaved(body: string, event: string, urls: readonly string[]): void {
    for (const url of urls) {
      const id = --this.unsavedIds;
      const work = this.retryFromMemory(url, body, event, id).finally(() => this.inFlight.delete(id));
      this.inFlight.set(id, work);
    }
  }

  private async retryFromMemory(url: string, body: string, event: string, id: number): Promise<void> {
    for (let attempts = 1; !this.stopping.signal.aborted; attempts++) {
      const attempt = await postAlert(url, body, { secret: this.o.secret, timeoutMs: this.o.timeoutMs, stop: this.stopping.signal, deliveryId: id, event });
      if (attempt.ok) return;
      const next = afterFailure(attempts, this.o.maxAttempts, this.o.retry, Date.now(), attempt.status);
      if (next.state === 'failed') {
        this.log.error(`alerts: gave up delivering an unstored alert to ${webhookHost(url)} after ${attempts} attempts: ${attempt.error}`);
        return;
      }
      await sleep(next.nextAt - Date.now(), this.stopping.signal);
    }
  }

  private async deliver(d: PendingDelivery): Promise<void> {
    const attempt = await postAlert(d.url, d.body, { secret: this.o.secret, timeoutMs: this.o.timeoutMs, stop: this.stopping.signal, deliveryId: d.id, event: d.event });
    // An attempt cut by the stop is not counted: it is tried again, whole, at the next start.
    if (!attempt.ok && this.stopping.signal.aborted) return;
    const attempts = d.attempts + 1;
    const now = Date.now();
    try {
      if (attempt.ok) {
        this.outbox.delivered(d.id, attempts, attempt.status, now);
        return;
      }
      const next = afterFailure(attempts, this.o.maxAttempts, this.o.retry, now, attempt.status);
      this.outbox.failed(d.id, attempts, attempt.status, attempt.error, next.state === 'pending' ? next.nextAt : null, now);
      const host = webhookHost(d.url);
      if (next.state === 'failed') this.log.error(`alerts: gave up delivering alert #${d.alertId} to ${host} after ${attempts} attempt(s): ${attempt.error}`);
      else this.log.warn(`alerts: alert #${d.alertId} to ${host} ${attempt.error}; attempt ${attempts + 1} of ${this.o.maxAttempts} in ${next.nextAt - now} ms`);
    } catch (err) {
      this.log.error({ err }, `alerts: could not record the delivery of alert #${d.alertId}`);
    }
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return sleepFor(Math.max(0, ms), undefined, { signal, ref: false }).catch(() => {});
}
