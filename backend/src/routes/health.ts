import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';

const Health = z.object({
  status: z.enum(['ok', 'unavailable']),
  watcher: z.enum(['alive', 'dead']),
  organisms: z.array(z.object({ name: z.string(), watcher: z.enum(['alive', 'dead']), state: z.string() })),
  uptimeS: z.number(),
});

export const healthRoutes: FastifyPluginAsync = async (app) => {
  app.withTypeProvider<ZodTypeProvider>().get(
    '/health',
    {
      schema: {
        summary: 'Liveness for the platform: 200 while every watcher loop is alive, 503 otherwise',
        response: { 200: Health, 503: Health },
      },
    },
    async (_req, reply) => {
      const alive = app.fleet.alive;
      return reply.code(alive ? 200 : 503).send({
        status: alive ? 'ok' : 'unavailable',
        watcher: alive ? 'alive' : 'dead',
        organisms: app.fleet.all().map((s) => ({ name: s.name, watcher: s.alive ? 'alive' : 'dead', state: s.state })),
        uptimeS: Math.round(process.uptime()),
      });
    },
  );
};
