import pino from 'pino';
import { buildApp } from './app.js';
import { ConfigError, loadConfig } from './config.js';
import { isLoopback } from './security/token.js';

/** Listens, picks the logger, and shuts down gracefully; everything else is in app.ts. */
async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw err;
  }
  const logger = pino({
    level: config.logLevel,
    ...(config.logPretty ? { transport: { target: 'pino-pretty', options: { translateTime: 'HH:MM:ss.l', ignore: 'pid,hostname' } } } : {}),
  });

  let app;
  try {
    app = await buildApp(config, { logger });
  } catch (err) {
    logger.fatal({ err }, `cannot start: ${(err as Error).message}`);
    process.exit(1);
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
      process.exit(0);
    } catch (err) {
      logger.error({ err }, 'shutdown failed');
      process.exit(1);
    }
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));

  await app.listen({ port: config.port, host: config.host });
  if (config.token === null) {
    if (isLoopback(config.host)) {
      logger.warn('OUROBOROS_TOKEN is not set: routes that change code are open, because the server listens on loopback only');
    } else {
      logger.warn(`OUROBOROS_TOKEN is not set and the server listens on ${config.host}: routes that change code answer 403 until it is set`);
    }
  }
  logger.info(`Ouroboros is watching ${config.organism}; data in ${config.dataDir}; docs at /docs`);
}

void main();
