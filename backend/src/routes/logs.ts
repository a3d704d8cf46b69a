import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { originalLogLine } from './original-api.js';
import { ApiErrorBodySchema as ErrorBody, LogsResponseSchema } from '@ouroboros/contract';
import { queryInt } from './query-int.js';
import type { OrganismScope } from './scope.js';

export const logRoutes: FastifyPluginAsync<OrganismScope> = async (app, { resolve }) => {
  app.withTypeProvider<ZodTypeProvider>().get(
    '/logs',
    {
      schema: {
        summary: 'The log stream, oldest first; `since=<seq>` returns only newer entries',
        querystring: z.strictObject({
          limit: queryInt(1, 1000).optional(),
          since: queryInt(0, Number.MAX_SAFE_INTEGER).optional(),
        }),
        response: {
          200: LogsResponseSchema.extend({
            logs: z.array(z.string()).describe('original clients: the same entries, one line each'),
          }),
          400: ErrorBody,
        },
      },
    },
    async (req) => {
      const entries = app.logbook
        .read(req.query.limit ?? 100, req.query.since, resolve(req).name)
        .map(({ organism: _o, ...e }) => e);
      return { entries, count: entries.length, lastSeq: app.logbook.lastSeq, logs: entries.map(originalLogLine) };
    },
  );
};
