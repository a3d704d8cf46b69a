import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';

interface Endpoint {
  method: string;
  path: string;
  description: string;
}

/**
 * GET / lists the API, collected from the routes themselves so the list cannot go stale. Not encapsulated
 * (fastify-plugin), so its onRoute hook sees the routes that sibling plugins register after it.
 */
const root: FastifyPluginAsync<{ version: string }> = async (app, opts) => {
  const endpoints: Endpoint[] = [];
  app.addHook('onRoute', (route) => {
    const methods = ([] as string[]).concat(route.method).filter((m) => m !== 'HEAD' && m !== 'OPTIONS');
    const description = (route.schema as { summary?: string } | undefined)?.summary;
    if (!description || route.url.startsWith('/docs')) return;
    for (const method of methods) endpoints.push({ method, path: route.url, description });
  });

  app.withTypeProvider<ZodTypeProvider>().get(
    '/',
    {
      schema: {
        summary: 'Name, version and the list of endpoints',
        response: {
          200: z.object({
            name: z.string(),
            version: z.string(),
            project: z.string().describe('original clients'),
            status: z.literal('alive').describe('original clients'),
            message: z.string().describe('original clients'),
            description: z.string(),
            docs: z.string(),
            endpoints: z.array(z.object({ method: z.string(), path: z.string(), description: z.string() })),
          }),
        },
      },
    },
    async () => ({
      name: 'Ouroboros',
      version: opts.version,
      project: 'Ouroboros',
      status: 'alive' as const,
      message: 'Ouroboros is watching its organisms. Vital signs at /status, the log at /logs, chaos at POST /chaos; everything at /docs.',
      description: 'A self-healing software system: a watcher runs an organism, chaos corrupts it, the healer repairs it.',
      docs: '/docs',
      endpoints: [...endpoints].sort((a, b) => a.path.localeCompare(b.path) || a.method.localeCompare(b.method)),
    }),
  );
};

export const rootRoutes = fp(root, { name: 'root-routes' });
