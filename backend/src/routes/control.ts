import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { STATES } from '../domain.js';

const ControlResponse = z.object({
  state: z.enum(STATES),
  generation: z.number().int(),
  genomeId: z.string(),
  message: z.string(),
});

export const controlRoutes: FastifyPluginAsync = async (app) => {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const reply = (message: string) => {
    const s = app.supervisor;
    return { state: s.state, generation: s.liveGenome.generation, genomeId: s.liveGenome.id, message };
  };

  r.post(
    '/emergency-stop',
    {
      schema: {
        summary: 'Pause runs and chaos, and restore the last healthy genome if the live one is not healthy',
        response: { 200: ControlResponse },
      },
    },
    async () => {
      const s = app.supervisor;
      s.setPaused(true);
      const live = s.liveGenome;
      const healthy = app.store.lastHealthyGenome(s.name, live.id);
      if (!live.healthy && healthy && healthy.sourceHash !== live.sourceHash) {
        const g = await s.rollback(healthy);
        return reply(`paused; restored generation ${healthy.generation} as generation ${g.generation}`);
      }
      return reply(live.healthy ? 'paused; the live genome is healthy, nothing to restore' : 'paused; no healthy genome to restore');
    },
  );

  r.post(
    '/resume',
    { schema: { summary: 'Resume runs and chaos after an emergency stop', response: { 200: ControlResponse } } },
    async () => {
      app.supervisor.setPaused(false);
      return reply('resumed');
    },
  );
};
