import { describe, expect, it } from 'vitest';
import {
  ChaosResultSchema,
  GenomeDetailSchema,
  GenomesResponseSchema,
  LogsResponseSchema,
  RunsResponseSchema,
  StatusSchema,
} from '@ouroboros/contract';
import { emptyStatus, makeDetail, makeGenome, makeLog, makeRun, makeStatus } from '@/test/fixtures';

/** Round-trip through JSON, as the browser sees it. */
const wire = (v: unknown): unknown => JSON.parse(JSON.stringify(v));

describe('API contract schemas', () => {
  it('accepts every documented response shape', () => {
    expect(StatusSchema.parse(wire(makeStatus()))).toEqual(makeStatus());
    expect(StatusSchema.safeParse(wire(emptyStatus())).success).toBe(true);
    expect(RunsResponseSchema.safeParse(wire({ runs: [makeRun(1), makeRun(2)], count: 2 })).success).toBe(true);
    expect(LogsResponseSchema.safeParse(wire({ entries: [makeLog(1)], count: 1, lastSeq: 1 })).success).toBe(true);
    expect(GenomesResponseSchema.safeParse(wire({ genomes: [makeGenome(1), makeGenome(0)], count: 2, total: 2 })).success).toBe(true);
    expect(GenomeDetailSchema.safeParse(wire(makeDetail(1))).success).toBe(true);
    expect(
      ChaosResultSchema.safeParse({
        message: 'Chaos injected: shift a loop bound. Generation 5 is live.',
        chaos_type: 'off-by-one',
        line: 4,
        before: 'i < n',
        after: 'i <= n',
        description: 'shift a loop bound',
        expect: ['wrong', 'crashed'],
        seed: 11,
        generation: 5,
        genomeId: 'abcdef0123456789',
      }).success,
    ).toBe(true);
  });

  it('ignores fields the contract does not name (adding a field is not a break)', () => {
    const parsed = StatusSchema.parse({ ...makeStatus(), brandNew: 1, healing: { inProgress: false, cannotHeal: null, ladder: [], unavailable: [] } });
    expect(parsed).not.toHaveProperty('brandNew');
    expect(parsed.healing).toEqual({ inProgress: false, cannotHeal: null, ladder: [], unavailable: [] });
  });

  it('rejects a status whose fields were renamed, retyped or removed', () => {
    const { generation: _g, ...noGeneration } = makeStatus();
    expect(StatusSchema.safeParse(noGeneration).success).toBe(false);
    expect(StatusSchema.safeParse({ ...makeStatus(), state: 42 }).success).toBe(false);
    expect(StatusSchema.safeParse({ ...makeStatus(), state: '' }).success).toBe(false);
    expect(StatusSchema.safeParse({ ...makeStatus(), generation: '3' }).success).toBe(false);
    expect(StatusSchema.safeParse({ ...makeStatus(), stats: { ...makeStatus().stats, successRate: 97 } }).success).toBe(false);
    expect(StatusSchema.safeParse({ ...makeStatus(), lastRun: { ...makeRun(1), startedAt: 'yesterday' } }).success).toBe(false);
  });

  it('rejects log entries with an unknown source or level', () => {
    expect(LogsResponseSchema.safeParse({ entries: [{ ...makeLog(1), source: 'kernel' }], count: 1, lastSeq: 1 }).success).toBe(false);
    expect(LogsResponseSchema.safeParse({ entries: [{ ...makeLog(1), level: 'fatal' }], count: 1, lastSeq: 1 }).success).toBe(false);
  });

  it('rejects a genome with an unknown cause or without a diff', () => {
    expect(GenomesResponseSchema.safeParse({ genomes: [{ ...makeGenome(1), cause: 'magic' }], count: 1, total: 1 }).success).toBe(false);
    const { diff: _d, ...noDiff } = makeDetail(1);
    expect(GenomeDetailSchema.safeParse(noDiff).success).toBe(false);
  });
});
