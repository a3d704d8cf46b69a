import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import cors from '@fastify/cors';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyRequest } from 'fastify';
import {
  hasZodFastifySchemaValidationErrors,
  jsonSchemaTransform,
  validatorCompiler,
} from 'fastify-type-provider-zod';
import type { Logger } from 'pino';
import type { Config } from './config.js';
import { errors, HttpError } from './errors.js';
import { GenomeStore } from './genome/store.js';
import { buildLadder } from './healing/index.js';
import { CallBudget } from './healing/call-budget.js';
import { discoverOrganisms } from './organism/discover.js';
import { loadOrganism, OrganismLoadError } from './organism/manifest.js';
import { chaosRoutes, chaosTypeRoutes } from './routes/chaos.js';
import { memoSerializerCompiler } from './routes/memo-serializer.js';
import { changesSomething, onlyReads, requestGuard } from './security/guard.js';
import { securityHeaders } from './security/headers.js';
import { controlRoutes } from './routes/control.js';
import { genomeRoutes } from './routes/genomes.js';
import { healthRoutes } from './routes/health.js';
import { logRoutes } from './routes/logs.js';
import { metricsRoutes } from './routes/metrics.js';
import { organismRoutes } from './routes/organisms.js';
import { rootRoutes } from './routes/root.js';
import { statusRoutes } from './routes/status.js';
import { evolutionRoutes } from './routes/evolution.js';
import { originalGenomeRoutes } from './routes/original-api.js';
import { EvolutionService } from './evolution/service.js';
import { LogBook } from './watcher/logbook.js';
import { Fleet } from './watcher/fleet.js';
import { Supervisor } from './watcher/supervisor.js';
import { replyFault } from './startup/faults.js'; // [faults]
import { storageGuard } from './startup/storage-guard.js'; // [faults]
import { lockDataDir, refuseLinkedStore } from './startup/data-dir-lock.js';
import { detectSandbox, sandboxSettingsFromEnv, sandboxStartupLines, type Sandbox, type SandboxSettings } from './sandbox/index.js'; // [sandbox]

declare module 'fastify' {
  interface FastifyInstance {
    config: Config;
    store: GenomeStore;
    logbook: LogBook;
    fleet: Fleet;
    /** The default organism's supervisor (ORGANISM). */
    supervisor: Supervisor;
  }
}

export interface BuildOptions {
  /** Start the watcher loop (tests that only read may leave it off). */
  startWatcher?: boolean;
  logger?: FastifyBaseLogger | boolean;
  /** [sandbox] The organisms' sandbox settings; by default from SANDBOX, SANDBOX_DISABLE, SANDBOX_UID, ORGANISM_NODE. */
  sandbox?: SandboxSettings;
}

const version = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

/** An answer slower than this is logged (warn) with its route and time. */
const SLOW_ANSWER_MS = 2000;

/** Builds the whole application without listening: the server listens, tests inject. */
export async function buildApp(config: Config, opts: BuildOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: typeof opts.logger === 'object' ? opts.logger : undefined,
    logger: typeof opts.logger === 'object' ? undefined : (opts.logger ?? false),
    bodyLimit: 16 * 1024,
    // Fastify waits forever by default; a slow client must not hold a socket open: it has 10 s to send its request.
    // The socket's inactivity limit is longer, since it also runs while the server works on the answer: at 10 s it
    // cut chaos requests queued on a saturated machine ("other side closed" where an answer was due).
    requestTimeout: 10_000,
    connectionTimeout: 60_000,
    trustProxy: config.trustProxy,
    // A dashboard polls several routes a second; failures are logged by the error handler instead.
    logController: new LogController({ disableRequestLogging: true }),
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(memoSerializerCompiler());

  const names = config.organisms ?? (await discoverOrganisms(config.organismsDir));
  if (!names.includes(config.organism)) {
    throw new OrganismLoadError(
      `The default organism "${config.organism}" is not among the organisms to run (${names.join(', ') || 'none found'} in ${config.organismsDir}). Set ORGANISM or ORGANISMS.`,
    );
  }
  const organisms = await Promise.all(names.map((name) => loadOrganism(config.organismsDir, name)));
  for (const o of organisms) {
    const bytes = Buffer.byteLength(o.seedSource);
    if (bytes > config.maxSourceBytes) {
      throw new OrganismLoadError(`organisms/${o.name}/${o.manifest.genome} is ${bytes} bytes, over MAX_SOURCE_BYTES=${config.maxSourceBytes}: raise MAX_SOURCE_BYTES, or leave this organism out (ORGANISMS).`);
    }
  }
  const sandboxSettings = opts.sandbox ?? sandboxSettingsFromEnv(); // [sandbox]
  // One server per DATA_DIR: a second one stops here, before it reads, sweeps or migrates anything.
  mkdirSync(config.dataDir, { recursive: true });
  const lock = await lockDataDir(config.dataDir);
  let store: GenomeStore;
  try {
    refuseLinkedStore(config.dataDir);
    store = new GenomeStore(path.join(config.dataDir, 'ouroboros.db'));
  } catch (err) {
    lock.release();
    throw err;
  }
  const logbook = new LogBook(store, config.logRetention);
  // One LLM budget for the whole server: several organisms must not multiply the bill.
  const llmBudget = config.llm ? new CallBudget(config.llm.callsPerHour) : null;
  const supervisors: Supervisor[] = [];
  let sandbox: Sandbox; // [sandbox]
  try {
    // [sandbox] Detected once, after the store exists (it is made 0600) and before the supervisors sweep their
    // run directories (the pidfiles of runs a killed server left behind are killed first).
    sandbox = await detectSandbox({ settings: sandboxSettings, dataDir: config.dataDir });
    app.log.debug({ sandbox: sandbox.report.layers }, 'sandbox layers'); // [sandbox]
    for (const line of sandboxStartupLines(sandbox)) app.log[line.level](line.text); // [sandbox]
    for (const organism of organisms) {
      const ladder = buildLadder(config, { knownFix: (fp) => store.knownLlmFix(organism.name, fp), budget: llmBudget });
      supervisors.push(
        await Supervisor.open({
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
          maxSourceBytes: config.maxSourceBytes,
          sandbox, // [sandbox]
          verifyPropertyInputs: config.verifyPropertyInputs,
          failingSeed: config.failingSeed,
        }),
      );
    }
  } catch (err) {
    store.close();
    lock.release();
    throw err;
  }
  const fleet = new Fleet(supervisors, config.organism);
  // Evolution: the fitness recorder and the evolution runs, measured in the same sandbox as every run.
  const evolution = new EvolutionService({ config, store, fleet, logbook, logger: app.log as unknown as Logger, sandbox });
  app.decorate('config', config);
  app.decorate('store', store);
  app.decorate('logbook', logbook);
  app.decorate('fleet', fleet);
  app.decorate('evolution', evolution);
  app.decorate('supervisor', fleet.default);
  app.decorate('sandbox', sandbox.report); // [sandbox] reported by /health
  app.addHook('onClose', async () => {
    await Promise.all([evolution.stop(), fleet.stop()]);
    store.close();
    lock.release();
  });

  // Request logging is off (a dashboard polls several routes a second): only an answer that took long is told.
  app.addHook('onResponse', async (req, reply) => {
    if (reply.elapsedTime >= SLOW_ANSWER_MS) {
      req.log.warn({ method: req.method, url: req.url, status: reply.statusCode, ms: Math.round(reply.elapsedTime) }, `slow answer: ${req.method} ${req.url} took ${Math.round(reply.elapsedTime)} ms`);
    }
  });

  app.setErrorHandler((err, req, reply) => {
    const fault = replyFault(app, err, reply); // [faults] 503 naming a storage problem, 409 for a lost promotion race
    if (fault) return fault; // [faults]
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
  // Security headers: a strict CSP on the API's JSON, /docs' HTML sets its own.
  await app.register(securityHeaders);
  // Only what changes something is limited: /health and the dashboards' polling always answer. Read-only routes
  // get no rate-limit hook at all (they are most of the traffic); the others share one count per address.
  app.addHook('onRoute', (route) => {
    if (onlyReads(route.method)) route.config = { ...(route.config as object), rateLimit: false };
  });
  await app.register(rateLimit, {
    global: true,
    max: config.rateLimitPerMinute,
    timeWindow: 60_000,
    allowList: (req) => !changesSomething(req),
    errorResponseBuilder: (_req, ctx) =>
      new HttpError(429, 'RATE_LIMITED', `Too many changes from this address: at most ${ctx.max} a minute. Try again in ${ctx.after}.`),
  });
  await app.register(requestGuard, { config });
  await app.register(storageGuard, { dataDir: config.dataDir, store }); // [faults] /health and 503s while DATA_DIR fails
  await app.register(swagger, {
    openapi: {
      info: { title: 'Ouroboros', description: 'The REST API of the self-healing watcher.', version },
    },
    transform: jsonSchemaTransform,
  });
  await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: true });

  await app.register(rootRoutes, { version });
  await app.register(healthRoutes);
  await app.register(organismRoutes);
  await app.register(chaosTypeRoutes);
  // Each organism's resources answer under /organisms/:name, and the default organism's also at the top.
  const byDefault = { resolve: () => fleet.default, scope: 'all' as const };
  const byName = { prefix: '/organisms/:name', resolve: (req: FastifyRequest) => fleet.get((req.params as { name: string }).name), scope: 'one' as const };
  for (const opts of [byDefault, byName]) {
    await app.register(statusRoutes, opts);
    await app.register(logRoutes, opts);
    await app.register(chaosRoutes, opts);
    await app.register(genomeRoutes, opts);
    await app.register(controlRoutes, opts);
    await app.register(evolutionRoutes, opts);
    await app.register(originalGenomeRoutes, opts);
  }
  await app.register(metricsRoutes);

  await app.ready();
  if (opts.startWatcher !== false) {
    // Every seed is verified before any loop starts: a failing seed is a start-up error naming the input.
    await fleet.verifySeeds().catch(async (err: unknown) => {
      await app.close();
      throw err;
    });
    fleet.start();
    await evolution.start();
  }
  return app;
}
