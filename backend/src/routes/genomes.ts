import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { errors } from '../http/errors.js';
import { genomeDiff } from '../genome/diff.js';
import type { CounterexampleRow, FitnessRow, GenomeRow } from '../genome/store.js';
import { fitnessFromRow } from '../evolution/fitness.js';
import {
  ApiErrorBodySchema as ErrorBody,
  CounterexamplesResponseSchema,
  GenomeDetailSchema,
  GenomesResponseSchema,
  RollbackResultSchema,
  type Counterexample,
  type GenomeSummary,
} from '@ouroboros/contract';
import { queryInt } from './query-int.js';
import type { OrganismScope } from './scope.js';

// Loose, not strict: under /organisms/:name the params also carry the organism's name, which must survive parsing.
const GenomeParams = z.looseObject({
  id: z.string().regex(/^[0-9a-f]{16}$/, 'a genome id is 16 lowercase hex characters, as listed by GET /genomes'),
});

export const genomeRoutes: FastifyPluginAsync<OrganismScope> = async (app, { resolve }) => {
  const r = app.withTypeProvider<ZodTypeProvider>();

  const summarise = (g: GenomeRow, liveId: string, fitness: FitnessRow | null = app.store.getFitness(g.id)): GenomeSummary => ({
    id: g.id,
    generation: g.generation,
    parentId: g.parentId,
    cause: g.cause,
    createdAt: g.createdAt,
    summary: g.summary,
    live: g.id === liveId,
    healthy: g.healthy,
    verified: g.verification === 'pending' ? 'pending' : g.verification === 'passed',
    verification: verificationOf(g, (id) => app.store.getCounterexample(id)),
    runs: { total: g.runsTotal, ok: g.runsOk, failed: g.runsTotal - g.runsOk },
    lastVerdict: g.lastVerdict,
    fitness: fitnessFromRow(fitness) as GenomeSummary['fitness'],
  });

  const find = (organism: string, id: string): GenomeRow => {
    const g = app.store.getGenome(id);
    if (!g || g.organism !== organism) throw errors.genomeNotFound(id);
    return g;
  };

  r.get(
    '/genomes',
    {
      schema: {
        summary: 'The genome history, newest generation first, paginated',
        querystring: z.strictObject({
          limit: queryInt(1, 500).optional(),
          offset: queryInt(0, Number.MAX_SAFE_INTEGER).optional(),
        }),
        response: {
          200: GenomesResponseSchema,
          400: ErrorBody,
        },
      },
    },
    async (req) => {
      const s = resolve(req);
      const name = s.name;
      const liveId = s.liveGenome.id;
      const rows = app.store.listGenomes(name, req.query.limit ?? 50, req.query.offset ?? 0);
      const fitness = app.store.fitnessOf(rows.map((g) => g.id));
      const genomes = rows.map((g) => summarise(g, liveId, fitness.get(g.id) ?? null));
      return { genomes, count: genomes.length, total: app.store.countGenomes(name) };
    },
  );

  r.get(
    '/genomes/:id',
    {
      schema: {
        summary: 'One genome: its source, its parent and the unified diff against the parent',
        params: GenomeParams,
        response: { 200: GenomeDetailSchema, 400: ErrorBody, 404: ErrorBody },
      },
    },
    async (req) => {
      const s = resolve(req);
      const g = find(s.name, req.params.id);
      const parent = g.parentId ? app.store.getGenome(g.parentId) : null;
      return { ...summarise(g, s.liveGenome.id), source: g.source, diff: genomeDiff(parent, g), detail: g.detail };
    },
  );

  r.get(
    '/counterexamples',
    {
      schema: {
        summary: "The organism's immune memory: every input that exposed a bug its suite missed, shrunk; each joins every later verification",
        response: { 200: CounterexamplesResponseSchema },
      },
    },
    async (req) => {
      const s = resolve(req);
      const counterexamples = app.store.listCounterexamples(s.name).map(counterexampleView);
      const suite = s.verifier.suite;
      return { organism: s.name, counterexamples, count: counterexamples.length, suite: { fingerprint: suite.fingerprint, size: suite.cases.length, ...suite.counts } };
    },
  );

  r.post(
    '/genomes/:id/rollback',
    {
      schema: {
        summary: 'Promote a past healthy genome again, as a new generation with cause "rollback"',
        params: GenomeParams,
        response: {
          200: RollbackResultSchema,
          400: ErrorBody,
          404: ErrorBody,
          409: ErrorBody,
        },
      },
    },
    async (req) => {
      const s = resolve(req);
      const target = find(s.name, req.params.id);
      if (target.id === s.liveGenome.id) throw errors.rollbackToLive(target.id);
      if (!target.healthy) throw errors.rollbackToUnhealthy(target.id);
      const promoted = await s.rollback(target);
      return { generation: promoted.generation, genomeId: promoted.id, rolledBackTo: target.id };
    },
  );
};

const counterexampleView = (c: CounterexampleRow): Counterexample => ({
  id: c.id,
  inputHash: c.inputHash,
  input: c.input,
  original: c.original,
  originalSize: c.originalSize,
  shrunkSize: c.shrunkSize,
  shrinkRuns: c.shrinkRuns,
  genomeId: c.genomeId,
  verdict: c.verdict,
  error: c.error,
  createdAt: c.createdAt,
});

/** A genome's verification record as the API shows it; a demotion names its counterexample, read from the memory. */
function verificationOf(g: GenomeRow, counterexample: (id: number) => CounterexampleRow | null): GenomeSummary['verification'] {
  const d = g.verificationDetail;
  const num = (v: unknown) => (typeof v === 'number' ? v : null);
  const demotedBy = d.demotedBy as { counterexample?: number } | undefined;
  const ce = typeof demotedBy?.counterexample === 'number' ? counterexample(demotedBy.counterexample) : null;
  return {
    state: g.verification,
    suite: typeof d.suite === 'string' ? d.suite : null,
    suiteSize: num(d.suiteSize),
    timeMs: num(d.timeMs),
    runs: num(d.runs),
    verifiedAt: typeof d.verifiedAt === 'string' ? d.verifiedAt : null,
    failure: (d.failure as GenomeSummary['verification']['failure'] | undefined) ?? null,
    counterexample: ce ? counterexampleView(ce) : null,
  };
}
