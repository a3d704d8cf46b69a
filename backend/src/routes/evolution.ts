import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ApiErrorBodySchema as ErrorBody, EvolutionSourceSchema as Source, EvolutionViewSchema, EvolveResultSchema } from '@ouroboros/contract';
import type { EvolutionService } from '../evolution/service.js';
import type { OrganismScope } from './scope.js';

declare module 'fastify' {
  interface FastifyInstance {
    evolution: EvolutionService;
  }
}

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

export const evolutionRoutes: FastifyPluginAsync<OrganismScope> = async (app, { resolve }) => {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.post(
    '/evolve',
    {
      schema: {
        summary: 'Start a bounded evolution run: candidates faster than the live genome are promoted with cause "evolve"',
        body: EvolveRequest,
        response: { 202: EvolveResultSchema, 400: ErrorBody, 409: ErrorBody },
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
        response: { 200: EvolveResultSchema, 409: ErrorBody },
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
        response: { 200: EvolutionViewSchema },
      },
    },
    async (req) => app.evolution.view(resolve(req)),
  );
};
