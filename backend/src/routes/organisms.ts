import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { OrganismsResponseSchema } from '@ouroboros/contract';

export const organismRoutes: FastifyPluginAsync = async (app) => {
  app.withTypeProvider<ZodTypeProvider>().get(
    '/organisms',
    {
      schema: {
        summary: 'Every organism with its state at a glance; each has its routes under /organisms/:name',
        response: { 200: OrganismsResponseSchema },
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
