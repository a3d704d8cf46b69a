/** What an organism is doing: its runs, their statistics, its status and its log. */
import { z } from 'zod';
import { LlmBillSchema } from './llm.ts';
import { CAUSES, HEAL_MODES, LOG_LEVELS, LOG_SOURCES, STATES, VERDICTS, VERIFICATION_STATES } from './domain.ts';
import { count, isoTime } from './wire.ts';

export const VerdictSchema = z.enum(VERDICTS);
export const CauseSchema = z.enum(CAUSES);
export const StateSchema = z.enum(STATES);
export const LogLevelSchema = z.enum(LOG_LEVELS);
export const LogSourceSchema = z.enum(LOG_SOURCES);

export const RunSchema = z.object({
  id: z.number().int().describe('unique across organisms; `since` takes it'),
  number: z.number().int().positive().describe("the run's number among its organism's runs: 1, 2, 3... (stats.totalRuns after it)"),
  generation: z.number().int(),
  genomeId: z.string(),
  seed: z.number().int().describe('The seed the input was generated from; the same seed gives the same input.'),
  startedAt: isoTime,
  durationMs: z.number().nonnegative(),
  exitCode: z.number().int().nullable(),
  signal: z.string().nullable(),
  verdict: VerdictSchema,
  error: z.string().nullable(),
  suiteCase: z
    .string()
    .nullable()
    .describe('the verification case this run was (a suite failure, or a failing case judged again); null for a routine run on a random input'),
});

/** The case of the suite a genome failed on. */
export const SuiteFailureSchema = z.object({
  case: z.string().describe('e.g. "edge: two elements, reversed", "property #3 (seed 123)", "counterexample #2"'),
  kind: z.string().describe("regression, edge, property, or failing (a routine run's input)"),
  hash: z.string(),
  seed: z.number().int(),
  verdict: z.string(),
  error: z.string().nullable(),
  input: z.unknown().describe('the input itself; null when over 2,000 characters of JSON (the case and seed make it again)'),
  size: z.number().int().describe('characters of JSON'),
});

export const SuiteShapeSchema = z.object({
  fingerprint: z.string().describe('changes whenever an input is added: outcomes are remembered per source and fingerprint'),
  size: count,
  regression: count,
  edge: count,
  property: count,
});

export const StatsSchema = z.object({
  totalRuns: count,
  successes: count,
  failures: count,
  byVerdict: z.record(VerdictSchema, count),
  successRate: z.number().min(0).max(1).nullable().describe('0..1; null before the first run'),
  lastMs: z.number().nonnegative().nullable(),
  avgMs: z.number().nonnegative().nullable(),
  p95Ms: z.number().nonnegative().nullable().describe('over the last 1000 runs'),
});

/** From the first failing run to the next passing one. */
export const IncidentSchema = z.object({
  generation: z.number().int(),
  verdict: VerdictSchema,
  detectedAt: isoTime,
  healedAt: isoTime.nullable(),
  timeToHealMs: z.number().nullable().describe('from the failing run to the next passing one'),
  failingInput: z
    .object({ case: z.string(), size: z.number().int(), input: z.unknown() })
    .nullable()
    .describe("the smallest input known to fail: a demotion's shrunk counterexample, else the failing case (input null when over 2,000 characters)"),
});

export const StatusSchema = z.object({
  organism: z.string(),
  state: StateSchema,
  generation: z.number().int(),
  genomeId: z.string(),
  lastRun: RunSchema.nullable(),
  stats: StatsSchema,
  uptimeS: z.number().nonnegative().describe("seconds since the server started (the server's uptime, not the organism's)"),
  generationSince: isoTime.describe('when the live genome became live: how long this generation has lived'),
  lastError: z.object({ verdict: VerdictSchema, error: z.string(), at: isoTime, generation: z.number().int() }).nullable(),
  lastMutation: z
    .object({ generation: z.number().int(), genomeId: z.string(), cause: CauseSchema, at: isoTime, summary: z.string() })
    .nullable(),
  healing: z.object({
    inProgress: z.boolean(),
    cannotHeal: z.string().nullable().describe('why the ladder gave up on the live genome, if it did'),
    ladder: z.array(z.string()).describe('the repair strategies, in the order they are tried'),
    unavailable: z.array(z.string()).describe('strategies configured but unavailable, and why'),
  }),
  backoff: z
    .object({ delayMs: z.number(), attempt: z.number().int(), reason: z.string() })
    .nullable()
    .describe('set while a possibly transient failure (hang, signal) waits to be retried'),
  quarantine: z
    .object({ reason: z.string(), since: isoTime, nextProbeMs: z.number() })
    .nullable()
    .describe('set when the ladder gave up: the live genome is probed with a growing delay'),
  crashLoop: z.boolean().describe('several failures within the crash-loop window'),
  healMode: z.enum(HEAL_MODES).describe('auto: verified repairs are promoted at once; propose: each waits for approval (GET /proposals)'),
  pendingProposals: count.describe("this organism's proposals waiting for a decision"),
  lastIncident: IncidentSchema.nullable(),
  verification: z
    .object({
      state: z.enum(VERIFICATION_STATES),
      suite: SuiteShapeSchema,
      timeMs: z.number().nullable().describe("how long the live genome's own verification took"),
      failure: SuiteFailureSchema.nullable(),
    })
    .describe("the live genome against its organism's verification suite"),
  llm: LlmBillSchema.nullable().optional().describe('what the LLM has cost; null when no LLM is configured'),
});

export const RunsResponseSchema = z.object({ runs: z.array(RunSchema), count });

export const LogEntrySchema = z.object({
  seq: z.number().int(),
  time: isoTime,
  level: LogLevelSchema,
  source: LogSourceSchema,
  text: z.string(),
});

export const LogsResponseSchema = z.object({
  entries: z.array(LogEntrySchema),
  count,
  lastSeq: z.number().int(),
});

export const OrganismSummarySchema = z.object({
  name: z.string(),
  description: z.string(),
  default: z.boolean().describe('the organism the routes without /organisms/:name answer for'),
  state: StateSchema,
  generation: z.number().int(),
  genomeId: z.string(),
  totalRuns: count,
  successRate: z.number().min(0).max(1).nullable(),
  lastVerdict: VerdictSchema.nullable(),
});

export const OrganismsResponseSchema = z.object({ organisms: z.array(OrganismSummarySchema), count });

export type Run = z.infer<typeof RunSchema>;
export type SuiteFailure = z.infer<typeof SuiteFailureSchema>;
export type SuiteShape = z.infer<typeof SuiteShapeSchema>;
export type Stats = z.infer<typeof StatsSchema>;
export type Status = z.infer<typeof StatusSchema>;
export type RunsResponse = z.infer<typeof RunsResponseSchema>;
export type LogEntry = z.infer<typeof LogEntrySchema>;
export type LogsResponse = z.infer<typeof LogsResponseSchema>;
export type OrganismSummary = z.infer<typeof OrganismSummarySchema>;
export type OrganismsResponse = z.infer<typeof OrganismsResponseSchema>;
