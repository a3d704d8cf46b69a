import { accessSync, constants } from 'node:fs';
import type { BatchMode } from './runner/batch/run-batch.js';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { HEAL_MODES, ORGANISM_NAME, type HealMode } from './domain.js';
import { DEFAULT_MAX_SOURCE_BYTES } from './files/source-size.js';
import { defaultSandboxSettings, OPTIONAL_LAYERS, type OptionalLayer, type SandboxSettings } from './sandbox/settings.js';

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

const floatFrom = (min: number, max: number) =>
  z.coerce
    .number({ error: 'must be a number' })
    .min(min, `must be at least ${min}`)
    .max(max, `must be at most ${max}`);

const trimmed = z.string().trim();

/** [sandbox] The organisms' sandbox; a layer the platform lacks is not an error (detection reports it). */
const SandboxEnvSchema = z.object({
  SANDBOX: trimmed.pipe(z.enum(['on', 'off', 'true', 'false', '1', '0'], { error: 'must be on or off' })).default('on'),
  SANDBOX_DISABLE: trimmed
    .superRefine((list, ctx) => {
      for (const name of layerNames(list)) {
        if (!(OPTIONAL_LAYERS as readonly string[]).includes(name)) {
          ctx.addIssue({ code: 'custom', message: `unknown layer "${name}"; layers: ${OPTIONAL_LAYERS.join(', ')}` });
        }
      }
    })
    .optional(),
  SANDBOX_UID: trimmed
    .regex(/^0*[1-9]\d*(:0*[1-9]\d*)?$/, 'must be uid or uid:gid, numbers other than 0 (default 65534:65534)')
    .optional(),
  ORGANISM_NODE: trimmed
    .transform((p) => path.resolve(p))
    .refine(isExecutable, 'must be an executable Node binary')
    .optional(),
});

const EnvSchema = SandboxEnvSchema.extend({
  PORT: intFrom(0, 65535).default(8000),
  HOST: z.string().min(1, 'must not be empty').default('127.0.0.1'),
  DATA_DIR: z.string().min(1, 'must not be empty').default(path.join(backendDir, 'data')),
  ORGANISMS_DIR: z.string().min(1).default(path.resolve(backendDir, '..', 'organisms')),
  ORGANISM: z
    .string()
    .regex(ORGANISM_NAME, 'must be a folder name of lowercase letters, digits and dashes')
    .default('bubble-sort'),
  ORGANISMS: z
    .string()
    .refine((list) => list.split(',').every((name) => ORGANISM_NAME.test(name.trim())), 'must be a comma-separated list of organism folder names')
    .optional(),
  LOOP_INTERVAL_MS: intFrom(10, 3_600_000).default(1000),
  CORS_ORIGINS: z.string().default('http://localhost:3000,http://127.0.0.1:3000'),
  ALLOWED_HOSTS: z
    .string()
    .regex(/^\s*(\*|[A-Za-z0-9.:\[\]-]+(\s*,\s*[A-Za-z0-9.:\[\]-]+)*)\s*$/, 'must be a comma-separated list of host names (no scheme, no port), or *')
    .optional(),
  RAILWAY_PUBLIC_DOMAIN: z.string().optional(),
  MAX_SOURCE_BYTES: intFrom(1024, 64 * 1024 * 1024).default(DEFAULT_MAX_SOURCE_BYTES),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  LOG_PRETTY: bool.optional(),
  AUTO_HEAL: bool.default(true),
  HEAL_MODE: z.enum(HEAL_MODES, { error: 'must be auto (promote verified repairs at once) or propose (wait for a person to approve each one)' }).default('auto'),
  PROPOSAL_RUNS: z.enum(['pause', 'continue'], { error: 'must be pause or continue (what the organism does while a proposal waits)' }).default('continue'),
  OUTPUT_CAP_BYTES: intFrom(1024, 64 * 1024 * 1024).default(64 * 1024),
  SPAWNERS: intFrom(0, 64).default(1),
  ORGANISM_NICE: intFrom(0, 19).default(0),
  RUNNER: z.enum(['embedded', 'bullmq'], { error: 'must be embedded (runs on this machine) or bullmq (runs on workers through Redis)' }).default('embedded'),
  REDIS_URL: z.url({ protocol: /^rediss?$/, error: 'must be a Redis URL such as redis://localhost:6379 (rediss:// for TLS)' }).optional(),
  RUNNER_FALLBACK: z.enum(['embedded', 'none'], { error: 'must be embedded (run here while Redis is unreachable) or none (fail those runs)' }).default('embedded'),
  WORKER_CONCURRENCY: intFrom(1, 256).optional(),
  WORKER_LOCK_MS: intFrom(500, 600_000).default(30_000),
  LOG_RETENTION: intFrom(100, 10_000_000).default(20_000),
  NODE_ENV: z.string().default('development'),
  HEAL_LADDER: z
    .string()
    .regex(/^\s*[a-z-]+(\s*,\s*[a-z-]+)*\s*$/, 'must be a comma-separated list such as minimal-revert,rollback,llm')
    .default('minimal-revert,rollback,search,llm'),
  HEAL_MAX_TRIALS: intFrom(1, 10_000).default(64),
  HEAL_SEARCH_TIME_MS: intFrom(100, 3_600_000).default(60_000),
  HEAL_BATCH_PROOF: z
    .enum(['true', 'false', '1', '0', 'yes', 'no', 'contexts', 'workers'], { error: 'must be contexts, workers, or 0 to turn it off' })
    .default('contexts')
    .transform((v): BatchMode | false => (v === 'workers' ? 'workers' : v === 'false' || v === '0' || v === 'no' ? false : 'contexts')),
  ROUTINE_RUNS: z.enum(['contexts', 'processes'], { error: 'must be contexts or processes' }).default('contexts'),
  STANDBY_RUNS: bool.default(true),
  LLM_BASE_URL: z.url({ error: 'must be a URL such as https://api.openai.com/v1' }).optional(),
  LLM_API_KEY: z.string().optional(),
  LLM_MODEL: z.string().min(1).optional(),
  LLM_TIMEOUT_MS: intFrom(100, 600_000).default(30_000),
  LLM_MAX_ATTEMPTS: intFrom(1, 20).default(3),
  LLM_CALLS_PER_HOUR: intFrom(0, 100_000).default(30),
  LLM_PRICE_PER_MTOK_IN: floatFrom(0, 100_000).optional(),
  LLM_PRICE_PER_MTOK_OUT: floatFrom(0, 100_000).optional(),
  LLM_DAILY_BUDGET_USD: floatFrom(0, 1_000_000).optional(),
  TRANSIENT_RETRIES: intFrom(0, 10).default(2),
  CRASH_LOOP_FAILURES: intFrom(2, 1000).default(5),
  CRASH_LOOP_WINDOW_MS: intFrom(100, 3_600_000).default(10_000),
  QUARANTINE_MAX_BACKOFF_MS: intFrom(100, 3_600_000).default(60_000),
  EXTERNAL_EDITS: bool.default(true),
  OUROBOROS_TOKEN: z.string().min(16, 'must be at least 16 characters (try `openssl rand -hex 32`)').optional(),
  OUROBOROS_PROTECT_READS: bool.default(false),
  RATE_LIMIT_PER_MINUTE: intFrom(1, 1_000_000).default(60),
  TRUST_PROXY: bool.default(false),
  EVOLVE_GENERATIONS: intFrom(1, 1000).default(5),
  EVOLVE_POPULATION: intFrom(1, 100).default(6),
  EVOLVE_TIME_BUDGET_MS: intFrom(1000, 86_400_000).default(300_000),
  EVOLVE_MARGIN: floatFrom(0.01, 0.9).default(0.1),
  EVOLVE_LLM_CALLS_PER_HOUR: intFrom(0, 100_000).default(30),
  EVOLVE_FITNESS: bool.default(true),
  EVENTS_RETENTION: intFrom(100, 10_000_000).default(50_000),
  EVENTS_HEARTBEAT_MS: intFrom(100, 600_000).default(15_000),
  EVENTS_CLIENT_BUFFER_BYTES: intFrom(16 * 1024, 256 * 1024 * 1024).default(256 * 1024),
  EVENTS_MAX_STREAMS_PER_CLIENT: intFrom(1, 100_000).default(20),
  VERIFY_PROPERTY_INPUTS: intFrom(0, 1000).optional(),
  FAILING_SEED: z.enum(['refuse', 'heal'], { error: 'must be refuse or heal' }).optional(),
  ALERT_WEBHOOK_URLS: trimmed
    .superRefine((list, ctx) => {
      for (const url of splitList(list)) {
        const problem = webhookUrlProblem(url);
        if (problem) ctx.addIssue({ code: 'custom', message: problem });
      }
    })
    .optional(),
  ALERT_WEBHOOK_SECRET: z.string().min(16, 'must be at least 16 characters (try `openssl rand -hex 32`)').optional(),
  ALERT_ON_HEAL: bool.default(false),
  ALERT_REMINDER_MINUTES: floatFrom(0, 10_080).default(60),
  ALERT_TIMEOUT_MS: intFrom(100, 120_000).default(5000),
  ALERT_MAX_ATTEMPTS: intFrom(1, 100).default(8),
  ALERT_RETRY_INITIAL_MS: intFrom(10, 3_600_000).default(2000),
  ALERT_OUTBOX_MAX: intFrom(10, 1_000_000).default(1000),
  DASHBOARD_URL: z.url({ protocol: /^https?$/, error: 'must be the http(s) address of the dashboard, such as https://ouroboros.example.com' }).optional(),
  AUDIT_RETENTION: intFrom(100, 10_000_000).default(10_000),
});

/** Every environment variable the backend reads: the one schema's keys (DEPLOYMENT.md and .env.example list them). */
export const ENV_VARIABLES: readonly string[] = Object.keys(EnvSchema.shape);

export const HEAL_RUNGS = ['minimal-revert', 'rollback', 'search', 'llm'] as const;
export type HealRung = (typeof HEAL_RUNGS)[number];

export interface Config {
  /** [sandbox] SANDBOX, SANDBOX_DISABLE, SANDBOX_UID, ORGANISM_NODE. */
  readonly sandbox: SandboxSettings;
  readonly port: number;
  readonly host: string;
  readonly dataDir: string;
  readonly organismsDir: string;
  /** The default organism: the one the routes without /organisms/:name answer for. */
  readonly organism: string;
  /** The organisms to run; null means every folder of organismsDir with a manifest.json. */
  readonly organisms: readonly string[] | null;
  readonly loopIntervalMs: number;
  readonly corsOrigins: readonly string[];
  /**
   * Host names a request may be addressed to (the Host header, without the port), besides any IP address: a
   * DNS-rebinding page reaches the server under a name of its own. '*' turns the check off.
   */
  readonly allowedHosts: readonly string[] | '*';
  /** The largest genome source stored, written, run or read from live.js (MAX_SOURCE_BYTES). */
  readonly maxSourceBytes: number;
  readonly logLevel: string;
  readonly logPretty: boolean;
  readonly autoHeal: boolean;
  /**
   * auto: a verified repair (or an evolved genome) is promoted at once; propose: it becomes a pending proposal that a
   * person approves or rejects (POST /proposals/:id/approve). An organism's manifest may say its own (`healMode`).
   */
  readonly healMode: HealMode;
  /** While a proposal waits: keep running the failing genome (continue) or stop running it (pause). */
  readonly proposalRuns: 'pause' | 'continue';
  /** Bytes of stdout and of stderr kept per run; the rest is counted and dropped. */
  readonly outputCapBytes: number;
  /** Spawner processes that start the organism runs (src/spawner); 0 starts them from the server itself, for comparison. */
  readonly spawners: number;
  /** The CPU niceness of every organism run (0-19): the server above what it supervises when the cores are full. */
  readonly organismNice: number;
  /** Where organism runs execute: this machine, or BullMQ workers through Redis (src/runner/queue). */
  readonly runner: RunnerConfig;
  /** Log entries kept in the database; older ones are pruned. */
  readonly logRetention: number;
  readonly production: boolean;
  /** Repair strategies in the order they are tried. */
  readonly healLadder: readonly HealRung[];
  /** Trial runs one incident may spend on minimal revert, and candidates on the search rung. */
  readonly healMaxTrials: number;
  /** HEAL_SEARCH_TIME_MS: the search rung starts no candidate after this long. */
  readonly healSearchTimeMs: number;
  /**
   * HEAL_BATCH_PROOF: every verification suite and the search rung's held-out set prove their passing inputs in one sandboxed batch host (src/runner/batch),
   * each in a vm context first ('contexts') or in a worker thread ('workers'); false: a process per input.
   */
  readonly healBatchProof: BatchMode | false;
  /**
   * ROUTINE_RUNS: 'contexts' runs each routine run first in a fresh vm context of the organism's warm host (one
   * sandboxed process per organism, kept while its genome is live), counting a pass or a hang and running anything
   * else again as a process; 'processes': every routine run is a process of its own.
   */
  readonly routineRuns: 'contexts' | 'processes';
  /**
   * STANDBY_RUNS: a genome's run on one input that must be a process takes one its spawner started ahead of it (the
   * same sandboxed command line, waiting for its file), so that it does not wait for Node to start; the spawner keeps
   * one ready per shape of run. Off: every such run starts its process when it begins.
   */
  readonly standbyRuns: boolean;
  readonly llm: {
    readonly baseUrl: string;
    readonly apiKey: string | undefined;
    readonly model: string;
    readonly timeoutMs: number;
    readonly maxAttempts: number;
    readonly callsPerHour: number;
  } | null;
  /** What LLM calls cost and how much a UTC day may spend (healing and evolution together). */
  readonly llmBill: {
    /** USD per million tokens; null when LLM_PRICE_PER_MTOK_IN/OUT are not set (tokens are still counted). */
    readonly prices: { readonly inPerMTok: number; readonly outPerMTok: number } | null;
    readonly dailyBudgetUsd: number | null;
  };
  /** Retries, with backoff, of a failure that may be transient (a hang or a signal) before healing. */
  readonly transientRetries: number;
  /** This many failures within crashLoopWindowMs is a crash loop. */
  readonly crashLoopFailures: number;
  readonly crashLoopWindowMs: number;
  /** Cap of the probing interval of a quarantined organism. */
  readonly quarantineMaxBackoffMs: number;
  /** Watch the live genome file and take edits made to it from outside. */
  readonly externalEdits: boolean;
  /** The bearer token every route that changes code requires; null: open on loopback only. */
  readonly token: string | null;
  /** Require the token for reads too (except /health). */
  readonly protectReads: boolean;
  /** Requests that change something, per client address and minute. */
  readonly rateLimitPerMinute: number;
  /** Take the client address from X-Forwarded-For (behind Railway's or another proxy). */
  readonly trustProxy: boolean;
  /** Seeded property inputs in every organism's verification suite; null: each manifest's (default 24). */
  readonly verifyPropertyInputs: number | null;
  /** A seed genome that fails its verification suite: refuse to start (naming the input), or start and heal it. */
  readonly failingSeed: 'refuse' | 'heal';
  /** Evolution: the defaults of a run (POST /organisms/:name/evolve may ask for others) and the fitness recorder. */
  readonly evolve: EvolveConfig;
  /** The event stream (GET /events). */
  readonly events: EventsConfig;
  /** Webhook alerts (src/alerts). */
  readonly alerts: AlertsConfig;
  /** DASHBOARD_URL: where alerts link to; null when not set. */
  readonly dashboardUrl: string | null;
  /** Entries of the audit trail (GET /audit) kept; older ones are pruned. */
  readonly auditRetention: number;
}

export interface RunnerConfig {
  /** RUNNER: embedded (spawner processes on this machine) or bullmq (jobs on a Redis queue, run by `pnpm worker`). */
  readonly kind: 'embedded' | 'bullmq';
  /** REDIS_URL; null when not set (required by RUNNER=bullmq and by the worker). */
  readonly redisUrl: string | null;
  /** RUNNER_FALLBACK: while Redis (or every worker) is unreachable, run here (embedded) or fail the run as the runner's fault (none). */
  readonly fallback: 'embedded' | 'none';
  /** WORKER_CONCURRENCY: runs one worker process takes at once (default: its machine's cores). */
  readonly workerConcurrency: number;
  /** WORKER_LOCK_MS: a worker that stops renewing a job's lock for this long is dead, and its job runs again elsewhere. */
  readonly workerLockMs: number;
}

export interface AlertsConfig {
  /** ALERT_WEBHOOK_URLS: every alert is posted to each; none: alerts are off. May hold secrets (Slack's do). */
  readonly webhooks: readonly string[];
  /** Signs each body (X-Ouroboros-Signature-256); null: unsigned. */
  readonly secret: string | null;
  /** Alert on a successful heal too. */
  readonly onHeal: boolean;
  /** A condition that lasts this long is told again; 0: never. */
  readonly reminderMs: number;
  /** One delivery attempt may take this long. */
  readonly timeoutMs: number;
  /** Attempts per delivery before it is marked failed. */
  readonly maxAttempts: number;
  /** The wait before the second attempt; it doubles after each failure, up to an hour. */
  readonly retryInitialMs: number;
  /** Alerts kept in the outbox (delivered, failed and pending); the oldest go first. */
  readonly outboxMax: number;
}

export interface EventsConfig {
  /** Events kept in the store for clients that reconnect with a cursor; an older cursor gets a resync. */
  readonly retention: number;
  /** A heartbeat at least this often on every stream. */
  readonly heartbeatMs: number;
  /** Bytes a client may leave unread on the server before it is dropped. */
  readonly clientBufferBytes: number;
  /** Streams one client address may hold open at once (streams are reads, which the rate limit leaves alone). */
  readonly maxStreamsPerClient: number;
}

export interface EvolveConfig {
  /** Generations of a run. */
  readonly generations: number;
  /** Candidates tried per generation. */
  readonly population: number;
  /** Wall-clock budget of a run. */
  readonly timeBudgetMs: number;
  /** How much faster (0.1: 10 %) a candidate must be than the live genome, in two measurements, to be promoted. */
  readonly margin: number;
  /** Evolution's own LLM budget over any sliding hour (separate from healing's LLM_CALLS_PER_HOUR). */
  readonly llmCallsPerHour: number;
  /** Compute the fitness of every genome that becomes live. */
  readonly fitness: boolean;
  /** Pause after a promotion before its fitness is measured, so a burst of promotions is not measured mid-burst. */
  readonly fitnessDelayMs: number;
}

export const EVOLVE_DEFAULTS: EvolveConfig = Object.freeze({
  generations: 5,
  population: 6,
  timeBudgetMs: 300_000,
  margin: 0.1,
  llmCallsPerHour: 30,
  fitness: true,
  fitnessDelayMs: 1000,
});

export class ConfigError extends Error {
  constructor(readonly issues: string[]) {
    super(`Invalid configuration:\n${issues.map((i) => `  - ${i}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Parses the environment once. A wrong value throws a ConfigError naming the variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<Config> = {}): Config {
  // An empty variable means "unset": `PORT= pnpm start` should not be an error.
  const e = parseEnv(EnvSchema, env);
  const production = e.NODE_ENV === 'production';
  const issues: string[] = [];
  const ladder = e.HEAL_LADDER.split(',').map((r) => r.trim());
  for (const rung of ladder) {
    if (!(HEAL_RUNGS as readonly string[]).includes(rung)) {
      issues.push(`HEAL_LADDER=${JSON.stringify(e.HEAL_LADDER)}: unknown strategy "${rung}"; valid: ${HEAL_RUNGS.join(', ')}`);
    }
  }
  if (e.OUROBOROS_PROTECT_READS && !e.OUROBOROS_TOKEN) {
    issues.push('OUROBOROS_PROTECT_READS=true: needs OUROBOROS_TOKEN, or nobody could read anything');
  }
  if (production && e.LOG_PRETTY === true) {
    issues.push('LOG_PRETTY=true: not available with NODE_ENV=production (pino-pretty is a development dependency); logs are JSON lines there');
  }
  if ((e.LLM_PRICE_PER_MTOK_IN === undefined) !== (e.LLM_PRICE_PER_MTOK_OUT === undefined)) {
    issues.push('LLM_PRICE_PER_MTOK_IN and LLM_PRICE_PER_MTOK_OUT: set both (USD per million prompt and completion tokens, as your provider lists them), or neither');
  }
  if (e.LLM_DAILY_BUDGET_USD !== undefined && e.LLM_PRICE_PER_MTOK_IN === undefined) {
    issues.push('LLM_DAILY_BUDGET_USD: needs LLM_PRICE_PER_MTOK_IN and LLM_PRICE_PER_MTOK_OUT, to know what each call costs');
  }
  if (e.RUNNER === 'bullmq' && !e.REDIS_URL) issues.push('RUNNER=bullmq: needs REDIS_URL (for example redis://localhost:6379), the Redis the workers take runs from');
  if (e.LLM_BASE_URL && !e.LLM_MODEL) issues.push('LLM_MODEL: must be set when LLM_BASE_URL is (for example gpt-4o-mini)');
  if (issues.length > 0) throw new ConfigError(issues);
  return Object.freeze({
    sandbox: sandboxSettings(e),
    port: e.PORT,
    host: e.HOST,
    dataDir: path.resolve(e.DATA_DIR),
    organismsDir: path.resolve(e.ORGANISMS_DIR),
    organism: e.ORGANISM,
    organisms: e.ORGANISMS ? e.ORGANISMS.split(',').map((n) => n.trim()) : null,
    loopIntervalMs: e.LOOP_INTERVAL_MS,
    corsOrigins: e.CORS_ORIGINS.split(',').map((o) => o.trim()).filter(Boolean),
    allowedHosts: allowedHosts(e.ALLOWED_HOSTS, e.HOST, e.RAILWAY_PUBLIC_DOMAIN),
    maxSourceBytes: e.MAX_SOURCE_BYTES,
    logLevel: e.LOG_LEVEL,
    // Pretty outside production: under `pnpm start` stdout is a pipe, yet a person reads it.
    logPretty: e.LOG_PRETTY ?? !production,
    autoHeal: e.AUTO_HEAL,
    healMode: e.HEAL_MODE,
    proposalRuns: e.PROPOSAL_RUNS,
    outputCapBytes: e.OUTPUT_CAP_BYTES,
    spawners: e.SPAWNERS,
    organismNice: e.ORGANISM_NICE,
    runner: Object.freeze({
      kind: e.RUNNER,
      redisUrl: e.REDIS_URL ?? null,
      fallback: e.RUNNER_FALLBACK,
      workerConcurrency: e.WORKER_CONCURRENCY ?? os.availableParallelism(),
      workerLockMs: e.WORKER_LOCK_MS,
    }),
    logRetention: e.LOG_RETENTION,
    production,
    healLadder: ladder as HealRung[],
    healMaxTrials: e.HEAL_MAX_TRIALS,
    healSearchTimeMs: e.HEAL_SEARCH_TIME_MS,
    healBatchProof: e.HEAL_BATCH_PROOF,
    routineRuns: e.ROUTINE_RUNS,
    standbyRuns: e.STANDBY_RUNS,
    llm:
      e.LLM_BASE_URL && e.LLM_MODEL
        ? {
            baseUrl: e.LLM_BASE_URL,
            apiKey: e.LLM_API_KEY,
            model: e.LLM_MODEL,
            timeoutMs: e.LLM_TIMEOUT_MS,
            maxAttempts: e.LLM_MAX_ATTEMPTS,
            callsPerHour: e.LLM_CALLS_PER_HOUR,
          }
        : null,
    llmBill: Object.freeze({
      prices:
        e.LLM_PRICE_PER_MTOK_IN !== undefined && e.LLM_PRICE_PER_MTOK_OUT !== undefined
          ? Object.freeze({ inPerMTok: e.LLM_PRICE_PER_MTOK_IN, outPerMTok: e.LLM_PRICE_PER_MTOK_OUT })
          : null,
      dailyBudgetUsd: e.LLM_DAILY_BUDGET_USD ?? null,
    }),
    transientRetries: e.TRANSIENT_RETRIES,
    crashLoopFailures: e.CRASH_LOOP_FAILURES,
    crashLoopWindowMs: e.CRASH_LOOP_WINDOW_MS,
    quarantineMaxBackoffMs: e.QUARANTINE_MAX_BACKOFF_MS,
    externalEdits: e.EXTERNAL_EDITS,
    token: e.OUROBOROS_TOKEN ?? null,
    protectReads: e.OUROBOROS_PROTECT_READS,
    rateLimitPerMinute: e.RATE_LIMIT_PER_MINUTE,
    trustProxy: e.TRUST_PROXY,
    verifyPropertyInputs: e.VERIFY_PROPERTY_INPUTS ?? null,
    // A seed that never passed can be healed only by a rung that needs no history: then the ladder takes it at start.
    failingSeed: e.FAILING_SEED ?? (ladder.includes('search') || (ladder.includes('llm') && e.LLM_BASE_URL && e.LLM_MODEL) ? 'heal' : 'refuse'),
    evolve: Object.freeze({
      ...EVOLVE_DEFAULTS,
      generations: e.EVOLVE_GENERATIONS,
      population: e.EVOLVE_POPULATION,
      timeBudgetMs: e.EVOLVE_TIME_BUDGET_MS,
      margin: e.EVOLVE_MARGIN,
      llmCallsPerHour: e.EVOLVE_LLM_CALLS_PER_HOUR,
      fitness: e.EVOLVE_FITNESS,
    }),
    events: Object.freeze({
      retention: e.EVENTS_RETENTION,
      heartbeatMs: e.EVENTS_HEARTBEAT_MS,
      clientBufferBytes: e.EVENTS_CLIENT_BUFFER_BYTES,
      maxStreamsPerClient: e.EVENTS_MAX_STREAMS_PER_CLIENT,
    }),
    alerts: Object.freeze({
      webhooks: splitList(e.ALERT_WEBHOOK_URLS ?? ''),
      secret: e.ALERT_WEBHOOK_SECRET ?? null,
      onHeal: e.ALERT_ON_HEAL,
      reminderMs: Math.round(e.ALERT_REMINDER_MINUTES * 60_000),
      timeoutMs: e.ALERT_TIMEOUT_MS,
      maxAttempts: e.ALERT_MAX_ATTEMPTS,
      retryInitialMs: e.ALERT_RETRY_INITIAL_MS,
      outboxMax: e.ALERT_OUTBOX_MAX,
    }),
    dashboardUrl: e.DASHBOARD_URL ?? null,
    auditRetention: e.AUDIT_RETENTION,
    ...overrides,
  });
}

/**
 * ALLOWED_HOSTS, or by default: localhost, the listen address when it is a name, and the public domain Railway
 * gives the service (RAILWAY_PUBLIC_DOMAIN). IP addresses are always accepted (see http/origin.ts).
 */
function allowedHosts(list: string | undefined, host: string, railwayDomain: string | undefined): readonly string[] | '*' {
  if (list?.trim() === '*') return '*';
  const names = list ? list.split(',') : ['localhost', host, ...(railwayDomain ? [railwayDomain] : [])];
  return [...new Set(names.map((n) => n.trim().toLowerCase()).filter(Boolean))];
}

const NOT_ECHOED = new Set(['ALERT_WEBHOOK_URLS', 'ALERT_WEBHOOK_SECRET']);

/** Parses the variables `schema` knows; a wrong value throws a ConfigError naming each variable and what it must be. */
function parseEnv<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv): z.output<S> {
  // An empty variable means "unset": `PORT= pnpm start` should not be an error.
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = schema.safeParse(present);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((i) => {
        const name = String(i.path[0]);
        // Webhook URLs carry secrets (Slack's path is one): the message says what is wrong without repeating them.
        const shown = NOT_ECHOED.has(name) ? '(value not shown)' : JSON.stringify(present[name]);
        return `${i.path.join('.')}=${shown}: ${i.message}`;
      }),
    );
  }
  return parsed.data;
}

/** [sandbox] Only the sandbox's variables (benchmarks and tests that detect a sandbox without a whole config). */
export function sandboxSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): SandboxSettings {
  return sandboxSettings(parseEnv(SandboxEnvSchema, env));
}

function sandboxSettings(e: z.output<typeof SandboxEnvSchema>): SandboxSettings {
  const [uid, gid] = e.SANDBOX_UID ? e.SANDBOX_UID.split(':').map(Number) : [];
  return defaultSandboxSettings({
    enabled: !['off', 'false', '0'].includes(e.SANDBOX),
    disabled: new Set(layerNames(e.SANDBOX_DISABLE ?? '') as OptionalLayer[]),
    ...(e.ORGANISM_NODE ? { nodePath: e.ORGANISM_NODE } : {}),
    ...(uid ? { uid, gid: gid ?? uid } : {}),
  });
}

function splitList(list: string): string[] {
  return list.split(',').map((s) => s.trim()).filter(Boolean);
}

/** Why an entry of ALERT_WEBHOOK_URLS cannot be posted to; it names the host only (the path may be a secret). */
function webhookUrlProblem(text: string): string | null {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return `an entry (${text.length} characters, starting "${text.slice(0, 8)}") is not a URL; separate URLs with commas`;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return `the URL to ${url.host || 'an unnamed host'} must start with https:// or http://`;
  return null;
}

function layerNames(list: string): string[] {
  return list.split(',').map((s) => s.trim()).filter(Boolean);
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
