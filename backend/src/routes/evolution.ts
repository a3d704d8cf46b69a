import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { SOURCE_NAMES } from '../evolution/engine.js';
import type { EvolutionService } from '../evolution/service.js';
import { Cause, ErrorBody, Fitness } from './schemas.js';
import type { OrganismScope } from './scope.js';

declare module 'fastify' {
  interface FastifyInstance {
    evolution: EvolutionService;
  }
}

const Source = z.enum(SOURCE_NAMES);

const EvolveRequest = z
  .strictObject({
    generations: z.number().int().min(1).max(1000).optional().describe('default EVOLVE_GENERATIONS'),
    population: z.number().int().min(1).max(100).optional().describe('candidates per generation; default EVOLVE_POPULATION'),
    timeBudgetMs: z.number().int().min(1000).max(86_400_000).optional().describe('default EVOLVE_TIME_BUDGET_MS'),
    margin: z.number().min(0.01).max(0.9).optional().describe('how much faster a candidate must be (0.1: 10 %); default EVOLVE_MARGIN'),
    sources: z.array(Source).min(1).max(2).optional().describe('"llm" and/or "operators"; default: every one available'),
    seed: z.number().int().min(0).max(0xffffffff).optional().describe("seeds the operators' and the selection's choices"),
  })
  // A bodiless POST arrives as null: the defaults.
  .nullish();

const Settings = z.object({
  generations: z.number().int(),
  population: z.number().int(),
  timeBudgetMs: z.number().int(),
  margin: z.number(),
  sources: z.array(Source),
  seed: z.number().int(),
});

const Progress = z.object({
  id: z.string(),
  organism: z.string(),
  state: z.enum(['running', 'finished', 'cancelled', 'failed']),
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
  endReason: z.string().nullable(),
  settings: Settings,
  generation: z.number().int().describe('generations completed'),
  candidatesTried: z.number().int(),
  accepted: z.number().int(),
  refused: z.number().int(),
  baseline: Fitness.nullable().describe("the live genome's fitness when the run started"),
  best: z.object({ genomeId: z.string().nullable(), fitness: Fitness.nullable() }),
  bestOverTime: z.array(
    z.object({
      generation: z.number().int(),
      at: z.string(),
      tried: z.number().int(),
      liveMs: z.number().describe("the live genome's (the champion's) time"),
      bestMs: z.number().describe('the fastest candidate that passed the gate so far, first measurement'),
    }),
  ),
  candidates: z
    .array(
      z.object({
        n: z.number().int(),
        generation: z.number().int(),
        source: Source,
        summary: z.string(),
        operator: z.string().nullable(),
        outcome: z.enum(['accepted', 'refused', 'screened']),
        stage: z.enum(['answer', 'gate', 'screening', 'confirmation', 'promotion']),
        reason: z.string(),
        timeMs: z.number().nullable(),
        codeSize: z.number().int().nullable(),
        genomeId: z.string().nullable(),
      }),
    )
    .describe('the newest 100 candidates, oldest first'),
  promotions: z.array(
    z.object({
      genomeId: z.string(),
      generation: z.number().int(),
      at: z.string(),
      source: Source,
      timeMs: z.number(),
      parentTimeMs: z.number(),
      speedup: z.number(),
      byInput: z.array(z.object({ name: z.string(), parentMs: z.number(), candidateMs: z.number(), speedup: z.number() })),
    }),
  ),
});

const EvolutionView = z.object({
  organism: z.string(),
  available: z.boolean(),
  unavailable: z.string().nullable(),
  running: z.boolean(),
  sources: z.array(Source),
  defaults: z.object({ generations: z.number().int(), population: z.number().int(), timeBudgetMs: z.number().int(), margin: z.number() }),
  run: Progress.nullable().describe('the current run, or the last one'),
  live: z.object({ genomeId: z.string(), generation: z.number().int(), fitness: Fitness.nullable() }),
  lineage: z
    .array(
      z.object({
        id: z.string(),
        generation: z.number().int(),
        parentId: z.string().nullable(),
        cause: Cause,
        summary: z.string(),
        createdAt: z.string(),
        live: z.boolean(),
        healthy: z.boolean().describe('passed a run: a generation that held (the dashboard collapses the ones that failed)'),
        fitness: Fitness.nullable(),
      }),
    )
    .describe("the best genome's ancestry, newest first; GET /genomes/:id has each one's diff"),
  lineageTruncated: z.boolean(),
});

const RunAnswer = z.object({ organism: z.string(), run: Progress });

export const evolutionRoutes: FastifyPluginAsync<OrganismScope> = async (app, { resolve }) => {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.post(
    '/evolve',
    {
      schema: {
        summary: 'Start a bounded evolution run: candidates faster than the live genome are promoted with cause "evolve"',
        body: EvolveRequest,
        response: { 202: RunAnswer, 400: ErrorBody, 409: ErrorBody },
      },
    },
    async (req, reply) => {
      const s = resolve(req);
      const run = app.evolution.startRun(s, req.body ?? {});
      return reply.code(202).send({ organism: s.name, run });
    },
  );

  r.post(
    '/evolve/cancel',
    {
      schema: {
        summary: 'Cancel the evolution run in progress (it stops after the organism run under way)',
        response: { 200: RunAnswer, 409: ErrorBody },
      },
    },
    async (req) => {
      const s = resolve(req);
      return { organism: s.name, run: await app.evolution.cancel(s) };
    },
  );

  r.get(
    '/evolution',
    {
      schema: {
        summary: "Evolution progress: generation, candidates tried and accepted, best fitness over time, and the best genome's lineage",
        response: { 200: EvolutionView },
      },
    },
    async (req) => app.evolution.view(resolve(req)),
  );
};
