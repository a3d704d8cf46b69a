/**
 * What every long-running entry point (the server, `pnpm worker`) does first: read its configuration, exiting with
 * EX_CONFIG and the message a person can act on when it is wrong, and make its logger.
 */
import pino, { type Logger } from 'pino';
import { ConfigError, loadConfig, type Config } from '../config.js';

/** The configuration, checked further by `require` (a ConfigError from it is reported the same way); exits on error. */
export function loadConfigOrExit(require?: (config: Config) => void): Config {
  try {
    const config = loadConfig();
    require?.(config);
    return config;
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw err;
  }
}

/** JSON lines in production, pino-pretty where a person reads them (LOG_PRETTY). */
export function processLogger(config: Pick<Config, 'logLevel' | 'logPretty'>): Logger {
  return pino({
    level: config.logLevel,
    ...(config.logPretty ? { transport: { target: 'pino-pretty', options: { translateTime: 'HH:MM:ss.l', ignore: 'pid,hostname' } } } : {}),
  });
}
