import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { STATES } from '../domain.js';
import { errors } from '../http/errors.js';
import { HealRefused, type Supervisor } from '../watcher/supervisor.js';
import { ApiErrorBodySchema as ErrorBody } from '@ouroboros/contract';
import type { OrganismScope } from './scope.js';

const OrganismControl = z.object({
  organism: z.string(),
  state: z.enum(STATES),
  generation: z.number().int(),
  genomeId: z.string(),
  message: z.string(),
});

const describe = (s: Supervisor, message: string) => ({
  organism: s.name,
  state: s.state,
  generation: s.liveGenome.generation,
  genomeId: s.liveGenome.id,
  message,
});

/** Pauses an organism and restores its last healthy genome if the live one is not healthy. */
async function emergencyStop(app: Parameters<FastifyPluginAsync>[0], s: Supervisor): Promise<string> {
  s.setPaused(true);
  const live = s.liveGenome;
  const healthy = app.store.lastHealthyGenome(s.name, live.id);
  if (!live.healthy && healthy && healthy.sourceHash !== live.sourceHash) {
    const g = await s.rollback(healthy);
    return `paused; restored generation ${healthy.generation} as generation ${g.generation}`;
  }
  return live.healthy ? 'paused; the live genome is healthy, nothing to restore' : 'paused; no healthy genome to restore';
}

export const controlRoutes: FastifyPluginAsync<OrganismScope> = async (app, { resolve, scope }) => {
  const r = app.withTypeProvider<ZodTypeProvider>();
  // At the top level the controls act on every organism; under /organisms/:name on that one.
  const targets = (req: Parameters<OrganismScope['resolve']>[0]) => (scope === 'all' ? app.fleet.all() : [resolve(req)]);
  const Many = z.object({ organisms: z.array(OrganismControl) });

  r.post(
    '/emergency-stop',
    {
      config: { audit: { fleet: scope === 'all' } },
      schema: {
        summary: 'Pause runs and chaos, and restore the last healthy genome where the live one is not healthy (every organism at the top level)',
        response: { 200: Many },
      },
    },
    async (req) => ({
      organisms: await Promise.all(targets(req).map(async (s) => describe(s, await emergencyStop(app, s)))),
    }),
  );

  r.post(
    '/resume',
    {
      config: { audit: { fleet: scope === 'all' } },
      schema: {
        summary: 'Resume runs and chaos after an emergency stop (every organism at the top level)',
        response: { 200: Many },
      },
    },
    async (req) => ({
      organisms: targets(req).map((s) => {
        s.setPaused(false);
        return describe(s, 'resumed');
      }),
    }),
  );

  r.post(
    '/heal',
    {
      schema: {
        summary: 'Climb the repair ladder now for the failing live genome (with AUTO_HEAL=false, or out of quarantine)',
        response: { 200: OrganismControl.extend({ healed: z.boolean() }), 409: ErrorBody },
      },
    },
    async (req) => {
      const s = resolve(req);
      try {
        const { healed, genome, reason } = await s.healNow();
        return { ...describe(s, healed ? `healed: generation ${genome.generation} is live` : `could not heal: ${reason}`), healed };
      } catch (err) {
        if (err instanceof HealRefused) throw errors.healRefused(err.message);
        throw err;
      }
    },
  );
};
