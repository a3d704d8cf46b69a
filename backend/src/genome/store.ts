import { createHash } from 'node:crypto';
import { mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { Cause, LogLevel, LogSource, RunOutcome, VerificationState, Verdict } from '../domain.js';
import { VERDICTS } from '../domain.js';
import { StorageError, storageError, type StorageFault } from '../storage/fault.js';
import { sourceHash } from '../lib/source-hash.js';
import { MIGRATIONS } from './schema.js';

export interface GenomeRow {
  id: string;
  organism: string;
  generation: number;
  parentId: string | null;
  sourceHash: string;
  source: string;
  cause: Cause;
  summary: string;
  detail: Record<string, unknown>;
  createdAt: string;
  /** Passed its organism's verification suite and not demoted since: the only kind of baseline a heal may use. */
  healthy: boolean;
  runsTotal: number;
  runsOk: number;
  lastVerdict: Verdict | null;
  verification: VerificationState;
  /** Suite size and time, the case it failed on, the counterexample that demoted it (see src/verification). */
  verificationDetail: Record<string, unknown>;
}

export interface NewGenome {
  organism: string;
  source: string;
  cause: Cause;
  summary: string;
  detail?: Record<string, unknown>;
  /** Judged already: its source has an outcome against the current suite (the verifier's record). Else pending. */
  verification?: { state: 'passed' | 'failed'; detail: Record<string, unknown> };
}

export interface RunRow extends RunOutcome {
  id: number;
  /** The run's number among its organism's runs: 1, 2, 3... (ids are shared by every organism). */
  number: number;
  organism: string;
  genomeId: string;
  generation: number;
  trial: boolean;
  /** The verification case this run was (a suite failure recorded against the genome); null for a routine run. */
  suiteCase: string | null;
}

export type NewRun = Omit<RunRow, 'id' | 'number' | 'suiteCase'> & { suiteCase?: string | null };

/** An input that exposed a bug its genome's suite missed, shrunk: it joins every later verification. */
export interface CounterexampleRow {
  id: number;
  organism: string;
  inputHash: string;
  input: unknown;
  original: unknown;
  originalSize: number;
  shrunkSize: number;
  shrinkRuns: number;
  genomeId: string;
  verdict: Verdict;
  error: string | null;
  createdAt: string;
}

export type NewCounterexample = Omit<CounterexampleRow, 'id' | 'createdAt'>;

/** A source's outcome against one verification suite (by fingerprint). */
export interface VerificationRecord {
  organism: string;
  sourceHash: string;
  suite: string;
  outcome: 'passed' | 'failed';
  detail: Record<string, unknown>;
  verifiedAt: string;
}

export interface LogRow {
  seq: number;
  organism: string;
  time: string;
  level: LogLevel;
  source: LogSource;
  text: string;
}

export interface RunAggregate {
  total: number;
  byVerdict: Record<Verdict, number>;
  sumMs: number;
}

/** A stored fitness measurement (see src/evolution/fitness.ts for its shape). */
export interface FitnessRow {
  genomeId: string;
  organism: string;
  measuredAt: string;
  gate: 'passed' | 'failed';
  timeMs: number | null;
  codeSize: number | null;
  benchmark: string;
  sourceHash: string;
  data: Record<string, unknown>;
}

interface FitnessRecord {
  genome_id: string;
  organism: string;
  measured_at: string;
  gate: 'passed' | 'failed';
  time_ms: number | null;
  code_size: number | null;
  benchmark: string;
  source_hash: string;
  data: string;
}

const toFitness = (r: FitnessRecord): FitnessRow => ({
  genomeId: r.genome_id,
  organism: r.organism,
  measuredAt: r.measured_at,
  gate: r.gate,
  timeMs: r.time_ms,
  codeSize: r.code_size,
  benchmark: r.benchmark,
  sourceHash: r.source_hash,
  data: JSON.parse(r.data) as Record<string, unknown>,
});

export class StaleLiveGenomeError extends Error {
  constructor(
    readonly expected: string | null,
    readonly actual: string | null,
  ) {
    super(`The live genome changed (expected ${expected}, found ${actual}) before this promotion could land.`);
    this.name = 'StaleLiveGenomeError';
  }
}

export { sourceHash };

/**
 * A genome's id addresses its content and its place in the lineage, like a git commit: the same source
 * reached again later (a rollback) is a new genome with its own parent and generation.
 */
export function genomeId(organism: string, generation: number, parentId: string | null, source: string): string {
  // The organism is hashed too: two organisms seeded with the same source must not share a genome 0 id.
  return createHash('sha256').update(`${organism}\0${generation}\0${parentId ?? ''}\0${source}`).digest('hex').slice(0, 16);
}

interface GenomeRecord {
  id: string;
  organism: string;
  generation: number;
  parent_id: string | null;
  source_hash: string;
  source: string;
  cause: Cause;
  summary: string;
  detail: string;
  created_at: string;
  healthy: number;
  runs_total: number;
  runs_ok: number;
  last_verdict: Verdict | null;
  verification: VerificationState;
  verification_detail: string;
}

const toGenome = (r: GenomeRecord): GenomeRow => ({
  id: r.id,
  organism: r.organism,
  generation: r.generation,
  parentId: r.parent_id,
  sourceHash: r.source_hash,
  source: r.source,
  cause: r.cause,
  summary: r.summary,
  detail: JSON.parse(r.detail) as Record<string, unknown>,
  createdAt: r.created_at,
  healthy: r.healthy === 1,
  runsTotal: r.runs_total,
  runsOk: r.runs_ok,
  lastVerdict: r.last_verdict,
  verification: r.verification,
  verificationDetail: JSON.parse(r.verification_detail) as Record<string, unknown>,
});

interface RunRecord {
  id: number;
  number: number;
  organism: string;
  genome_id: string;
  generation: number;
  seed: number;
  started_at: string;
  duration_ms: number;
  exit_code: number | null;
  signal: string | null;
  verdict: Verdict;
  error: string | null;
  trial: number;
  suite_case: string | null;
}

const toRun = (r: RunRecord): RunRow => ({
  id: r.id,
  number: r.number,
  organism: r.organism,
  genomeId: r.genome_id,
  generation: r.generation,
  seed: r.seed,
  startedAt: r.started_at,
  durationMs: r.duration_ms,
  exitCode: r.exit_code,
  signal: r.signal,
  verdict: r.verdict,
  error: r.error,
  trial: r.trial === 1,
  suiteCase: r.suite_case,
});

interface CounterexampleRecord {
  id: number;
  organism: string;
  input_hash: string;
  input: string;
  original: string;
  original_size: number;
  shrunk_size: number;
  shrink_runs: number;
  genome_id: string;
  verdict: Verdict;
  error: string | null;
  created_at: string;
}

const toCounterexample = (r: CounterexampleRecord): CounterexampleRow => ({
  id: r.id,
  organism: r.organism,
  inputHash: r.input_hash,
  input: JSON.parse(r.input) as unknown,
  original: JSON.parse(r.original) as unknown,
  originalSize: r.original_size,
  shrunkSize: r.shrunk_size,
  shrinkRuns: r.shrink_runs,
  genomeId: r.genome_id,
  verdict: r.verdict,
  error: r.error,
  createdAt: r.created_at,
});

/**
 * Genomes, runs, events and logs in one SQLite file. Every write is a transaction; promotion is atomic.
 *
 * A storage failure (a full disk, a read-only file system, a lock held by another process, a damaged file) is
 * thrown as a StorageError whose message names the file, the problem and the remedy, and is remembered as `fault`
 * until a write succeeds again. Log entries are the exception: one that cannot be stored is kept in memory only
 * (the LogBook's ring), because a log line must never be what takes the server down.
 */
export class GenomeStore {
  private readonly db: Database.Database;
  private insertStreamEventStatement: Database.Statement | null = null;
  /** Set and cleared by the wrapper of every method (guardStorage, at the end of this file). */
  private storageFault: StorageFault | null = null;

  constructor(readonly file: string) {
    try {
      mkdirSync(path.dirname(file), { recursive: true });
    } catch (err) {
      const subject = `Cannot create the folder of the store ${path.dirname(file)}`;
      // mkdir -p over a file fails with EEXIST: the path names a file where a folder should be.
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') {
        throw new StorageError('not-a-directory', 'EEXIST', `${subject}: a part of the path is a file, not a folder (EEXIST). Nothing was written. Point DATA_DIR at a folder.`, { cause: err });
      }
      throw storageError(err, subject, 'Nothing was written.');
    }
    let db: Database.Database | null = null;
    try {
      db = new Database(file, { timeout: BUSY_TIMEOUT_MS });
      db.pragma('journal_mode = WAL');
      // FULL: a promotion that was answered must survive a power cut, not only a crash of this process.
      db.pragma('synchronous = FULL');
      db.pragma('foreign_keys = ON');
      checkIntegrity(db, file);
      this.db = db;
      this.migrate();
      // Take the write lock once: a store that another process keeps locked fails here, at start, with a clear
      // message, rather than at the first run.
      db.exec('BEGIN IMMEDIATE; ROLLBACK');
    } catch (err) {
      db?.close();
      throw storageError(err, `Cannot open the store ${file}`, 'It was left untouched.');
    }
  }

  /** The open database, for modules that keep their own tables in this file (src/alerts, src/audit, proposals.ts). */
  get database(): Database.Database {
    return this.db;
  }

  /** The newest storage failure, while no write has succeeded since (null when the store works). */
  get fault(): StorageFault | null {
    return this.storageFault;
  }

  /** The open connection, for modules that keep their own tables in this file (genome/proposals.ts). */

  private migrate(): void {
    const version = this.db.pragma('user_version', { simple: true }) as number;
    for (let v = version; v < MIGRATIONS.length; v++) {
      this.db.transaction(() => {
        this.db.exec(MIGRATIONS[v] as string);
        this.db.pragma(`user_version = ${v + 1}`);
      })();
    }
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  // ---- genomes -------------------------------------------------------------------------------------------

  liveGenome(organism: string): GenomeRow | null {
    const r = this.db
      .prepare('SELECT g.* FROM live l JOIN genomes g ON g.id = l.genome_id WHERE l.organism = ?')
      .get(organism) as GenomeRecord | undefined;
    return r ? toGenome(r) : null;
  }

  /**
   * Records a new generation and makes it live, only if the live genome is still `expectedLiveId`
   * (compare-and-swap): a heal computed against a genome that chaos has since replaced must not land.
   */
  promote(expectedLiveId: string | null, g: NewGenome): GenomeRow {
    return this.db.transaction((): GenomeRow => {
      const live = this.liveGenome(g.organism);
      if ((live?.id ?? null) !== expectedLiveId) throw new StaleLiveGenomeError(expectedLiveId, live?.id ?? null);
      const generation = live ? this.maxGeneration(g.organism) + 1 : 0;
      const id = genomeId(g.organism, generation, live?.id ?? null, g.source);
      this.db
        .prepare(
          `INSERT INTO genomes (id, organism, generation, parent_id, source_hash, source, cause, summary, detail, created_at, healthy,
             verification, verification_detail)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          id,
          g.organism,
          generation,
          live?.id ?? null,
          sourceHash(g.source),
          g.source,
          g.cause,
          g.summary,
          JSON.stringify(g.detail ?? {}),
          new Date().toISOString(),
          g.verification?.state === 'passed' ? 1 : 0,
          g.verification?.state ?? 'pending',
          JSON.stringify(g.verification?.detail ?? {}),
        );
      this.db
        .prepare(
          `INSERT INTO live (organism, genome_id) VALUES (?, ?)
           ON CONFLICT (organism) DO UPDATE SET genome_id = excluded.genome_id`,
        )
        .run(g.organism, id);
      return this.getGenome(id) as GenomeRow;
    })();
  }

  /**
   * Takes back the promotion of `row`, still live, as if it had never happened: its parent is live again and the
   * row is gone. For a promotion whose live.js could not be written (src/files/live-file.ts, StagedFile.commit).
   */
  undoPromotion(row: GenomeRow): void {
    this.db.transaction(() => {
      const live = this.liveGenome(row.organism);
      if (live?.id !== row.id) throw new StaleLiveGenomeError(row.id, live?.id ?? null);
      if (row.parentId) this.db.prepare('UPDATE live SET genome_id = ? WHERE organism = ?').run(row.parentId, row.organism);
      else this.db.prepare('DELETE FROM live WHERE organism = ?').run(row.organism);
      this.db.prepare('DELETE FROM genomes WHERE id = ?').run(row.id);
    })();
  }

  private maxGeneration(organism: string): number {
    const r = this.db.prepare('SELECT MAX(generation) AS g FROM genomes WHERE organism = ?').get(organism) as {
      g: number | null;
    };
    return r.g ?? -1;
  }

  getGenome(id: string): GenomeRow | null {
    const r = this.db.prepare('SELECT * FROM genomes WHERE id = ?').get(id) as GenomeRecord | undefined;
    return r ? toGenome(r) : null;
  }

  /** The genome of one generation (0: the seed). */
  genomeAt(organism: string, generation: number): GenomeRow | null {
    const r = this.db.prepare('SELECT * FROM genomes WHERE organism = ? AND generation = ?').get(organism, generation) as GenomeRecord | undefined;
    return r ? toGenome(r) : null;
  }

  listGenomes(organism: string, limit: number, offset: number): GenomeRow[] {
    const rows = this.db
      .prepare('SELECT * FROM genomes WHERE organism = ? ORDER BY generation DESC LIMIT ? OFFSET ?')
      .all(organism, limit, offset) as GenomeRecord[];
    return rows.map(toGenome);
  }

  /** Generations are dense from 0, so the newest one counts them through the index, in constant time. */
  countGenomes(organism: string): number {
    return this.maxGeneration(organism) + 1;
  }

  /**
   * Verified genomes (healthy), newest first, one per distinct source, other than `excludeId`:
   * the baselines a heal may fall back to when the newest turns out wrong on some input.
   */
  healthyGenomes(organism: string, excludeId: string, limit: number): GenomeRow[] {
    const rows = this.db
      .prepare(
        `SELECT g.* FROM genomes g
           JOIN (SELECT source_hash, MAX(generation) AS generation FROM genomes
                  WHERE organism = ? AND healthy = 1 AND id != ? GROUP BY source_hash) newest
             ON newest.source_hash = g.source_hash AND newest.generation = g.generation
          WHERE g.organism = ?
          ORDER BY g.generation DESC LIMIT ?`,
      )
      .all(organism, excludeId, organism, limit) as GenomeRecord[];
    return rows.map(toGenome);
  }

  /** The newest verified genome, other than `excludeId`. */
  lastHealthyGenome(organism: string, excludeId?: string): GenomeRow | null {
    const r = this.db
      .prepare('SELECT * FROM genomes WHERE organism = ? AND healthy = 1 AND id != ? ORDER BY generation DESC LIMIT 1')
      .get(organism, excludeId ?? '') as GenomeRecord | undefined;
    return r ? toGenome(r) : null;
  }

  /** The source of the newest LLM heal made for a failure fingerprint, so the same failure reuses its fix. */
  knownLlmFix(organism: string, fingerprint: string): string | null {
    const r = this.db
      .prepare(
        `SELECT source FROM genomes WHERE organism = ? AND cause = 'heal'
           AND json_extract(detail, '$.llm.fingerprint') = ? ORDER BY generation DESC LIMIT 1`,
      )
      .get(organism, fingerprint) as { source: string } | undefined;
    return r?.source ?? null;
  }

  /**
   * Records a genome's verdict from its suite; healthy follows: only `passed` is healthy. Without an fsync of its own
   * (see relaxed): a verdict lost to a power cut leaves the genome pending, and it is verified again.
   */
  setVerification(id: string, state: VerificationState, detail: Record<string, unknown>): void {
    relaxed(this.db, () =>
      this.db
        .prepare('UPDATE genomes SET verification = ?, verification_detail = ?, healthy = ? WHERE id = ?')
        .run(state, JSON.stringify(detail), state === 'passed' ? 1 : 0, id),
    );
  }

  /**
   * Demotes every verified genome of a source at once (the same code is wrong on the same input), keeping what each
   * was verified with under `was`. Returns the ids demoted.
   */
  demoteSource(organism: string, hash: string, detail: Record<string, unknown>): string[] {
    return this.db.transaction((): string[] => {
      const rows = this.db
        .prepare("SELECT id, verification_detail FROM genomes WHERE organism = ? AND source_hash = ? AND verification = 'passed'")
        .all(organism, hash) as { id: string; verification_detail: string }[];
      const update = this.db.prepare("UPDATE genomes SET verification = 'failed', verification_detail = ?, healthy = 0 WHERE id = ?");
      for (const r of rows) update.run(JSON.stringify({ ...detail, was: JSON.parse(r.verification_detail) as unknown }), r.id);
      return rows.map((r) => r.id);
    })();
  }

  // ---- verification records and counterexamples --------------------------------------------------------------

  /**
   * Remembers a source's outcome against a suite, so the same code against the same suite is never run again. A cache
   * of what runs can tell again: written without an fsync of its own (see relaxed).
   */
  recordVerification(v: Omit<VerificationRecord, 'verifiedAt'>): void {
    relaxed(this.db, () => this.db
      .prepare(
        `INSERT INTO verifications (organism, source_hash, suite, outcome, detail, verified_at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (organism, source_hash, suite) DO UPDATE SET outcome = excluded.outcome, detail = excluded.detail,
           verified_at = excluded.verified_at`,
      )
      .run(v.organism, v.sourceHash, v.suite, v.outcome, JSON.stringify(v.detail), new Date().toISOString()));
  }

  findVerification(organism: string, hash: string, suite: string): VerificationRecord | null {
    const r = this.db
      .prepare('SELECT * FROM verifications WHERE organism = ? AND source_hash = ? AND suite = ?')
      .get(organism, hash, suite) as
      | { organism: string; source_hash: string; suite: string; outcome: 'passed' | 'failed'; detail: string; verified_at: string }
      | undefined;
    return r
      ? { organism: r.organism, sourceHash: r.source_hash, suite: r.suite, outcome: r.outcome, detail: JSON.parse(r.detail) as Record<string, unknown>, verifiedAt: r.verified_at }
      : null;
  }

  /** Stores a counterexample once per input (by hash); answers the stored row, new or not. */
  addCounterexample(c: NewCounterexample): { row: CounterexampleRow; added: boolean } {
    return this.db.transaction(() => {
      const info = this.db
        .prepare(
          `INSERT INTO counterexamples (organism, input_hash, input, original, original_size, shrunk_size, shrink_runs, genome_id, verdict, error, created_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (organism, input_hash) DO NOTHING`,
        )
        .run(
          c.organism,
          c.inputHash,
          JSON.stringify(c.input),
          JSON.stringify(c.original),
          c.originalSize,
          c.shrunkSize,
          c.shrinkRuns,
          c.genomeId,
          c.verdict,
          c.error,
          new Date().toISOString(),
        );
      const r = this.db
        .prepare('SELECT * FROM counterexamples WHERE organism = ? AND input_hash = ?')
        .get(c.organism, c.inputHash) as CounterexampleRecord;
      return { row: toCounterexample(r), added: info.changes > 0 };
    })();
  }

  /** An organism's immune memory, oldest first (the order they join the suite in). */
  listCounterexamples(organism: string): CounterexampleRow[] {
    return (this.db.prepare('SELECT * FROM counterexamples WHERE organism = ? ORDER BY id').all(organism) as CounterexampleRecord[]).map(toCounterexample);
  }

  getCounterexample(id: number): CounterexampleRow | null {
    const r = this.db.prepare('SELECT * FROM counterexamples WHERE id = ?').get(id) as CounterexampleRecord | undefined;
    return r ? toCounterexample(r) : null;
  }

  isPaused(organism: string): boolean {
    const r = this.db.prepare('SELECT paused FROM live WHERE organism = ?').get(organism) as { paused: number } | undefined;
    return r?.paused === 1;
  }

  setPaused(organism: string, paused: boolean): void {
    this.db.prepare('UPDATE live SET paused = ? WHERE organism = ?').run(paused ? 1 : 0, organism);
  }

  // ---- runs ----------------------------------------------------------------------------------------------

  /**
   * Without an fsync of its own (see relaxed): the most frequent write there is (every organism, every second), and a
   * FULL commit held the event loop for its fsync, up to half a second while the disk was busy (profiled with 40
   * organisms). A SIGKILLed server loses none; a power cut may lose the runs since the last FULL commit.
   */
  insertRun(run: NewRun): RunRow {
    let row!: RunRow;
    relaxed(this.db, () => (row = this.db.transaction((): RunRow => {
      const info = this.db
        .prepare(
          `INSERT INTO runs (organism, number, genome_id, generation, seed, started_at, duration_ms, exit_code, signal, verdict, error, trial, suite_case)
           VALUES (?, (SELECT COALESCE(MAX(number), 0) + 1 FROM runs WHERE organism = ?), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
           RETURNING id, number`,
        )
        .get(
          run.organism,
          run.organism,
          run.genomeId,
          run.generation,
          run.seed,
          run.startedAt,
          run.durationMs,
          run.exitCode,
          run.signal,
          run.verdict,
          run.error,
          run.trial ? 1 : 0,
          run.suiteCase ?? null,
        ) as { id: number; number: number };
      // A passing run no longer makes a genome healthy: only its verification suite does (setVerification).
      if (!run.trial) {
        this.db
          .prepare('UPDATE genomes SET runs_total = runs_total + 1, runs_ok = runs_ok + ?, last_verdict = ? WHERE id = ?')
          .run(run.verdict === 'ok' ? 1 : 0, run.verdict, run.genomeId);
      }
      return { ...run, suiteCase: run.suiteCase ?? null, id: info.id, number: info.number };
    })()));
    return row;
  }

  /** Live (non-trial) runs, oldest first: the newest `limit`, or those after `sinceId`. */
  recentRuns(organism: string, limit: number, sinceId?: number): RunRow[] {
    const rows =
      sinceId === undefined
        ? (this.db
            .prepare('SELECT * FROM runs WHERE organism = ? AND trial = 0 ORDER BY id DESC LIMIT ?')
            .all(organism, limit) as RunRecord[]).reverse()
        : (this.db
            .prepare('SELECT * FROM runs WHERE organism = ? AND trial = 0 AND id > ? ORDER BY id ASC LIMIT ?')
            .all(organism, sinceId, limit) as RunRecord[]);
    return rows.map(toRun);
  }

  /** The newest live run, or the newest failed one. */
  lastRun(organism: string, failedOnly = false): RunRow | null {
    const sql = failedOnly
      ? "SELECT * FROM runs WHERE organism = ? AND trial = 0 AND verdict != 'ok' ORDER BY id DESC LIMIT 1"
      : 'SELECT * FROM runs WHERE organism = ? AND trial = 0 ORDER BY id DESC LIMIT 1';
    const r = this.db.prepare(sql).get(organism) as RunRecord | undefined;
    return r ? toRun(r) : null;
  }

  runAggregate(organism: string): RunAggregate {
    const rows = this.db
      .prepare(
        'SELECT verdict, COUNT(*) AS n, SUM(duration_ms) AS ms FROM runs WHERE organism = ? AND trial = 0 GROUP BY verdict',
      )
      .all(organism) as { verdict: Verdict; n: number; ms: number }[];
    const byVerdict = Object.fromEntries(VERDICTS.map((v) => [v, 0])) as Record<Verdict, number>;
    let total = 0;
    let sumMs = 0;
    for (const r of rows) {
      byVerdict[r.verdict] = r.n;
      total += r.n;
      sumMs += r.ms;
    }
    return { total, byVerdict, sumMs };
  }

  // ---- events --------------------------------------------------------------------------------------------

  insertEvent(organism: string, kind: string, genomeId: string | null, detail: Record<string, unknown>): number {
    const info = this.db
      .prepare('INSERT INTO events (organism, kind, genome_id, created_at, detail) VALUES (?, ?, ?, ?, ?)')
      .run(organism, kind, genomeId, new Date().toISOString(), JSON.stringify(detail));
    return Number(info.lastInsertRowid);
  }

  listEvents(organism: string, limit: number): { id: number; kind: string; genomeId: string | null; createdAt: string; detail: Record<string, unknown> }[] {
    const rows = this.db
      .prepare('SELECT * FROM events WHERE organism = ? ORDER BY id DESC LIMIT ?')
      .all(organism, limit) as { id: number; kind: string; genome_id: string | null; created_at: string; detail: string }[];
    return rows.map((r) => ({
      id: r.id,
      kind: r.kind,
      genomeId: r.genome_id,
      createdAt: r.created_at,
      detail: JSON.parse(r.detail) as Record<string, unknown>,
    }));
  }

  /** The newest event of one kind, or null. */
  lastEvent(organism: string, kind: string): { id: number; genomeId: string | null; createdAt: string; detail: Record<string, unknown> } | null {
    const r = this.db
      .prepare('SELECT * FROM events WHERE organism = ? AND kind = ? ORDER BY id DESC LIMIT 1')
      .get(organism, kind) as { id: number; genome_id: string | null; created_at: string; detail: string } | undefined;
    return r ? { id: r.id, genomeId: r.genome_id, createdAt: r.created_at, detail: JSON.parse(r.detail) as Record<string, unknown> } : null;
  }

  // ---- fitness (evolution) -------------------------------------------------------------------------------

  /** Records (or replaces) a genome's fitness. */
  setFitness(f: Omit<FitnessRow, 'organism' | 'sourceHash'>): FitnessRow {
    const g = this.getGenome(f.genomeId);
    if (!g) throw new Error(`no genome ${f.genomeId}`);
    this.db
      .prepare(
        `INSERT INTO fitness (genome_id, organism, measured_at, gate, time_ms, code_size, benchmark, source_hash, data)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (genome_id) DO UPDATE SET measured_at = excluded.measured_at, gate = excluded.gate,
           time_ms = excluded.time_ms, code_size = excluded.code_size, benchmark = excluded.benchmark, data = excluded.data`,
      )
      .run(f.genomeId, g.organism, f.measuredAt, f.gate, f.timeMs, f.codeSize, f.benchmark, g.sourceHash, JSON.stringify(f.data));
    return this.getFitness(f.genomeId) as FitnessRow;
  }

  getFitness(genomeId: string): FitnessRow | null {
    const r = this.db.prepare('SELECT * FROM fitness WHERE genome_id = ?').get(genomeId) as FitnessRecord | undefined;
    return r ? toFitness(r) : null;
  }

  /** The fitness of several genomes at once (the genome list), by id. */
  fitnessOf(genomeIds: readonly string[]): Map<string, FitnessRow> {
    const out = new Map<string, FitnessRow>();
    if (genomeIds.length === 0) return out;
    const rows = this.db
      .prepare(`SELECT * FROM fitness WHERE genome_id IN (${genomeIds.map(() => '?').join(', ')})`)
      .all(...genomeIds) as FitnessRecord[];
    for (const r of rows) out.set(r.genome_id, toFitness(r));
    return out;
  }

  /** A fitness already measured for the same source on the same benchmark (a heal or rollback restores known code). */
  fitnessBySource(organism: string, sourceHash: string, benchmark: string): FitnessRow | null {
    const r = this.db
      .prepare('SELECT * FROM fitness WHERE organism = ? AND source_hash = ? AND benchmark = ? ORDER BY measured_at DESC LIMIT 1')
      .get(organism, sourceHash, benchmark) as FitnessRecord | undefined;
    return r ? toFitness(r) : null;
  }

  /** The newest passing fitness of an organism on a benchmark: a reference for how long a run should take. */
  lastPassingFitness(organism: string, benchmark: string): FitnessRow | null {
    const r = this.db
      .prepare("SELECT * FROM fitness WHERE organism = ? AND benchmark = ? AND gate = 'passed' ORDER BY measured_at DESC LIMIT 1")
      .get(organism, benchmark) as FitnessRecord | undefined;
    return r ? toFitness(r) : null;
  }

  /** Genomes of an organism without a fitness yet, newest first. */
  genomesWithoutFitness(organism: string, limit: number): GenomeRow[] {
    const rows = this.db
      .prepare(
        `SELECT g.* FROM genomes g LEFT JOIN fitness f ON f.genome_id = g.id
         WHERE g.organism = ? AND f.genome_id IS NULL ORDER BY g.generation DESC LIMIT ?`,
      )
      .all(organism, limit) as GenomeRecord[];
    return rows.map(toGenome);
  }

  // ---- logs ----------------------------------------------------------------------------------------------

  insertLog(entry: LogRow): void {
    relaxed(this.db, () =>
      this.db
        .prepare('INSERT INTO logs (seq, organism, time, level, source, text) VALUES (?, ?, ?, ?, ?, ?)')
        .run(entry.seq, entry.organism, entry.time, entry.level, entry.source, entry.text),
    );
  }

  /** The newest `limit` log entries, oldest first. */
  recentLogs(limit: number): LogRow[] {
    return (this.db.prepare('SELECT * FROM logs ORDER BY seq DESC LIMIT ?').all(limit) as LogRow[]).reverse();
  }

  maxLogSeq(): number {
    return (this.db.prepare('SELECT MAX(seq) AS s FROM logs').get() as { s: number | null }).s ?? 0;
  }

  pruneLogs(keep: number): void {
    relaxed(this.db, () => this.db.prepare('DELETE FROM logs WHERE seq <= (SELECT MAX(seq) FROM logs) - ?').run(keep));
  }

  // ---- the event stream's journal (src/events) -----------------------------------------------------------

  /**
   * Written like a log entry (no fsync of its own): the stream sends it right after, and sends a lot of them. True
   * when stored; a failure is best effort (see guardStorage) and answers undefined.
   */
  insertStreamEvent(e: StreamEventRow): true {
    // Prepared once: this runs for every event, log lines included.
    this.insertStreamEventStatement ??= this.db.prepare('INSERT INTO stream_events (id, organism, type, json) VALUES (?, ?, ?, ?)');
    const statement = this.insertStreamEventStatement;
    relaxed(this.db, () => statement.run(e.id, e.organism, e.type, e.json));
    return true;
  }

  /**
   * Events with `afterId < id < beforeId`, oldest first, at most `limit`; only one organism's and some types when
   * asked (the same rule as src/events/filter.ts).
   */
  streamEvents(afterId: number, beforeId: number, limit: number, organism: string | null, types: readonly string[] | null): StreamEventRow[] {
    const where = ['id > ?', 'id < ?'];
    const args: (string | number)[] = [afterId, beforeId];
    if (organism !== null) {
      where.push('organism = ?');
      args.push(organism);
    }
    if (types !== null) {
      where.push(`type IN (${types.map(() => '?').join(', ')})`);
      args.push(...types);
    }
    return this.db
      .prepare(`SELECT id, organism, type, json FROM stream_events WHERE ${where.join(' AND ')} ORDER BY id LIMIT ?`)
      .all(...args, limit) as StreamEventRow[];
  }

  /** The newest `limit` events, oldest first. */
  recentStreamEvents(limit: number): StreamEventRow[] {
    return (this.db.prepare('SELECT id, organism, type, json FROM stream_events ORDER BY id DESC LIMIT ?').all(limit) as StreamEventRow[]).reverse();
  }

  /** The oldest and newest ids kept (null when there is none). */
  streamEventBounds(): { oldest: number | null; newest: number | null } {
    const r = this.db.prepare('SELECT MIN(id) AS oldest, MAX(id) AS newest FROM stream_events').get() as { oldest: number | null; newest: number | null };
    return { oldest: r.oldest, newest: r.newest };
  }

  /** Deletes the events older than `oldestKept`. */
  pruneStreamEvents(oldestKept: number): void {
    relaxed(this.db, () => this.db.prepare('DELETE FROM stream_events WHERE id < ?').run(oldestKept));
  }

  // ---- LLM calls and their cost (src/llm/ledger.ts) ----------------------------------------------------------

  insertLlmCall(c: NewLlmCall): void {
    this.db
      .prepare('INSERT INTO llm_calls (at, day, organism, purpose, ref, model, prompt_tokens, completion_tokens, cost_usd) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)')
      .run(c.at, c.day, c.organism, c.purpose, c.ref, c.model, c.promptTokens, c.completionTokens, c.costUsd);
  }

  /** The calls and their tokens and cost, narrowed to a day, an organism, a purpose or a ref when given. */
  llmSpend(where: { day?: string; organism?: string; purpose?: string; ref?: string } = {}): LlmSpend {
    const clauses: string[] = [];
    const args: string[] = [];
    for (const [column, value] of Object.entries(where)) {
      if (value === undefined) continue;
      clauses.push(`${column} = ?`);
      args.push(value);
    }
    const r = this.db
      .prepare(
        `SELECT COUNT(*) AS calls, COALESCE(SUM(prompt_tokens), 0) AS promptTokens, COALESCE(SUM(completion_tokens), 0) AS completionTokens,
                COALESCE(SUM(cost_usd), 0) AS costUsd, SUM(cost_usd IS NULL) AS unpriced
           FROM llm_calls ${clauses.length ? `WHERE ${clauses.join(' AND ')}` : ''}`,
      )
      .get(...args) as LlmSpend;
    return { ...r, unpriced: r.unpriced ?? 0 };
  }

  /** Spend per organism and purpose, for /metrics; `day` narrows to one UTC day. */
  llmSpendByOrganism(day?: string): (LlmSpend & { organism: string; purpose: string })[] {
    return this.db
      .prepare(
        `SELECT organism, purpose, COUNT(*) AS calls, COALESCE(SUM(prompt_tokens), 0) AS promptTokens,
                COALESCE(SUM(completion_tokens), 0) AS completionTokens, COALESCE(SUM(cost_usd), 0) AS costUsd,
                SUM(cost_usd IS NULL) AS unpriced
           FROM llm_calls ${day ? 'WHERE day = ?' : ''} GROUP BY organism, purpose ORDER BY organism, purpose`,
      )
      .all(...(day ? [day] : [])) as (LlmSpend & { organism: string; purpose: string })[];
  }
}

export interface NewLlmCall {
  at: string;
  /** The UTC day of `at` (YYYY-MM-DD), the budget's day. */
  day: string;
  organism: string;
  purpose: 'heal' | 'evolve';
  /** What the call was for: an evolution run's id; null for a heal. */
  ref: string | null;
  model: string;
  promptTokens: number | null;
  completionTokens: number | null;
  /** At the prices configured when the call was made; null without prices or usage. */
  costUsd: number | null;
}

export interface LlmSpend {
  calls: number;
  promptTokens: number;
  completionTokens: number;
  costUsd: number;
  /** Calls whose cost is unknown (no prices then, or no usage reported). */
  unpriced: number;
}

export interface StreamEventRow {
  id: number;
  organism: string;
  type: string;
  /** The event exactly as sent, id included. */
  json: string;
}

// ---- storage failures ------------------------------------------------------------------------------------

/** How long a write waits for a lock another connection holds before it fails with SQLITE_BUSY. */
const BUSY_TIMEOUT_MS = 5000;
/** quick_check reads the whole file (about 3 ms a megabyte); above this size start-up does not wait for it. */
const INTEGRITY_CHECK_MAX_BYTES = 256 * 1024 * 1024;

/** A damaged store is refused at start, before anything is written to it. */
function checkIntegrity(db: Database.Database, file: string): void {
  let size = 0;
  try {
    size = statSync(file).size;
  } catch {
    return;
  }
  if (size === 0 || size > INTEGRITY_CHECK_MAX_BYTES) return;
  const result = db.pragma('quick_check(1)', { simple: true });
  if (result !== 'ok') {
    throw new StorageError('corrupt', 'SQLITE_CORRUPT', `Cannot open the store ${file}: it is corrupted (quick_check: ${String(result)}). It was left untouched. Restore it from a backup, or move it away to start with an empty history.`);
  }
}

/**
 * A write without its own fsync (synchronous=NORMAL): safe against a crash of this process, and made durable by the
 * next FULL commit (the WAL is synced up to it). For log entries: a run prints up to twenty lines, and an fsync each,
 * on the event loop, stalled every dashboard for up to 15 ms. The same for run records and the event journal; genomes,
 * verdicts and chaos stay FULL.
 */
function relaxed(db: Database.Database, write: () => void): void {
  db.pragma('synchronous = NORMAL');
  try {
    write();
  } finally {
    db.pragma('synchronous = FULL');
  }
}

/** What each method that writes does, for messages (a method missing here is named as it is, and treated as a read). */
const WRITES: Readonly<Record<string, string>> = {
  migrate: 'upgrade the schema',
  promote: 'record a new genome',
  undoPromotion: 'take back a genome whose file could not be written',
  setVerification: "record a genome's verification",
  demoteSource: 'demote a genome',
  recordVerification: 'remember a verification',
  addCounterexample: 'store a counterexample',
  setPaused: 'record the pause',
  insertRun: 'record a run',
  insertEvent: 'record an event',
  insertLog: 'store a log entry',
  pruneLogs: 'prune old log entries',
  setFitness: "record a genome's fitness",
  insertStreamEvent: 'store an event of the stream',
  pruneStreamEvents: 'prune old events of the stream',
  insertLlmCall: 'record an LLM call and its cost',
};
/** Writes whose failure is recorded but not thrown: the entry stays in memory (the LogBook's ring, the journal's ring). */
const BEST_EFFORT = new Set(['insertLog', 'pruneLogs', 'insertStreamEvent', 'pruneStreamEvents']);

/**
 * Wraps every method of the store: a storage failure becomes a StorageError that says what could not be done, in
 * which file, why and what to do, and is remembered as the store's fault until a write succeeds. Other errors (a
 * StaleLiveGenomeError, a constraint) pass unchanged.
 */
function guardStorage(proto: Record<string, unknown>): void {
  for (const name of Object.getOwnPropertyNames(proto)) {
    const desc = Object.getOwnPropertyDescriptor(proto, name);
    if (name === 'constructor' || name === 'close' || !desc || typeof desc.value !== 'function') continue;
    const original = desc.value as (...args: unknown[]) => unknown;
    const write = WRITES[name];
    const bestEffort = BEST_EFFORT.has(name);
    Object.defineProperty(proto, name, {
      ...desc,
      value: function guarded(this: { file: string; db: Database.Database; storageFault: StorageFault | null }, ...args: unknown[]) {
        // better-sqlite3 waits for a lock synchronously, freezing the server: while another process holds the
        // store locked, a log entry does not wait for it (it stays in memory), only the records that matter do.
        const noWait = bestEffort && this.storageFault?.problem === 'locked';
        if (noWait) this.db.pragma('busy_timeout = 0');
        try {
          const result = original.apply(this, args);
          if (write && this.storageFault) this.storageFault = null;
          return result;
        } catch (err) {
          const wrapped = storageError(
            err,
            `Cannot ${write ?? `run ${name}`} in the store ${this.file}`,
            write ? 'Nothing was changed; what was stored before is kept.' : 'Nothing was changed.',
          );
          if (!(wrapped instanceof StorageError)) throw err;
          this.storageFault = wrapped.toFault();
          if (bestEffort) return undefined;
          throw wrapped;
        } finally {
          if (noWait) this.db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
        }
      },
    });
  }
}

guardStorage(GenomeStore.prototype as unknown as Record<string, unknown>);
