import type Database from 'better-sqlite3';
import type { ProposalKind, ProposalStatus } from '../domain.js';
import { sourceHash } from '../lib/source-hash.js';
import { storageError } from '../storage/fault.js';

/** Who decided: the client's address, and a fingerprint of the token it sent (never the token). */
export interface Decider {
  address: string;
  tokenFingerprint: string | null;
}

/** A code change found and verified by the machine, waiting for a person (HEAL_MODE=propose). */
export interface ProposalRow {
  id: number;
  organism: string;
  kind: ProposalKind;
  /** The live genome it was made against (for a heal, the failing one): it can land only while that one is live. */
  baseGenomeId: string;
  source: string;
  sourceHash: string;
  /** The rung that found it (minimal-revert, rollback, search, llm), or `evolution`. */
  strategy: string;
  summary: string;
  /** Unified diff from the base genome to the candidate. */
  diff: string;
  /** What the promotion records with the genome: the failure, the trial, the verification, the attempts... */
  detail: Record<string, unknown>;
  createdAt: string;
  status: ProposalStatus;
  decidedAt: string | null;
  decidedBy: Decider | null;
  /** Why it was superseded or rejected, in words (null while pending). */
  reason: string | null;
  /** The genome its approval promoted. */
  genomeId: string | null;
}

export type NewProposal = Pick<ProposalRow, 'organism' | 'kind' | 'baseGenomeId' | 'source' | 'strategy' | 'summary' | 'diff' | 'detail'>;

interface ProposalRecord {
  id: number;
  organism: string;
  kind: ProposalKind;
  base_genome_id: string;
  source: string;
  source_hash: string;
  strategy: string;
  summary: string;
  diff: string;
  detail: string;
  created_at: string;
  status: ProposalStatus;
  decided_at: string | null;
  decided_by: string | null;
  token_fingerprint: string | null;
  reason: string | null;
  genome_id: string | null;
}

const toProposal = (r: ProposalRecord): ProposalRow => ({
  id: r.id,
  organism: r.organism,
  kind: r.kind,
  baseGenomeId: r.base_genome_id,
  source: r.source,
  sourceHash: r.source_hash,
  strategy: r.strategy,
  summary: r.summary,
  diff: r.diff,
  detail: JSON.parse(r.detail) as Record<string, unknown>,
  createdAt: r.created_at,
  status: r.status,
  decidedAt: r.decided_at,
  decidedBy: r.decided_by === null ? null : { address: r.decided_by, tokenFingerprint: r.token_fingerprint },
  reason: r.reason,
  genomeId: r.genome_id,
});

/** A decision on a pending proposal; null when it was no longer pending (someone decided first). */
export interface Decision {
  status: Exclude<ProposalStatus, 'pending'>;
  by: Decider | null;
  reason: string | null;
  genomeId?: string | null;
}

/**
 * The proposals table (schema migration 6), in the store's SQLite file. Every write is one statement or one
 * transaction; a decision lands only on a proposal still pending, so two decisions can never both win.
 */
export class ProposalStore {
  constructor(private readonly db: Database.Database) {}

  /** Records a new pending proposal; the organism's older pending ones are superseded by it in the same transaction. */
  add(p: NewProposal): { proposal: ProposalRow; superseded: ProposalRow[] } {
    return this.write('record a proposal', () =>
      this.db.transaction(() => {
        const older = this.list({ organism: p.organism, status: 'pending', limit: 1000 });
        const info = this.db
          .prepare(
            `INSERT INTO proposals (organism, kind, base_genome_id, source, source_hash, strategy, summary, diff, detail, created_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          )
          .run(p.organism, p.kind, p.baseGenomeId, p.source, sourceHash(p.source), p.strategy, p.summary, p.diff, JSON.stringify(p.detail), new Date().toISOString());
        const id = Number(info.lastInsertRowid);
        const superseded = older.flatMap((o) => this.decideRaw(o.id, { status: 'superseded', by: null, reason: `a newer proposal (#${id}) replaced it` }) ?? []);
        return { proposal: this.get(id) as ProposalRow, superseded };
      })(),
    );
  }

  get(id: number): ProposalRow | null {
    const r = this.db.prepare('SELECT * FROM proposals WHERE id = ?').get(id) as ProposalRecord | undefined;
    return r ? toProposal(r) : null;
  }

  /** Newest first; one organism's or every organism's, one status or all. */
  list(q: { organism?: string | null; status?: ProposalStatus | null; limit: number }): ProposalRow[] {
    const where: string[] = [];
    const args: (string | number)[] = [];
    if (q.organism) {
      where.push('organism = ?');
      args.push(q.organism);
    }
    if (q.status) {
      where.push('status = ?');
      args.push(q.status);
    }
    const sql = `SELECT * FROM proposals ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ?`;
    return (this.db.prepare(sql).all(...args, q.limit) as ProposalRecord[]).map(toProposal);
  }

  countPending(organism: string): number {
    return (this.db.prepare("SELECT COUNT(*) AS n FROM proposals WHERE organism = ? AND status = 'pending'").get(organism) as { n: number }).n;
  }

  /** The newest repair proposal made against `baseGenomeId`, whatever its status. */
  latestHealFor(organism: string, baseGenomeId: string): ProposalRow | null {
    const r = this.db
      .prepare("SELECT * FROM proposals WHERE organism = ? AND base_genome_id = ? AND kind = 'heal' ORDER BY id DESC LIMIT 1")
      .get(organism, baseGenomeId) as ProposalRecord | undefined;
    return r ? toProposal(r) : null;
  }

  /** Decides a pending proposal; null when it is not pending any more (nothing is changed then). */
  decide(id: number, d: Decision): ProposalRow | null {
    return this.write('record a decision on a proposal', () => this.decideRaw(id, d));
  }

  /** Supersedes the organism's pending proposals made against another genome than `liveId` (but `except`); returns them. */
  supersedeStale(organism: string, liveId: string, reason: string, except: number | null = null): ProposalRow[] {
    return this.write('supersede proposals', () =>
      this.db.transaction(() =>
        this.list({ organism, status: 'pending', limit: 1000 })
          .filter((p) => p.baseGenomeId !== liveId && p.id !== except)
          .flatMap((p) => this.decideRaw(p.id, { status: 'superseded', by: null, reason }) ?? []),
      )(),
    );
  }

  private decideRaw(id: number, d: Decision): ProposalRow | null {
    const info = this.db
      .prepare(
        `UPDATE proposals SET status = ?, decided_at = ?, decided_by = ?, token_fingerprint = ?, reason = ?, genome_id = ?
         WHERE id = ? AND status = 'pending'`,
      )
      .run(d.status, new Date().toISOString(), d.by?.address ?? null, d.by?.tokenFingerprint ?? null, d.reason, d.genomeId ?? null, id);
    return info.changes === 1 ? this.get(id) : null;
  }

  /** A storage failure says what could not be recorded, in which way, and what to do (as the GenomeStore's own writes). */
  private write<T>(what: string, fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      throw storageError(err, `Cannot ${what} in the store`, 'Nothing was changed; what was stored before is kept.');
    }
  }
}
