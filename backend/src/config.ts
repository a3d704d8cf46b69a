import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

const backendDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const intFrom = (min: number, max: number) =>
  z.coerce
    .number({ error: 'must be a number' })
    .int('must be a whole number')
    .min(min, `must be at least ${min}`)
    .max(max, `must be at most ${max}`);

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { error: 'must be true or false' })
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const EnvSchema = z.object({
  PORT: intFrom(0, 65535).default(8000),
  HOST: z.string().min(1, 'must not be empty').default('127.0.0.1'),
  DATA_DIR: z.string().min(1, 'must not be empty').default(path.join(backendDir, 'data')),
  ORGANISMS_DIR: z.string().min(1).default(path.resolve(backendDir, '..', 'organisms')),
  ORGANISM: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'must be a folder name of lowercase letters, digits and dashes')
    .default('bubble-sort'),
  LOOP_INTERVAL_MS: intFrom(10, 3_600_000).default(1000),
  CORS_ORIGINS: z.string().default('http://localhost:3000,http://127.0.0.1:3000'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  LOG_PRETTY: bool.optional(),
  AUTO_HEAL: bool.default(true),
  OUTPUT_CAP_BYTES: intFrom(1024, 64 * 1024 * 1024).default(64 * 1024),
  LOG_RETENTION: intFrom(100, 10_000_000).default(20_000),
  NODE_ENV: z.string().default('development'),
});

export interface Config {
  readonly port: number;
  readonly host: string;
  readonly dataDir: string;
  readonly organismsDir: string;
  readonly organism: string;
  readonly loopIntervalMs: number;
  readonly corsOrigins: readonly string[];
  readonly logLevel: string;
  readonly logPretty: boolean;
  readonly autoHeal: boolean;
  /** Bytes of stdout and of stderr kept per run; the rest is counted and dropped. */
  readonly outputCapBytes: number;
  /** Log entries kept in the database; older ones are pruned. */
  readonly logRetention: number;
  readonly production: boolean;
}

export class ConfigError extends Error {
  constructor(readonly issues: string[]) {
    super(`Invalid configuration:\n${issues.map((i) => `  - ${i}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Parses the environment once. A wrong value throws a ConfigError naming the variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<Config> = {}): Config {
  // An empty variable means "unset": `PORT= pnpm start` should not be an error.
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = EnvSchema.safeParse(present);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((i) => `${i.path.join('.')}=${JSON.stringify(present[String(i.path[0])])}: ${i.message}`),
    );
  }
  const e = parsed.data;
  const production = e.NODE_ENV === 'production';
  return Object.freeze({
    port: e.PORT,
    host: e.HOST,
    dataDir: path.resolve(e.DATA_DIR),
    organismsDir: path.resolve(e.ORGANISMS_DIR),
    organism: e.ORGANISM,
    loopIntervalMs: e.LOOP_INTERVAL_MS,
    corsOrigins: e.CORS_ORIGINS.split(',').map((o) => o.trim()).filter(Boolean),
    logLevel: e.LOG_LEVEL,
    logPretty: e.LOG_PRETTY ?? (!production && process.stdout.isTTY === true),
    autoHeal: e.AUTO_HEAL,
    outputCapBytes: e.OUTPUT_CAP_BYTES,
    logRetention: e.LOG_RETENTION,
    production,
    ...overrides,
  });
}
