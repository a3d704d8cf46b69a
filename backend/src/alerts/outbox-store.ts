/**
 * The alerts' outbox in the store's SQLite file (tables made by its migration in genome/schema.ts): each alert as the exact body sent (its
 * signature is over those bytes), and one delivery per webhook. A pending delivery survives a restart; the outbox
 * keeps the newest `max` alerts. Webhook URLs stay in this file (it is 0600) and never leave this module whole.
 */
import type Database from 'better-sqlite3';
import type { Alert, AlertEvent } from '@ouroboros/contract';
import { alertBody, webhookHost, type AlertBody, type AlertFacts } from './payload.js';

export interface PendingDelivery {
  id: number;
  alertId: number;
  url: string;
  attempts: number;
  body: string;
  event: AlertEvent;
}

interface AlertRecord {
  id: number;
  created_at: string;
  organism: string | null;
  event: AlertEvent;
  body: string;
}

interface DeliveryRecord {
  alert_id: number;
  url: string;
  state: 'pending' | 'delivered' | 'failed';
  attempts: number;
  next_at: number;
  last_status: number | null;
  last_error: string | null;
  updated_at: string;
}

export class OutboxStore {
  constructor(
    private readonly db: Database.Database,
    private readonly max: number,
  ) {}

  /** Stores an alert and a pending delivery to each URL; returns the body, numbered. Drops the oldest past `max`. */
  add(facts: AlertFacts, key: string, urls: readonly string[], dashboardUrl: string | null, now: number): { body: AlertBody; dropped: number } {
    return this.db.transaction(() => {
      const at = new Date(now).toISOString();
      const { lastInsertRowid } = this.db
        .prepare("INSERT INTO alerts (created_at, organism, event, dedup_key, body) VALUES (?, ?, ?, ?, '')")
        .run(at, facts.organism, facts.event, key);
      const id = Number(lastInsertRowid);
      const body = alertBody(id, facts, dashboardUrl);
      this.db.prepare('UPDATE alerts SET body = ? WHERE id = ?').run(JSON.stringify(body), id);
      const insert = this.db.prepare("INSERT INTO alert_deliveries (alert_id, url, state, attempts, next_at, updated_at) VALUES (?, ?, 'pending', 0, ?, ?)");
      for (const url of urls) insert.run(id, url, now, at);
      return { body, dropped: this.prune() };
    })();
  }

  /** Pending deliveries due at `now`, oldest first, leaving out those in `busy`. */
  due(now: number, limit: number, busy: ReadonlySet<number>): PendingDelivery[] {
    const rows = this.db
      .prepare(
        `SELECT d.id, d.alert_id AS alertId, d.url, d.attempts, a.body, a.event FROM alert_deliveries d JOIN alerts a ON a.id = d.alert_id
         WHERE d.state = 'pending' AND d.next_at <= ? ORDER BY d.next_at, d.id LIMIT ?`,
      )
      .all(now, limit + busy.size) as PendingDelivery[];
    return rows.filter((r) => !busy.has(r.id)).slice(0, limit);
  }

  /** When the next pending delivery, other than those in `busy`, falls due; or null. */
  nextDueAt(busy: ReadonlySet<number>): number | null {
    const ids = [...busy];
    const notBusy = ids.length ? ` AND id NOT IN (${ids.map(() => '?').join(', ')})` : '';
    return (this.db.prepare(`SELECT MIN(next_at) AS t FROM alert_deliveries WHERE state = 'pending'${notBusy}`).get(...ids) as { t: number | null }).t;
  }

  delivered(id: number, attempts: number, status: number, now: number): void {
    this.db
      .prepare("UPDATE alert_deliveries SET state = 'delivered', attempts = ?, last_status = ?, last_error = NULL, updated_at = ? WHERE id = ?")
      .run(attempts, status, new Date(now).toISOString(), id);
  }

  /** A failed attempt: tried again at `nextAt`, or given up when it is null. */
  failed(id: number, attempts: number, status: number | null, error: string, nextAt: number | null, now: number): void {
    this.db
      .prepare('UPDATE alert_deliveries SET state = ?, attempts = ?, next_at = ?, last_status = ?, last_error = ?, updated_at = ? WHERE id = ?')
      .run(nextAt === null ? 'failed' : 'pending', attempts, nextAt ?? 0, status, error, new Date(now).toISOString(), id);
  }

  /** Pending deliveries to URLs no longer configured: given up, since nobody asked for them any more. */
  abandonOthers(urls: readonly string[], now: number): number {
    const pending = this.db.prepare("SELECT id, url FROM alert_deliveries WHERE state = 'pending'").all() as { id: number; url: string }[];
    const stale = pending.filter((p) => !urls.includes(p.url));
    const update = this.db.prepare("UPDATE alert_deliveries SET state = 'failed', last_error = ?, updated_at = ? WHERE id = ?");
    this.db.transaction(() => {
      for (const p of stale) update.run('no longer in ALERT_WEBHOOK_URLS', new Date(now).toISOString(), p.id);
    })();
    return stale.length;
  }

  /** The newest alerts with their deliveries, newest first; and the counts of pending and failed deliveries. */
  recent(limit: number): { alerts: Alert[]; pending: number; failed: number } {
    const alerts = this.db.prepare('SELECT id, created_at, organism, event, body FROM alerts ORDER BY id DESC LIMIT ?').all(limit) as AlertRecord[];
    const deliveries = alerts.length
      ? (this.db
          .prepare(`SELECT * FROM alert_deliveries WHERE alert_id IN (${alerts.map(() => '?').join(', ')}) ORDER BY id`)
          .all(...alerts.map((a) => a.id)) as DeliveryRecord[])
      : [];
    const counts = this.db.prepare('SELECT state, COUNT(*) AS n FROM alert_deliveries GROUP BY state').all() as { state: string; n: number }[];
    const countOf = (state: string) => counts.find((c) => c.state === state)?.n ?? 0;
    return {
      alerts: alerts.map((a) => {
        const body = JSON.parse(a.body) as AlertBody;
        return {
          id: a.id,
          at: a.created_at,
          organism: a.organism,
          event: a.event,
          summary: body.summary,
          reminder: body.reminder,
          deliveries: deliveries
            .filter((d) => d.alert_id === a.id)
            .map((d) => ({
              host: webhookHost(d.url),
              state: d.state,
              attempts: d.attempts,
              lastStatus: d.last_status,
              lastError: d.last_error,
              updatedAt: d.updated_at,
              nextAttemptAt: d.state === 'pending' ? new Date(d.next_at).toISOString() : null,
            })),
        };
      }),
      pending: countOf('pending'),
      failed: countOf('failed'),
    };
  }

  /** Deletes the oldest alerts past `max` (their deliveries with them); returns how many pending deliveries went. */
  private prune(): number {
    const cutoff = this.db.prepare('SELECT id FROM alerts ORDER BY id DESC LIMIT 1 OFFSET ?').get(this.max) as { id: number } | undefined;
    if (!cutoff) return 0;
    const { n } = this.db
      .prepare("SELECT COUNT(*) AS n FROM alert_deliveries WHERE state = 'pending' AND alert_id <= ?")
      .get(cutoff.id) as { n: number };
    this.db.prepare('DELETE FROM alert_deliveries WHERE alert_id <= ?').run(cutoff.id);
    this.db.prepare('DELETE FROM alerts WHERE id <= ?').run(cutoff.id);
    return n;
  }
}
