/** GET /alerts (recent webhook deliveries and failures) and GET /audit (who changed what, paged). */
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AlertsResponseSchema, ApiErrorBodySchema as ErrorBody, AuditResponseSchema } from '@ouroboros/contract';
import type { AlertService } from '../alerts/service.js';
import type { AuditStore } from '../audit/audit-store.js';
import { ORGANISM_NAME } from '../domain.js';
import { queryInt } from './query-int.js';

const AlertsQuery = z.strictObject({ limit: queryInt(1, 500).optional().describe('alerts to list, newest first (default 50)') });

const AuditQuery = z.strictObject({
  before: queryInt(1, Number.MAX_SAFE_INTEGER).optional().describe("entries older than this id: the previous page's `next`"),
  limit: queryInt(1, 500).optional().describe('entries per page (default 50)'),
  organism: z.string().regex(ORGANISM_NAME, 'must be an organism name (lowercase letters, digits and dashes)').optional(),
});

export const operatorRoutes: FastifyPluginAsync<{ alerts: AlertService; audit: AuditStore }> = async (app, { alerts, audit }) => {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(
    '/alerts',
    {
      schema: {
        summary: 'The newest alerts sent to ALERT_WEBHOOK_URLS, each with its deliveries (webhook host, state, attempts, last error)',
        querystring: AlertsQuery,
        response: { 200: AlertsResponseSchema, 400: ErrorBody },
      },
    },
    async (req) => alerts.view(req.query.limit ?? 50),
  );

  r.get(
    '/audit',
    {
      schema: {
        summary: 'The audit trail, newest first: every request that changed something and every automatic promotion',
        querystring: AuditQuery,
        response: { 200: AuditResponseSchema, 400: ErrorBody },
      },
    },
    async (req) => audit.page(req.query.before ?? null, req.query.limit ?? 50, req.query.organism ?? null),
  );
};
