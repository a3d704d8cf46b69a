import { buildApp } from './app.js';
import { OrganismLoadError } from './organism/manifest.js';
import { isLoopback } from './http/token.js';
import { closeProcessRunner } from './runner/process-runner.js';
import { checkStartup, StartupError } from './startup/preflight.js';
import { loadConfigOrExit, processLogger } from './startup/process-start.js';
import { StorageError } from './storage/fault.js';
import { SeedVerificationError } from './verification/seed.js';

/** Connections waiting to be accepted; see the listen call. */
const LISTEN_BACKLOG = 4096;

/** Listens, picks the logger, and shuts down gracefully; everything else is in app.ts. */
async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const logger = processLogger(config);

  let app;
  try {
    // A missing organism, or a DATA_DIR that is a file, read-only or full: one clear line, nothing changed.
    await checkStartup(config);
    app = await buildApp(config, { logger });
  } catch (err) {
    cannotStart(err);
  }

  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    logger.info(`${signal}: stopping (finishing the current run, closing the store)`);
    const force = setTimeout(() => {
      logger.error('shutdown took too long; exiting now');
      process.exit(1);
    }, 8000);
    force.unref();
    try {
      await app.close();
      // The loops have stopped: the spawners kill whatever still runs, and exit.
      await closeProcessRunner();
      process.exit(0);
    } catch (err) {
      logger.error({ err }, 'shutdown failed');
      process.exit(1);
    }
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));

  try {
    // Node's default accept queue is 511: a thousand dashboards reconnecting at once (a redeploy, a network blip)
    // overflowed it, and the connections it dropped waited on SYN retries for 10 s and more, a chaos click among
    // them. The kernel caps the number at net.core.somaxconn.
    await app.listen({ port: config.port, host: config.host, backlog: LISTEN_BACKLOG });
  } catch (err) {
    await app.close().catch(() => {});
    const inUse = (err as NodeJS.ErrnoException).code === 'EADDRINUSE';
    cannotStart(inUse ? new StartupError(`port ${config.port} on ${config.host} is in use (EADDRINUSE): is another server running? Set PORT to a free port.`) : err);
  }
  if (config.token === null) {
    if (isLoopback(config.host)) {
      // Expected on a development machine: nothing to act on until the server listens beyond loopback.
      logger.info('OUROBOROS_TOKEN is not set: routes that change code are open, because the server listens on loopback only');
    } else {
      logger.warn(`OUROBOROS_TOKEN is not set and the server listens on ${config.host}: routes that change code answer 403 until it is set`);
    }
  }
  logger.info(`Ouroboros is watching ${config.organism}; data in ${config.dataDir}; docs at /docs`);
}

/**
 * Start-up failed: one line on stderr that names the problem (`cannot start: ...`), and a non-zero exit. Failures
 * the checks foresaw (configuration, organisms, storage) need no stack; anything else gets it, for a bug report.
 */
function cannotStart(err: unknown): never {
  const foreseen =
    err instanceof StartupError || err instanceof StorageError || err instanceof OrganismLoadError || err instanceof SeedVerificationError;
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(`cannot start: ${message.replace(/\s*\n\s*/g, ' ')}\n`);
  if (!foreseen && err instanceof Error && err.stack) process.stderr.write(`${err.stack}\n`);
  process.exit(1);
}

void main();
