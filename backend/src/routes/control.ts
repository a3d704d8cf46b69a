import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { STATES } from '../domain.js';
import { errors } from '../errors.js';
import { HealRefused } from '../watcher/supervisor.js';
import { ErrorBody } from './schemas.js';

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
    '/heal',
    {
      schema: {
        summary: 'Climb the repair ladder now for the failing live genome (with AUTO_HEAL=false, or out of quarantine)',
        response: { 200: ControlResponse.extend({ healed: z.boolean() }), 409: ErrorBody },
      },
    },
    async () => {
      try {
        const { healed, genome, reason } = await app.supervisor.healNow();
        return {
          ...reply(healed ? `healed: generation ${genome.generation} is live` : `could not heal: ${reason}`),
          healed,
        };
      } catch (err) {
        if (err instanceof HealRefused) throw errors.healRefused(err.message);
        throw err;
      }
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
