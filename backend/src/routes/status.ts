import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { originalStatus, OriginalStatusFields, RecentRunTimes } from './original-api.js';
import { ApiErrorBodySchema as ErrorBody, RunsResponseSchema, StatusSchema, type Run } from '@ouroboros/contract';
import { queryInt } from './query-int.js';
import type { OrganismScope } from './scope.js';

import type { RunRow } from '../genome/store.js';

export const toApiRun = ({ organism: _organism, trial: _trial, ...run }: RunRow): Run => run;

export const statusRoutes: FastifyPluginAsync<OrganismScope> = async (app, { resolve }) => {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const recent = new RecentRunTimes((organism, limit) => app.store.recentRuns(organism, limit));

  r.get(
    '/status',
    {
      schema: {
        summary: 'Vital signs: state, generation, last run, statistics, last error and last mutation',
        response: { 200: StatusSchema.extend(OriginalStatusFields.shape) },
      },
    },
    async (req) => {
      const supervisor = resolve(req);
      const s = supervisor.status();
      return {
        ...s,
        lastRun: s.lastRun ? toApiRun(s.lastRun) : null,
        generationSince: supervisor.liveGenome.createdAt,
        llm: app.config.llm ? app.llmLedger.bill(s.organism) : null,
        ...originalStatus(s, recent.of(s.organism, s.lastRun?.id ?? null)),
      };
    },
  );

  r.get(
    '/runs',
    {
      schema: {
        summary: 'Recent runs of the live organism, oldest first (for charts); `since` returns only newer runs',
        querystring: z.strictObject({
          limit: queryInt(1, 1000).optional(),
          since: queryInt(0, Number.MAX_SAFE_INTEGER).optional(),
        }),
        response: { 200: RunsResponseSchema, 400: ErrorBody },
      },
    },
    async (req) => {
      const runs = app.store.recentRuns(resolve(req).name, req.query.limit ?? 60, req.query.since).map(toApiRun);
      return { runs, count: runs.length };
    },
  );
};
