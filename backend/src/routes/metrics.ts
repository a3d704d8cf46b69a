import type { FastifyPluginAsync } from 'fastify';
import { createMetrics } from '../metrics/index.js';

/**
 * GET /metrics in the Prometheus text format. The schema is plain (no zod): there is nothing to validate, and
 * the body is text, not JSON, so it stays out of the OpenAPI document (`hide`) while GET / still lists it.
 */
export const metricsRoutes: FastifyPluginAsync = async (app) => {
  const metrics = createMetrics(app.fleet.all(), app.streams, app.llmLedger);
  app.addHook('onClose', async () => metrics.close());

  app.get(
    '/metrics',
    {
      schema: {
        summary: 'Prometheus metrics: runs, detection and healing times, generation, chaos, and the Node process',
        hide: true,
      },
    },
    async (_req, reply) => {
      const body = await metrics.render();
      return reply.header('cache-control', 'no-store').type(metrics.contentType).send(body);
    },
  );
};
