/** Contract-shaped sample data for the component and hook tests. */
import type { ChaosType, GenomeDetail, GenomeSummary, LogEntry, Proposal, Run } from '@ouroboros/contract';
import type { Status } from '@/lib/tolerant-schemas';

const T0 = Date.parse('2025-01-01T12:00:00.000Z');
export const iso = (offsetS: number) => new Date(T0 + offsetS * 1000).toISOString();

export function makeRun(id: number, over: Partial<Run> = {}): Run {
  return {
    id,
    number: id,
    generation: 0,
    genomeId: '0000000000000000',
    seed: id * 7,
    startedAt: iso(id),
    durationMs: 40 + (id % 5),
    exitCode: 0,
    signal: null,
    verdict: 'ok',
    error: null,
    suiteCase: null,
    ...over,
  };
}

export function makeStatus(over: Partial<Status> = {}): Status {
  return {
    organism: 'bubble-sort',
    state: 'healthy',
    generation: 3,
    genomeId: 'abcdef0123456789',
    lastRun: makeRun(42, { generation: 3, genomeId: 'abcdef0123456789', durationMs: 41.7 }),
    stats: {
      totalRuns: 42,
      successes: 39,
      failures: 3,
      byVerdict: { ok: 39, crashed: 2, hung: 0, wrong: 1, slow: 0, oom: 0 },
      successRate: 39 / 42,
      lastMs: 41.7,
      avgMs: 43.2,
      p95Ms: 61.9,
    },
    uptimeS: 3725,
    generationSince: iso(35),
    lastError: { verdict: 'crashed', error: 'TypeError: arr.length is not a function', at: iso(30), generation: 2 },
    lastMutation: { generation: 3, genomeId: 'abcdef0123456789', cause: 'heal', at: iso(35), summary: 'healed by reverting hunk 1' },
    healing: { inProgress: false, cannotHeal: null, ladder: ['minimal-revert', 'rollback'], unavailable: [] },
    backoff: null,
    quarantine: null,
    crashLoop: false,
    healMode: 'auto',
    pendingProposals: 0,
    lastIncident: null,
    verification: {
      state: 'passed',
      suite: { fingerprint: 'f00d', size: 12, regression: 0, edge: 4, property: 8 },
      timeMs: 180,
      failure: null,
    },
    ...over,
  };
}

export const emptyStatus = (): Status =>
  makeStatus({
    generation: 0,
    genomeId: '0000000000000000',
    lastRun: null,
    stats: {
      totalRuns: 0,
      successes: 0,
      failures: 0,
      byVerdict: { ok: 0, crashed: 0, hung: 0, wrong: 0, slow: 0, oom: 0 },
      successRate: null,
      lastMs: null,
      avgMs: null,
      p95Ms: null,
    },
    uptimeS: 2,
    lastError: null,
    lastMutation: null,
  });

export function makeLog(seq: number, over: Partial<LogEntry> = {}): LogEntry {
  return { seq, time: iso(seq), level: 'info', source: 'watcher', text: `run ${seq} ok`, ...over };
}

export function makeGenome(generation: number, over: Partial<GenomeSummary> = {}): GenomeSummary {
  const id = generation.toString(16).padStart(16, '0');
  return {
    id,
    generation,
    parentId: generation === 0 ? null : (generation - 1).toString(16).padStart(16, '0'),
    cause: generation === 0 ? 'seed' : 'chaos',
    createdAt: iso(generation * 10),
    summary: generation === 0 ? 'seed genome' : `mutation ${generation}`,
    live: false,
    healthy: true,
    verified: true,
    verification: {
      state: 'passed',
      suite: 'f00d',
      suiteSize: 12,
      timeMs: 180,
      runs: 12,
      verifiedAt: iso(generation * 10 + 1),
      failure: null,
      counterexample: null,
    },
    runs: { total: 10, ok: 10, failed: 0 },
    lastVerdict: 'ok',
    fitness: null,
    ...over,
  };
}

export const SAMPLE_DIFF = [
  '--- genome 0',
  '+++ genome 1',
  '@@ -3,4 +3,4 @@',
  ' function sort(arr) {',
  '-  for (let i = 0; i < arr.length; i++) {',
  '+  for (let i = 0; i <= arr.length; i++) {',
  '     swap(arr, i);',
  '   }',
  '',
].join('\n');

export function makeDetail(generation: number, over: Partial<GenomeDetail> = {}): GenomeDetail {
  return { ...makeGenome(generation), source: 'function sort(arr) {}\n', diff: generation === 0 ? '' : SAMPLE_DIFF, detail: {}, ...over };
}

export const CHAOS_TYPES: ChaosType[] = [
  { type: 'off-by-one', description: 'shift a loop bound by one' },
  { type: 'random', description: 'pick one of the others at random' },
  { type: 'infinite-loop', description: 'make a loop never end' },
];

export function makeProposal(id: number, over: Partial<Proposal> = {}): Proposal {
  return {
    id,
    organism: 'bubble-sort',
    kind: 'heal',
    status: 'pending',
    strategy: 'minimal-revert',
    summary: 'minimal-revert: reverted 1 of 1 hunks',
    baseGenomeId: 'abcdef0123456789',
    baseGeneration: 3,
    diff: [
      '--- a/genome.js (generation 3)',
      '+++ b/genome.js (generation 4)',
      '@@ -1,3 +1,3 @@',
      " 'use strict';",
      '-const n = values.length +;',
      '+const n = values.length;',
      ' console.log(n);',
      '',
    ].join('\n'),
    failure: { verdict: 'crashed', error: 'SyntaxError: Unexpected token', case: null, seed: 42 },
    verification: { passed: true, size: 12, runs: 12, timeMs: 840, reused: false },
    createdAt: iso(40),
    decidedAt: null,
    decidedBy: null,
    reason: null,
    genomeId: null,
    ...over,
  };
}
