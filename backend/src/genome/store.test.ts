import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir } from '../../test/helpers/fixtures.js';
import { MIGRATIONS } from './schema.js';
import { GenomeStore, StaleLiveGenomeError } from './store.js';

let tmp: ReturnType<typeof tempDir>;
let file: string;
let store: GenomeStore;

beforeEach(() => {
  tmp = tempDir();
  file = path.join(tmp.dir, 'nested', 'store.db');
  store = new GenomeStore(file);
});
afterEach(() => {
  store.close();
  tmp.cleanup();
});

const seed = (s: GenomeStore) => s.promote(null, { organism: 'o', source: 'A\n', cause: 'seed', summary: 'genome 0' });
const run = (genomeId: string, generation: number, verdict: 'ok' | 'crashed', trial = false) =>
  store.insertRun({
    organism: 'o',
    genomeId,
    generation,
    seed: 1,
    startedAt: new Date().toISOString(),
    durationMs: 10,
    exitCode: verdict === 'ok' ? 0 : 1,
    signal: null,
    verdict,
    error: verdict === 'ok' ? null : 'Error: x',
    trial,
  });

describe('GenomeStore', () => {
  it("numbers each organism's runs 1, 2, 3..., however they interleave", () => {
    const a = seed(store);
    const b = store.promote(null, { organism: 'p', source: 'P\n', cause: 'seed', summary: 'genome 0' });
    const runOf = (organism: string, genomeId: string) =>
      store.insertRun({ organism, genomeId, generation: 0, seed: 1, startedAt: 't', durationMs: 1, exitCode: 0, signal: null, verdict: 'ok', error: null, trial: false });
    const rows = [runOf('o', a.id), runOf('p', b.id), runOf('p', b.id), runOf('o', a.id), runOf('p', b.id)];
    expect(rows.map((r) => `${r.organism}${r.number}`)).toEqual(['o1', 'p1', 'p2', 'o2', 'p3']);
    expect(store.recentRuns('p', 10).map((r) => r.number)).toEqual([1, 2, 3]);
    expect(store.lastRun('o')).toMatchObject({ number: 2 });
    expect(store.runAggregate('p').total).toBe(3);
  });

  it('numbers the runs of a store made before run numbers, in the order they ran', () => {
    store.close();
    const old = path.join(tmp.dir, 'old.db');
    const db = new Database(old);
    for (const [v, sql] of MIGRATIONS.slice(0, 2).entries()) {
      db.exec(sql);
      db.pragma(`user_version = ${v + 1}`);
    }
    db.exec(`INSERT INTO genomes (id, organism, generation, source_hash, source, cause, summary, created_at) VALUES ('a', 'o', 0, 'h', 's', 'seed', 's', 't'), ('b', 'p', 0, 'h', 's', 'seed', 's', 't')`);
    const insert = db.prepare(`INSERT INTO runs (organism, genome_id, generation, seed, started_at, duration_ms, verdict) VALUES (?, ?, 0, 1, 't', 1, 'ok')`);
    for (const [o, g] of [['o', 'a'], ['p', 'b'], ['o', 'a'], ['o', 'a'], ['p', 'b']]) insert.run(o, g);
    db.close();
    store = new GenomeStore(old);
    expect(store.recentRuns('o', 10).map((r) => r.number)).toEqual([1, 2, 3]);
    expect(store.recentRuns('p', 10).map((r) => r.number)).toEqual([1, 2]);
    expect(store.insertRun({ organism: 'p', genomeId: 'b', generation: 0, seed: 1, startedAt: 't', durationMs: 1, exitCode: 0, signal: null, verdict: 'ok', error: null, trial: false }).number).toBe(3);
  });

  it('seeds generation 0 and promotes children with increasing generations', () => {
    const g0 = seed(store);
    expect(g0).toMatchObject({ generation: 0, parentId: null, cause: 'seed', healthy: false });
    const g1 = store.promote(g0.id, { organism: 'o', source: 'B\n', cause: 'chaos', summary: 'x' });
    expect(g1).toMatchObject({ generation: 1, parentId: g0.id, cause: 'chaos' });
    expect(store.liveGenome('o')?.id).toBe(g1.id);
    expect(store.listGenomes('o', 10, 0).map((g) => g.generation)).toEqual([1, 0]);
    expect(store.countGenomes('o')).toBe(2);
  });

  it('refuses a promotion computed against a live genome that has since changed', () => {
    const g0 = seed(store);
    store.promote(g0.id, { organism: 'o', source: 'B\n', cause: 'chaos', summary: 'x' });
    expect(() => store.promote(g0.id, { organism: 'o', source: 'A\n', cause: 'heal', summary: 'late heal' })).toThrow(
      StaleLiveGenomeError,
    );
    expect(store.countGenomes('o')).toBe(2);
  });

  it('gives the same source reached again a new id (a rollback is a new generation)', () => {
    const g0 = seed(store);
    const g1 = store.promote(g0.id, { organism: 'o', source: 'B\n', cause: 'chaos', summary: 'x' });
    const g2 = store.promote(g1.id, { organism: 'o', source: 'A\n', cause: 'rollback', summary: 'back' });
    expect(g2.sourceHash).toBe(g0.sourceHash);
    expect(g2.id).not.toBe(g0.id);
  });

  it('counts live runs, not trials, and makes a genome healthy only by its verification', () => {
    const g0 = seed(store);
    run(g0.id, 0, 'crashed');
    expect(store.getGenome(g0.id)?.healthy).toBe(false);
    run(g0.id, 0, 'ok', true);
    expect(store.getGenome(g0.id)).toMatchObject({ healthy: false, runsTotal: 1, runsOk: 0 });
    run(g0.id, 0, 'ok');
    expect(store.getGenome(g0.id)).toMatchObject({ healthy: false, verification: 'pending', runsTotal: 2, runsOk: 1, lastVerdict: 'ok' });
    expect(store.lastHealthyGenome('o')).toBeNull();
    store.setVerification(g0.id, 'passed', { suiteSize: 3 });
    expect(store.getGenome(g0.id)).toMatchObject({ healthy: true, verification: 'passed', verificationDetail: { suiteSize: 3 } });
    expect(store.lastHealthyGenome('o')?.id).toBe(g0.id);
    expect(store.lastHealthyGenome('o', g0.id)).toBeNull();
    const agg = store.runAggregate('o');
    expect(agg.total).toBe(2);
    expect(agg.byVerdict).toMatchObject({ ok: 1, crashed: 1, hung: 0 });
    expect(store.lastRun('o', true)?.verdict).toBe('crashed');
  });

  it('returns recent runs oldest first, and only newer ones with since', () => {
    const g0 = seed(store);
    const ids = [1, 2, 3, 4].map(() => run(g0.id, 0, 'ok').id);
    expect(store.recentRuns('o', 2).map((r) => r.id)).toEqual(ids.slice(2));
    expect(store.recentRuns('o', 10, ids[1]).map((r) => r.id)).toEqual(ids.slice(2));
  });

  it('keeps everything across a close and reopen', () => {
    const g0 = seed(store);
    run(g0.id, 0, 'ok');
    store.setPaused('o', true);
    store.insertLog({ seq: 1, organism: 'o', time: 't', level: 'info', source: 'watcher', text: 'hello' });
    store.close();
    store = new GenomeStore(file);
    expect(store.liveGenome('o')?.id).toBe(g0.id);
    expect(store.isPaused('o')).toBe(true);
    expect(store.runAggregate('o').total).toBe(1);
    expect(store.maxLogSeq()).toBe(1);
    expect(store.recentLogs(10)[0]?.text).toBe('hello');
  });

  it('prunes logs down to the retention', () => {
    for (let seq = 1; seq <= 50; seq++) {
      store.insertLog({ seq, organism: 'o', time: 't', level: 'info', source: 'watcher', text: `#${seq}` });
    }
    store.pruneLogs(10);
    expect(store.recentLogs(100).map((l) => l.seq)).toEqual([41, 42, 43, 44, 45, 46, 47, 48, 49, 50]);
  });

  it('writes log entries and run records without an fsync of their own, and genomes with one', () => {
    const db = (store as unknown as { db: { pragma(p: string, o?: { simple: true }): unknown } }).db;
    const sync = () => db.pragma('synchronous', { simple: true });
    const FULL = 2;
    const NORMAL = 1;
    const genome = store.promote(null, { organism: 'o', source: 'x', cause: 'seed', summary: 'seed' });
    // What synchronous was each time a statement ran (better-sqlite3 prepares every statement).
    const seen: unknown[] = [];
    const prepare = (db as unknown as { prepare(sql: string): unknown }).prepare;
    (db as unknown as { prepare(sql: string): unknown }).prepare = function (this: unknown, sql: string) {
      if (/^(INSERT|DELETE)/.test(sql)) seen.push(`${sql.split(' ')[0]} ${sync()}`);
      return prepare.call(this, sql);
    };
    try {
      store.insertLog({ seq: 1, organism: 'o', time: 't', level: 'info', source: 'watcher', text: 'x' });
      store.pruneLogs(10);
      store.insertRun({ organism: 'o', genomeId: genome.id, generation: 0, seed: 1, startedAt: 't', durationMs: 1, exitCode: 0, signal: null, verdict: 'ok', error: null, trial: false });
      seen.push('promote');
      store.promote(genome.id, { organism: 'o', source: 'y', cause: 'chaos', summary: 'chaos' });
    } finally {
      (db as unknown as { prepare(sql: string): unknown }).prepare = prepare;
    }
    expect(seen.slice(0, 3)).toEqual([`INSERT ${NORMAL}`, `DELETE ${NORMAL}`, `INSERT ${NORMAL}`]);
    const promotion = seen.slice(seen.indexOf('promote') + 1);
    expect(promotion.length).toBeGreaterThanOrEqual(1);
    for (const s of promotion) expect(s).toMatch(new RegExp(` ${FULL}$`));
    expect(sync()).toBe(FULL);
  });

  it('lists healthy baselines newest first, one per source, without the excluded genome', () => {
    const g0 = seed(store);
    store.setVerification(g0.id, 'passed', {});
    const g1 = store.promote(g0.id, { organism: 'o', source: 'B\n', cause: 'chaos', summary: 'x' });
    store.setVerification(g1.id, 'passed', {});
    const g2 = store.promote(g1.id, { organism: 'o', source: 'A\n', cause: 'rollback', summary: 'back', verification: { state: 'passed', detail: {} } });
    const g3 = store.promote(g2.id, { organism: 'o', source: 'C\n', cause: 'chaos', summary: 'y' });
    expect(store.healthyGenomes('o', g3.id, 10).map((g) => g.generation)).toEqual([2, 1]);
    expect(store.healthyGenomes('o', g2.id, 10).map((g) => g.generation)).toEqual([1, 0]);
    expect(store.healthyGenomes('o', g3.id, 1).map((g) => g.generation)).toEqual([2]);
  });

  it('demotes every verified genome of a source at once, keeping what each was verified with', () => {
    const g0 = seed(store);
    store.setVerification(g0.id, 'passed', { suite: 's1' });
    const g1 = store.promote(g0.id, { organism: 'o', source: 'B\n', cause: 'chaos', summary: 'x', verification: { state: 'passed', detail: {} } });
    const g2 = store.promote(g1.id, { organism: 'o', source: 'A\n', cause: 'rollback', summary: 'back', verification: { state: 'passed', detail: { suite: 's1' } } });
    expect(store.demoteSource('o', g0.sourceHash, { demotedBy: { counterexample: 1 } }).sort()).toEqual([g0.id, g2.id].sort());
    expect(store.getGenome(g2.id)).toMatchObject({ healthy: false, verification: 'failed', verificationDetail: { demotedBy: { counterexample: 1 }, was: { suite: 's1' } } });
    expect(store.healthyGenomes('o', 'none', 10).map((g) => g.id)).toEqual([g1.id]);
  });

  it('stores each counterexample once per organism, and remembers outcomes per source and suite', () => {
    const g0 = seed(store);
    const c = { organism: 'o', inputHash: 'h1', input: { values: [2, 1] }, original: { values: [9, 2, 1] }, originalSize: 20, shrunkSize: 16, shrinkRuns: 4, genomeId: g0.id, verdict: 'wrong' as const, error: 'x' };
    const first = store.addCounterexample(c);
    expect(first.added).toBe(true);
    expect(store.addCounterexample({ ...c, original: { values: [3] } })).toMatchObject({ added: false, row: { id: first.row.id, original: { values: [9, 2, 1] } } });
    store.addCounterexample({ ...c, organism: 'p' });
    expect(store.listCounterexamples('o').map((r) => r.input)).toEqual([{ values: [2, 1] }]);
    expect(store.findVerification('o', g0.sourceHash, 'f1')).toBeNull();
    store.recordVerification({ organism: 'o', sourceHash: g0.sourceHash, suite: 'f1', outcome: 'failed', detail: { n: 1 } });
    store.recordVerification({ organism: 'o', sourceHash: g0.sourceHash, suite: 'f1', outcome: 'passed', detail: { n: 2 } });
    expect(store.findVerification('o', g0.sourceHash, 'f1')).toMatchObject({ outcome: 'passed', detail: { n: 2 } });
    expect(store.findVerification('o', g0.sourceHash, 'f2')).toBeNull();
  });
});

describe('genome ids across organisms', () => {
  it('lets two organisms start from the same source', () => {
    const tmp2 = tempDir();
    const s = new GenomeStore(path.join(tmp2.dir, 'two.db'));
    try {
      const a = s.promote(null, { organism: 'a', source: 'same\n', cause: 'seed', summary: 'genome 0' });
      const b = s.promote(null, { organism: 'b', source: 'same\n', cause: 'seed', summary: 'genome 0' });
      expect(a.id).not.toBe(b.id);
      expect(s.countGenomes('a')).toBe(1);
      expect(s.countGenomes('c')).toBe(0);
    } finally {
      s.close();
      tmp2.cleanup();
    }
  });
});

describe('upgrading a store made before verification', () => {
  it('clears the healthy marks one run earned, and keeps everything else', async () => {
    const { default: Database } = await import('better-sqlite3');
    const { MIGRATIONS } = await import('./schema.js');
    const tmp2 = tempDir();
    const file = path.join(tmp2.dir, 'old.db');
    const db = new Database(file);
    for (const [i, m] of MIGRATIONS.slice(0, 2).entries()) {
      db.exec(m);
      db.pragma(`user_version = ${i + 1}`);
    }
    db.prepare(
      `INSERT INTO genomes (id, organism, generation, parent_id, source_hash, source, cause, summary, created_at, healthy, runs_total, runs_ok, last_verdict)
       VALUES ('0123456789abcdef', 'o', 0, NULL, 'h', 'A\n', 'seed', 'genome 0', '2026-01-01T00:00:00.000Z', 1, 5, 5, 'ok')`,
    ).run();
    db.prepare("INSERT INTO live (organism, genome_id) VALUES ('o', '0123456789abcdef')").run();
    db.close();
    const s = new GenomeStore(file);
    try {
      expect(s.liveGenome('o')).toMatchObject({ healthy: false, verification: 'pending', runsTotal: 5, lastVerdict: 'ok' });
      expect(s.lastHealthyGenome('o')).toBeNull();
      expect(s.listCounterexamples('o')).toEqual([]);
    } finally {
      s.close();
      tmp2.cleanup();
    }
  });
});
