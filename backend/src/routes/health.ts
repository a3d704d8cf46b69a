import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { runnerHealth } from '../runner/process-runner.js';
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

const RunnerHealthSchema = z
  .object({
    kind: z.enum(['embedded', 'direct', 'bullmq']),
    spawners: z.object({ configured: z.number(), alive: z.number() }).optional().describe("This machine's spawner processes (SPAWNERS): configured, and alive now"),
    queue: z
      .object({
        redis: z.object({ url: z.string().describe('REDIS_URL without its credentials'), reachable: z.boolean(), error: z.string().nullable(), checkedAt: z.string().nullable() }),
        workers: z.array(z.object({ id: z.string(), host: z.string(), concurrency: z.number(), active: z.number() })).describe('Workers (`pnpm worker`) that beat on the queue in the last 10 s'),
        fallback: z.enum(['embedded', 'none']),
        fallingBack: z.boolean().describe('Runs go to the fallback now: Redis is unreachable, or no worker is seen'),
        pending: z.number().describe('Runs on the queue this server waits for'),
      })
      .optional()
      .describe('RUNNER=bullmq: the queue'),
  })
  .describe('Where organism runs execute (RUNNER): spawner processes here, or workers on a Redis queue');

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
  runner: RunnerHealthSchema.nullable().optional(),
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
        runner: runnerHealth(),
      });
    },
  );
};
