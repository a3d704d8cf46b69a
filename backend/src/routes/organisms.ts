import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { STATES } from '../domain.js';
import { Verdict } from './schemas.js';

const OrganismSummary = z.object({
  name: z.string(),
  description: z.string(),
  default: z.boolean().describe('the organism the routes without /organisms/:name answer for'),
  state: z.enum(STATES),
  generation: z.number().int(),
  genomeId: z.string(),
  totalRuns: z.number().int(),
  successRate: z.number().nullable(),
  lastVerdict: Verdict.nullable(),
});

export const organismRoutes: FastifyPluginAsync = async (app) => {
  app.withTypeProvider<ZodTypeProvider>().get(
    '/organisms',
    {
      schema: {
        summary: 'Every organism with its state at a glance; each has its routes under /organisms/:name',
        response: { 200: z.object({ organisms: z.array(OrganismSummary), count: z.number().int() }) },
      },
    },
    async () => {
      const organisms = app.fleet.all().map((s) => {
        const st = s.status();
        return {
          name: s.name,
          description: s.description,
          default: s.name === app.fleet.defaultName,
          state: st.state,
          generation: st.generation,
          genomeId: st.genomeId,
          totalRuns: st.stats.totalRuns,
          successRate: st.stats.successRate,
          lastVerdict: st.lastRun?.verdict ?? null,
        };
      });
      return { organisms, count: organisms.length };
    },
  );
};
