import type { OutgoingHttpHeaders } from 'node:http';
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { errors } from '../http/errors.js';
import { parseCursor } from '../events/cursor.js';
import { parseTypes } from '../events/filter.js';
import { JOURNAL_EVENT_TYPES } from '../events/types.js';
import { ApiErrorBodySchema as ErrorBody } from '@ouroboros/contract';
import { queryInt } from './query-int.js';
import type { OrganismScope } from './scope.js';

const DESCRIPTION = [
  'Server-Sent Events (`text/event-stream`): every event as it happens, each with an increasing `id` (the cursor).',
  `Journal events: ${JOURNAL_EVENT_TYPES.join(', ')}; control events: ready (caught up, live from here), heartbeat, resync (the cursor is too old or unknown: refetch the REST resources).`,
  'Resume with the `Last-Event-ID` header (EventSource sends it) or `?since=<id>`: every event after it, none twice.',
  'README.md, section "Live events", has every shape.',
].join(' ');

/**
 * GET /events: the whole server's events (every organism, or `?organism=`); GET /organisms/:name/events: one
 * organism's. Reads like any other route (the token with OUROBOROS_PROTECT_READS, the Host rules); the stream
 * itself is written by the hub, after everything that can be refused has been checked.
 */
export const eventRoutes: FastifyPluginAsync<OrganismScope> = async (app, { resolve, scope }) => {
  const common = {
    since: queryInt(0, Number.MAX_SAFE_INTEGER).optional().describe('resume after this event id (the Last-Event-ID header wins)'),
    types: z.string().max(500).optional().describe(`comma-separated event types to receive (default: all): ${JOURNAL_EVENT_TYPES.join(', ')}`),
  };
  const querystring =
    scope === 'all'
      ? z.strictObject({ ...common, organism: z.string().max(100).optional().describe("only this organism's events") })
      : z.strictObject(common);
  app.withTypeProvider<ZodTypeProvider>().get(
    '/events',
    {
      // A HEAD would open a stream with nothing to carry it.
      exposeHeadRoute: false,
      schema: {
        summary: scope === 'all' ? "Live events of every organism (Server-Sent Events)" : "Live events of this organism (Server-Sent Events)",
        description: DESCRIPTION,
        querystring,
        produces: ['text/event-stream'],
        response: {
          200: z.string().describe('text/event-stream: `id:`, `event:` and one `data:` line of JSON per event'),
          400: ErrorBody,
          401: ErrorBody,
          404: ErrorBody,
          429: ErrorBody,
        },
      },
    },
    async (req, reply) => {
      const q = req.query as { since?: number; types?: string; organism?: string };
      const organism = scope === 'all' ? (q.organism === undefined ? null : app.fleet.get(q.organism).name) : resolve(req).name;
      const types = parseTypes(q.types);
      if ('error' in types) throw errors.invalidEventTypes(types.error);
      const cursor = parseCursor(req.headers['last-event-id'], q.since);
      if ('error' in cursor) throw errors.invalidCursor(cursor.error);
      const release = app.streamSlots.take(req.ip);
      if (release === null) throw errors.tooManyStreams(app.streamSlots.max);
      reply.raw.once('close', release);
      // From here on the response is the stream: Fastify lets go of it (CORS and security headers set so far go along).
      reply.hijack();
      app.streams.open(reply.raw, reply.getHeaders() as OutgoingHttpHeaders, { organism, types: types.types }, cursor.cursor);
    },
  );
};
