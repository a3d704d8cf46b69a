import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { SandboxReport } from '../sandbox/types.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** What the organisms' sandbox is made of on this machine (detected at start, see src/sandbox). */
    sandbox: SandboxReport;
  }
}

const Layer = z.object({
  name: z.string(),
  active: z.boolean(),
  detail: z.string().describe('What the layer does here, or why it is missing'),
  fix: z.string().optional().describe('For a missing layer you can turn on: the command that does'),
});

const Health = z.object({
  status: z.enum(['ok', 'degraded', 'unavailable']).describe('degraded: the watchers run, but some file of an organism could not be put back (see organisms[].files)'),
  watcher: z.enum(['alive', 'dead']),
  organisms: z.array(
    z.object({
      name: z.string(),
      watcher: z.enum(['alive', 'dead']),
      state: z.string(),
      files: z
        .object({ message: z.string(), since: z.string() })
        .nullable()
        .optional()
        .describe("What is wrong with the organism's files under DATA_DIR and could not be repaired (a directory in place of live.js, organisms/ that cannot be made again)"),
    }),
  ),
  uptimeS: z.number(),
  sandbox: z
    .object({
      node: z.object({ path: z.string(), version: z.string() }).describe("The organisms' Node binary (ORGANISM_NODE)"),
      active: z.array(z.string()),
      layers: z.array(Layer),
    })
    .describe('The layers of the sandbox organisms run in: which are active, and why a missing one is missing'),
});

export const healthRoutes: FastifyPluginAsync = async (app) => {
  app.withTypeProvider<ZodTypeProvider>().get(
    '/health',
    {
      schema: {
        summary: 'Liveness for the platform: 200 while every watcher loop is alive (status degraded when an organism\'s files are not in order), 503 otherwise',
        response: { 200: Health, 503: Health },
      },
    },
    async (_req, reply) => {
      const alive = app.fleet.alive;
      const degraded = app.fleet.all().some((s) => s.fileFault !== null);
      return reply.code(alive ? 200 : 503).send({
        status: alive ? (degraded ? 'degraded' : 'ok') : 'unavailable',
        watcher: alive ? 'alive' : 'dead',
        organisms: app.fleet.all().map((s) => ({ name: s.name, watcher: s.alive ? 'alive' : 'dead', state: s.state, files: s.fileFault })),
        uptimeS: Math.round(process.uptime()),
        sandbox: app.hasDecorator('sandbox') ? app.sandbox : { node: { path: process.execPath, version: process.version }, active: [], layers: [] },
      });
    },
  );
};
