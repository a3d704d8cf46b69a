import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir } from '../../test/helpers/fixtures.js';
import { ProposalStore, type NewProposal } from './proposals.js';
import { GenomeStore, type GenomeRow } from './store.js';

// Against a real SQLite file: the decisions' one rule is that only a pending proposal can be decided, once.
let tmp: ReturnType<typeof tempDir>;
let store: GenomeStore;
let proposals: ProposalStore;
let g0: GenomeRow;
let g1: GenomeRow;

beforeEach(() => {
  tmp = tempDir();
  store = new GenomeStore(path.join(tmp.dir, 'store.db'));
  proposals = new ProposalStore(store.database);
  g0 = store.promote(null, { organism: 'o', source: 'A\n', cause: 'seed', summary: 'genome 0' });
  g1 = store.promote(g0.id, { organism: 'o', source: 'B\n', cause: 'chaos', summary: 'broken' });
});
afterEach(() => {
  store.close();
  tmp.cleanup();
});

const repair = (base: GenomeRow, over: Partial<NewProposal> = {}): NewProposal => ({
  organism: 'o',
  kind: 'heal',
  baseGenomeId: base.id,
  source: 'A\n',
  strategy: 'rollback',
  summary: 'rollback',
  diff: '-B\n+A\n',
  detail: { healMs: 12 },
  ...over,
});
const by = { address: '127.0.0.1', tokenFingerprint: 'abcdef012345' };

describe('ProposalStore', () => {
  it('records a pending proposal and supersedes the older pending ones of the organism, not the decided ones nor others', () => {
    const first = proposals.add(repair(g1)).proposal;
    const other = proposals.add(repair(g1, { organism: 'p' })).proposal;
    const rejected = proposals.add(repair(g1)).proposal;
    expect(proposals.get(first.id)).toMatchObject({ status: 'superseded', reason: `a newer proposal (#${rejected.id}) replaced it`, decidedBy: null });
    proposals.decide(rejected.id, { status: 'rejected', by, reason: 'no' });
    const { proposal, superseded } = proposals.add(repair(g1, { kind: 'evolve' }));
    expect(superseded).toEqual([]);
    expect(proposal).toMatchObject({ status: 'pending', kind: 'evolve', detail: { healMs: 12 }, decidedAt: null });
    expect(proposals.get(other.id)?.status).toBe('pending');
    expect(proposals.countPending('o')).toBe(1);
    expect(proposals.list({ organism: 'o', limit: 10 }).map((p) => p.id)).toEqual([proposal.id, rejected.id, first.id]);
    expect(proposals.list({ status: 'pending', limit: 10 }).map((p) => p.organism).sort()).toEqual(['o', 'p']);
  });

  it('decides a proposal once: a second decision changes nothing and answers null', () => {
    const p = proposals.add(repair(g1)).proposal;
    expect(proposals.decide(p.id, { status: 'approved', by, reason: null, genomeId: g0.id })).toMatchObject({
      status: 'approved',
      decidedBy: by,
      genomeId: g0.id,
      decidedAt: expect.any(String),
    });
    expect(proposals.decide(p.id, { status: 'rejected', by: { address: '10.0.0.9', tokenFingerprint: null }, reason: 'late' })).toBeNull();
    expect(proposals.get(p.id)).toMatchObject({ status: 'approved', decidedBy: by, reason: null });
    expect(proposals.decide(999, { status: 'rejected', by, reason: 'none' })).toBeNull();
  });

  it('supersedes the pending proposals made for a genome that is no longer live, but the one being approved', () => {
    const stale = proposals.add(repair(g0, { kind: 'evolve' })).proposal;
    const current = proposals.add(repair(g1)).proposal;
    // One pending proposal per organism: the newer one superseded the older already.
    expect(proposals.get(stale.id)?.status).toBe('superseded');
    expect(proposals.supersedeStale('o', g1.id, 'chaos')).toEqual([]);
    expect(proposals.supersedeStale('o', g0.id, 'being approved', current.id)).toEqual([]);
    const gone = proposals.supersedeStale('o', g0.id, 'generation 2 (rollback) replaced the genome it was made for');
    expect(gone.map((p) => [p.id, p.status, p.reason])).toEqual([[current.id, 'superseded', 'generation 2 (rollback) replaced the genome it was made for']]);
  });

  it('finds the newest repair proposal of a genome, whatever its status, and ignores evolution proposals', () => {
    expect(proposals.latestHealFor('o', g1.id)).toBeNull();
    proposals.add(repair(g1, { kind: 'evolve' }));
    expect(proposals.latestHealFor('o', g1.id)).toBeNull();
    const heal = proposals.add(repair(g1)).proposal;
    proposals.decide(heal.id, { status: 'rejected', by, reason: 'no' });
    expect(proposals.latestHealFor('o', g1.id)).toMatchObject({ id: heal.id, status: 'rejected' });
    expect(proposals.latestHealFor('o', g0.id)).toBeNull();
  });
});
