import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { CHAOS_TYPES, chaosCatalogue } from '../chaos/index.js';
import { ChaosNotApplicable } from '../chaos/types.js';
import { errors } from '../http/errors.js';
import { PausedError } from '../watcher/supervisor.js';
import { originalChaosMessage } from './original-api.js';
import { ApiErrorBodySchema as ErrorBody, ChaosResultSchema, ChaosTypesResponseSchema } from '@ouroboros/contract';
import type { OrganismScope } from './scope.js';

const ChaosRequest = z
  .strictObject({
    chaos_type: z.string().max(64).optional().describe('one of GET /chaos/types; "random" when missing'),
    seed: z.number().int().min(0).max(0xffffffff).optional().describe('makes the corruption reproducible'),
  })
  // A bodiless POST arrives as null: it means "random".
  .nullish();

/** GET /chaos/types: the catalogue is the same for every organism. */
export const chaosTypeRoutes: FastifyPluginAsync = async (app) => {
  app.withTypeProvider<ZodTypeProvider>().get(
    '/chaos/types',
    {
      schema: {
        summary: 'Every chaos type with a one-line description',
        response: { 200: ChaosTypesResponseSchema },
      },
    },
    async () => ({ types: chaosCatalogue() }),
  );
};

export const chaosRoutes: FastifyPluginAsync<OrganismScope> = async (app, { resolve }) => {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.post(
    '/chaos',
    {
      schema: {
        summary: 'Corrupt the live genome; the result becomes a new generation with cause "chaos"',
        body: ChaosRequest,
        response: { 200: ChaosResultSchema, 400: ErrorBody, 409: ErrorBody },
      },
    },
    async (req) => {
      const type = req.body?.chaos_type ?? 'random';
      if (!CHAOS_TYPES.includes(type)) throw errors.unknownChaosType(type, CHAOS_TYPES);
      try {
        const { result, seed, genome } = await resolve(req).injectChaos(type, req.body?.seed);
        return {
          message: originalChaosMessage({ description: result.description, generation: genome.generation }),
          chaos_type: result.type,
          line: result.line,
          before: result.before,
          after: result.after,
          description: result.description,
          expect: [...result.expect],
          seed,
          generation: genome.generation,
          genomeId: genome.id,
        };
      } catch (err) {
        if (err instanceof PausedError) throw errors.paused();
        if (err instanceof ChaosNotApplicable) throw errors.chaosNotApplicable(type, err.message);
        throw err;
      }
    },
  );
};
