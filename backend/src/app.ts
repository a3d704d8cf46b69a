import { readFileSync } from 'node:fs';
import path from 'node:path';
import cors from '@fastify/cors';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import {
  hasZodFastifySchemaValidationErrors,
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
} from 'fastify-type-provider-zod';
import type { Logger } from 'pino';
import type { Config } from './config.js';
import { errors, HttpError } from './errors.js';
import { GenomeStore } from './genome/store.js';
import { buildLadder } from './healing/index.js';
import { loadOrganism } from './organism/manifest.js';
import { chaosRoutes } from './routes/chaos.js';
import { controlRoutes } from './routes/control.js';
import { genomeRoutes } from './routes/genomes.js';
import { healthRoutes } from './routes/health.js';
import { logRoutes } from './routes/logs.js';
import { rootRoutes } from './routes/root.js';
import { statusRoutes } from './routes/status.js';
import { LogBook } from './watcher/logbook.js';
import { Supervisor } from './watcher/supervisor.js';

declare module 'fastify' {
  interface FastifyInstance {
    config: Config;
    store: GenomeStore;
    logbook: LogBook;
    supervisor: Supervisor;
  }
}

export interface BuildOptions {
  /** Start the watcher loop (tests that only read may leave it off). */
  startWatcher?: boolean;
  logger?: FastifyBaseLogger | boolean;
}

const version = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

/** Builds the whole application without listening: the server listens, tests inject. */
export async function buildApp(config: Config, opts: BuildOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: typeof opts.logger === 'object' ? opts.logger : undefined,
    logger: typeof opts.logger === 'object' ? undefined : (opts.logger ?? false),
    bodyLimit: 16 * 1024,
    // Fastify waits forever by default; a slow client must not hold a socket open.
    requestTimeout: 10_000,
    connectionTimeout: 10_000,
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  const organism = await loadOrganism(config.organismsDir, config.organism);
  const store = new GenomeStore(path.join(config.dataDir, 'ouroboros.db'));
  const logbook = new LogBook(store, config.logRetention);
  const ladder = buildLadder(config, { knownFix: (fp) => store.knownLlmFix(organism.name, fp) });
  let supervisor: Supervisor;
  try {
    supervisor = await Supervisor.open({
      organism,
      store,
      logs: logbook,
      logger: app.log as unknown as Logger,
      dataDir: config.dataDir,
      loopIntervalMs: config.loopIntervalMs,
      outputCapBytes: config.outputCapBytes,
      autoHeal: config.autoHeal,
      rungs: ladder.rungs,
      missingRungs: ladder.missing,
      transientRetries: config.transientRetries,
      crashLoopFailures: config.crashLoopFailures,
      crashLoopWindowMs: config.crashLoopWindowMs,
      quarantineMaxBackoffMs: config.quarantineMaxBackoffMs,
      externalEdits: config.externalEdits,
    });
  } catch (err) {
    store.close();
    throw err;
  }
  app.decorate('config', config);
  app.decorate('store', store);
  app.decorate('logbook', logbook);
  app.decorate('supervisor', supervisor);
  app.addHook('onClose', async () => {
    await supervisor.stop();
    store.close();
  });

  app.setErrorHandler((err, req, reply) => {
    if (err instanceof HttpError) {
      return reply.code(err.statusCode).send({ statusCode: err.statusCode, code: err.code, message: err.message });
    }
    if (hasZodFastifySchemaValidationErrors(err)) {
      const where = err.validationContext ?? 'request';
      const message = err.validation
        .map((i) => {
          const field = i.instancePath.split('/').filter(Boolean).join('.');
          return `${field ? `${where}.${field}` : where}: ${i.message}`;
        })
        .join('; ');
      return reply.code(400).send({ statusCode: 400, code: 'INVALID_REQUEST', message: `Invalid request. ${message}` });
    }
    const status = (err as { statusCode?: number }).statusCode;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      const code = (err as { code?: string }).code ?? 'BAD_REQUEST';
      return reply.code(status).send({ statusCode: status, code, message: (err as Error).message });
    }
    req.log.error({ err }, 'request failed');
    return reply.code(500).send({
      statusCode: 500,
      code: 'INTERNAL',
      message: 'The server failed to answer this request; the details are in its log.',
    });
  });
  app.setNotFoundHandler((req, reply) => {
    const e = errors.notFound(req.method, req.url.split('?')[0] ?? req.url);
    return reply.code(404).send({ statusCode: 404, code: e.code, message: e.message });
  });

  const origins = config.corsOrigins.includes('*') ? true : [...config.corsOrigins];
  await app.register(cors, { origin: origins, methods: ['GET', 'POST', 'OPTIONS'] });
  await app.register(swagger, {
    openapi: {
      info: { title: 'Ouroboros', description: 'The REST API of the self-healing watcher.', version },
    },
    transform: jsonSchemaTransform,
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  await app.register(rootRoutes, { version });
  await app.register(healthRoutes);
  await app.register(statusRoutes);
  await app.register(logRoutes);
  await app.register(chaosRoutes);
  await app.register(genomeRoutes);
  await app.register(controlRoutes);

  await app.ready();
  if (opts.startWatcher !== false) supervisor.start();
  return app;
}
