/**
 * The audit trail in the store's SQLite file (table `audit`, made by its migration in genome/schema.ts): who changed what, when, from which
 * genome to which. Kept to the newest `retention` entries. Read newest first, a page at a time.
 */
import type Database from 'better-sqlite3';
import type { AuditEntry } from '@ouroboros/contract';

export type NewAuditEntry = Omit<AuditEntry, 'id' | 'at'> & { at?: string };

interface AuditRecord {
  id: number;
  at: string;
  action: string;
  method: string | null;
  path: string | null;
  organism: string | null;
  genome_before: string | null;
  genome_after: string | null;
  status: number | null;
  client: string | null;
  token_fingerprint: string | null;
  detail: string;
}

export class AuditStore {
  private sincePrune = 0;
  private readonly pruneEvery: number;

  constructor(
    private readonly db: Database.Database,
    private readonly retention: number,
  ) {
    this.pruneEvery = Math.max(1, Math.min(100, Math.floor(retention / 10)));
  }

  record(e: NewAuditEntry): number {
    const { lastInsertRowid } = this.db
      .prepare(
        `INSERT INTO audit (at, action, method, path, organism, genome_before, genome_after, status, client, token_fingerprint, detail)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(e.at ?? new Date().toISOString(), e.action, e.method, e.path, e.organism, e.genomeBefore, e.genomeAfter, e.status, e.client, e.tokenFingerprint, JSON.stringify(e.detail));
    if (++this.sincePrune >= this.pruneEvery) this.prune();
    return Number(lastInsertRowid);
  }

  /** Up to `limit` entries older than `before` (all when null), newest first; `next` continues, null at the end. */
  page(before: number | null, limit: number, organism: string | null): { entries: AuditEntry[]; next: number | null } {
    const where: string[] = [];
    const args: (string | number)[] = [];
    if (before !== null) {
      where.push('id < ?');
      args.push(before);
    }
    if (organism !== null) {
      where.push('organism = ?');
      args.push(organism);
    }
    const rows = this.db
      .prepare(`SELECT * FROM audit ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ?`)
      .all(...args, limit + 1) as AuditRecord[];
    const more = rows.length > limit;
    const entries = rows.slice(0, limit).map(toEntry);
    return { entries, next: more ? (entries[entries.length - 1] as AuditEntry).id : null };
  }

  private prune(): void {
    this.sincePrune = 0;
    this.db.prepare('DELETE FROM audit WHERE id <= (SELECT MAX(id) FROM audit) - ?').run(this.retention);
  }
}

const toEntry = (r: AuditRecord): AuditEntry => ({
  id: r.id,
  at: r.at,
  action: r.action,
  method: r.method,
  path: r.path,
  organism: r.organism,
  genomeBefore: r.genome_before,
  genomeAfter: r.genome_after,
  status: r.status,
  client: r.client,
  tokenFingerprint: r.token_fingerprint,
  detail: JSON.parse(r.detail) as Record<string, unknown>,
});
