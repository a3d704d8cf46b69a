import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';

const Health = z.object({
  status: z.enum(['ok', 'unavailable']),
  watcher: z.enum(['alive', 'dead']),
  organism: z.string(),
  state: z.string(),
  uptimeS: z.number(),
});

export const healthRoutes: FastifyPluginAsync = async (app) => {
  app.withTypeProvider<ZodTypeProvider>().get(
    '/health',
    {
      schema: {
        summary: 'Liveness for the platform: 200 while the watcher loop is alive, 503 otherwise',
        response: { 200: Health, 503: Health },
      },
    },
    async (_req, reply) => {
      const s = app.supervisor;
      const alive = s.alive;
      return reply.code(alive ? 200 : 503).send({
        status: alive ? 'ok' : 'unavailable',
        watcher: alive ? 'alive' : 'dead',
        organism: s.name,
        state: s.state,
        uptimeS: Math.round(process.uptime()),
      });
    },
  );
};
