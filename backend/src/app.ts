import { readFileSync } from 'node:fs';
import cors from '@fastify/cors';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyRequest } from 'fastify';
import { jsonSchemaTransform, validatorCompiler } from 'fastify-type-provider-zod';
import type { Logger } from 'pino';
import type { Config } from './config.js';
import type { EventJournal } from './events/journal.js';
import type { ProposalStore } from './genome/proposals.js';
import type { LlmLedger } from './llm/ledger.js';
import type { GenomeStore } from './genome/store.js';
import { auditTrail } from './http/audit-trail.js';
import { registerErrorHandlers } from './http/error-handlers.js';
import { ApiError } from './http/errors.js';
import { changesSomething, onlyReads, requestGuard } from './http/request-guard.js';
import { securityHeaders } from './http/security-headers.js';
import { storageGuard } from './http/storage-guard.js'; // [faults]
import { chaosRoutes, chaosTypeRoutes } from './routes/chaos.js';
import { memoSerializerCompiler } from './routes/memo-serializer.js';
import { controlRoutes } from './routes/control.js';
import { genomeRoutes } from './routes/genomes.js';
import { healthRoutes } from './routes/health.js';
import { logRoutes } from './routes/logs.js';
import { metricsRoutes } from './routes/metrics.js';
import { organismRoutes } from './routes/organisms.js';
import { rootRoutes } from './routes/root.js';
import { statusRoutes } from './routes/status.js';
import { evolutionRoutes } from './routes/evolution.js';
import { proposalRoutes } from './routes/proposals.js';
import { eventRoutes } from './routes/events.js';
import { eventStreams } from './http/event-stream.js';
import { originalGenomeRoutes } from './routes/original-api.js';
import { operatorRoutes } from './routes/operators.js';
import type { SandboxSettings } from './sandbox/index.js'; // [sandbox]
import { createServices } from './services.js';
import type { LogBook } from './watcher/logbook.js';
import type { Fleet } from './watcher/fleet.js';
import type { Supervisor } from './watcher/supervisor.js';

declare module 'fastify' {
  interface FastifyInstance {
    config: Config;
    store: GenomeStore;
    proposals: ProposalStore;
    logbook: LogBook;
    fleet: Fleet;
    /** The numbered, stored events GET /events sends. */
    journal: EventJournal;
    /** Every LLM call and its cost; the daily cap. */
    llmLedger: LlmLedger;
    /** The default organism's supervisor (ORGANISM). */
    supervisor: Supervisor;
  }
}

export interface BuildOptions {
  /** Start the watcher loop (tests that only read may leave it off). */
  startWatcher?: boolean;
  logger?: FastifyBaseLogger | boolean;
  /** [sandbox] The organisms' sandbox settings, over the config's (SANDBOX, SANDBOX_DISABLE, SANDBOX_UID, ORGANISM_NODE). */
  sandbox?: SandboxSettings;
}

const version = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

/** An answer slower than this is logged (warn) with its route and time. */
const SLOW_ANSWER_MS = 2000;
/** What requests still in flight when the server closes get to finish before their connections are cut. */
const CLOSE_GRACE_MS = 3000;

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

  const services = await createServices(config, { logger: app.log as unknown as Logger, sandbox: opts.sandbox });
  const { store, logbook, fleet, evolution, sandbox } = services;
  app.decorate('config', config);
  app.decorate('store', store);
  app.decorate('proposals', services.proposals);
  app.decorate('logbook', logbook);
  app.decorate('fleet', fleet);
  app.decorate('evolution', evolution);
  app.decorate('journal', services.journal);
  app.decorate('llmLedger', services.ledger);
  app.decorate('supervisor', fleet.default);
  app.decorate('sandbox', sandbox.report); // [sandbox] reported by /health
  app.addHook('onClose', () => services.close());

  // Request logging is off (a dashboard polls several routes a second): only an answer that took long is told.
  app.addHook('onResponse', async (req, reply) => {
    if (reply.elapsedTime >= SLOW_ANSWER_MS) {
      req.log.warn({ method: req.method, url: req.url, status: reply.statusCode, ms: Math.round(reply.elapsedTime) }, `slow answer: ${req.method} ${req.url} took ${Math.round(reply.elapsedTime)} ms`);
    }
  });

  registerErrorHandlers(app);

  // Closing waits for the connections Node's server still counts as busy; a connection that served an event stream's
  // client and then another request was seen to stay "busy" for the whole connection timeout (60 s). Requests still
  // in flight get a grace period to finish; then whatever connection is left is cut.
  app.addHook('preClose', (done) => {
    const cut = setTimeout(() => app.server.closeAllConnections(), CLOSE_GRACE_MS).unref();
    app.server.once('close', () => clearTimeout(cut));
    done();
  });

  const origins = config.corsOrigins.includes('*') ? true : [...config.corsOrigins];
  await app.register(cors, { origin: origins, methods: ['GET', 'POST', 'OPTIONS'] });
  // Security headers: a strict CSP on the API's JSON, /docs' HTML sets its own.
  await app.register(securityHeaders);
  // Before the rate limit and the guards: a refused change is in the audit trail too.
  await app.register(auditTrail, { audit: services.audit, fleet });
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
      new ApiError('RATE_LIMITED', `Too many changes from this address: at most ${ctx.max} a minute. Try again in ${ctx.after}.`),
  });
  await app.register(requestGuard, { config });
  await app.register(storageGuard, { dataDir: config.dataDir, store }); // [faults] /health and 503s while DATA_DIR fails
  services.alerts.watchStorage(app.storage);
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
  await app.register(eventStreams, { journal: services.journal }); // the connected streams of GET /events
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
    await app.register(proposalRoutes, opts);
    await app.register(eventRoutes, opts);
    await app.register(originalGenomeRoutes, opts);
  }
  await app.register(metricsRoutes);
  await app.register(operatorRoutes, { alerts: services.alerts, audit: services.audit });

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
