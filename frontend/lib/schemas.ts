/**
 * The backend's REST contract, typed once with zod. Every response the dashboard reads goes
 * through one of these schemas, so a backend change that breaks the contract fails loudly
 * (in the contract tests and, at run time, as a visible error) instead of rendering garbage.
 * Unknown extra fields are stripped, not rejected: adding a field is not a breaking change.
 */
import { z } from 'zod';

export const VERDICTS = ['ok', 'crashed', 'hung', 'wrong', 'slow', 'oom'] as const;
export const CAUSES = ['seed', 'chaos', 'heal', 'rollback', 'external', 'evolve', 'manual'] as const;
/** The states this dashboard has a colour for (ui/badges.tsx); it shows any other by its name. */
export const STATES = ['healthy', 'verifying', 'sick', 'healing', 'backoff', 'quarantined', 'paused'] as const;
export const VERIFICATION_STATES = ['pending', 'passed', 'failed'] as const;
export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export const LOG_SOURCES = ['organism', 'watcher', 'chaos', 'healer'] as const;

const isoTime = z
  .string()
  .refine((s) => !Number.isNaN(Date.parse(s)), { message: 'expected an ISO date-time string' });
const count = z.number().int().nonnegative();

export const VerdictSchema = z.enum(VERDICTS);
export const CauseSchema = z.enum(CAUSES);
/** Any state the backend names: a newer backend's state is shown by name rather than refused as a broken contract. */
export const StateSchema = z.string().min(1);
export const LogLevelSchema = z.enum(LOG_LEVELS);
export const LogSourceSchema = z.enum(LOG_SOURCES);

export const RunSchema = z.object({
  id: z.number().int(),
  /** The run's number among its organism's runs (ids are shared by every organism); optional for older backends. */
  number: z.number().int().positive().optional(),
  generation: z.number().int(),
  genomeId: z.string(),
  seed: z.number(),
  startedAt: isoTime,
  durationMs: z.number().nonnegative(),
  exitCode: z.number().int().nullable(),
  signal: z.string().nullable(),
  verdict: VerdictSchema,
  error: z.string().nullable(),
  /** The verification case this run was; null (or absent, on older backends) for a routine run. */
  suiteCase: z.string().nullable().optional(),
});

/** The case of the verification suite a genome failed on. */
export const SuiteFailureSchema = z.object({
  case: z.string(),
  kind: z.string(),
  seed: z.number().int(),
  verdict: z.string(),
  error: z.string().nullable(),
  /** Null when too large to carry. */
  input: z.unknown(),
  size: z.number().int(),
});

/** An input that exposed a bug its genome's suite missed, shrunk: part of every later verification. */
export const CounterexampleSchema = z.object({
  id: z.number().int(),
  input: z.unknown(),
  originalSize: count,
  shrunkSize: count,
  shrinkRuns: count,
  genomeId: z.string(),
  verdict: VerdictSchema,
  error: z.string().nullable(),
  createdAt: isoTime,
});

export const SuiteShapeSchema = z.object({
  fingerprint: z.string(),
  size: count,
  regression: count,
  edge: count,
  property: count,
});

export const CounterexamplesResponseSchema = z.object({
  organism: z.string(),
  counterexamples: z.array(CounterexampleSchema),
  count: count,
  suite: SuiteShapeSchema,
});

export const StatsSchema = z.object({
  totalRuns: count,
  successes: count,
  failures: count,
  byVerdict: z.object({
    ok: count,
    crashed: count,
    hung: count,
    wrong: count,
    slow: count,
    oom: count,
  }),
  successRate: z.number().min(0).max(1).nullable(),
  lastMs: z.number().nonnegative().nullable(),
  avgMs: z.number().nonnegative().nullable(),
  p95Ms: z.number().nonnegative().nullable(),
});

export const StatusSchema = z.object({
  organism: z.string(),
  state: StateSchema,
  generation: z.number().int(),
  genomeId: z.string(),
  lastRun: RunSchema.nullable(),
  stats: StatsSchema,
  /** The server's uptime. */
  uptimeS: z.number().nonnegative(),
  /** When the live genome became live (optional for older backends). */
  generationSince: isoTime.optional(),
  lastError: z
    .object({
      verdict: VerdictSchema,
      error: z.string(),
      at: isoTime,
      generation: z.number().int(),
    })
    .nullable(),
  lastMutation: z
    .object({
      generation: z.number().int(),
      genomeId: z.string(),
      cause: CauseSchema,
      at: isoTime,
      summary: z.string(),
    })
    .nullable(),
  /** Not in the first contract; the real backend sends it. Optional so older backends still parse. */
  healing: z
    .object({
      inProgress: z.boolean(),
      cannotHeal: z.string().nullable(),
    })
    .optional(),
  /** Set while a possibly transient failure (hang, signal) waits to be retried. */
  backoff: z.object({ delayMs: z.number(), attempt: z.number().int(), reason: z.string() }).nullable().optional(),
  /** Set when the repair ladder gave up: the genome is probed with a growing delay. */
  quarantine: z.object({ reason: z.string(), since: isoTime, nextProbeMs: z.number() }).nullable().optional(),
  lastIncident: z
    .object({
      generation: z.number().int(),
      verdict: VerdictSchema,
      detectedAt: isoTime,
      healedAt: isoTime.nullable(),
      timeToHealMs: z.number().nullable(),
      /** The smallest input known to fail (a demotion's shrunk counterexample, else the failing case). */
      failingInput: z.object({ case: z.string(), size: z.number().int(), input: z.unknown() }).nullable().optional(),
    })
    .nullable()
    .optional(),
  /** The live genome against its organism's verification suite (optional for older backends). */
  verification: z
    .object({
      state: z.enum(VERIFICATION_STATES),
      suite: SuiteShapeSchema,
      timeMs: z.number().nullable(),
      failure: SuiteFailureSchema.nullable(),
    })
    .optional(),
});

export const OrganismSummarySchema = z.object({
  name: z.string(),
  description: z.string(),
  default: z.boolean(),
  state: StateSchema,
  generation: z.number().int(),
  genomeId: z.string(),
  totalRuns: z.number().int(),
  successRate: z.number().nullable(),
  lastVerdict: VerdictSchema.nullable(),
});
export type OrganismSummary = z.infer<typeof OrganismSummarySchema>;

export const OrganismsResponseSchema = z.object({
  organisms: z.array(OrganismSummarySchema),
  count: z.number().int(),
});
export type OrganismsResponse = z.infer<typeof OrganismsResponseSchema>;

export const RunsResponseSchema = z.object({
  runs: z.array(RunSchema),
  count: count,
});

export const LogEntrySchema = z.object({
  seq: z.number().int(),
  time: isoTime,
  level: LogLevelSchema,
  source: LogSourceSchema,
  text: z.string(),
});

export const LogsResponseSchema = z.object({
  entries: z.array(LogEntrySchema),
  count: count,
  lastSeq: z.number().int(),
});

export const ChaosTypeSchema = z.object({
  type: z.string().min(1),
  description: z.string(),
});

export const ChaosTypesResponseSchema = z.object({
  types: z.array(ChaosTypeSchema),
});

export const ChaosResultSchema = z.object({
  chaos_type: z.string(),
  line: z.number().int(),
  before: z.string(),
  after: z.string(),
  description: z.string(),
  generation: z.number().int(),
  genomeId: z.string(),
  /** The verdicts this corruption is meant to produce (real backend; optional). */
  expect: z.array(z.string()).optional(),
});

/** A genome's fitness (evolution): the gate on the benchmark, then speed, then code size in tokens. */
export const FitnessSchema = z.discriminatedUnion('gate', [
  z.object({
    gate: z.literal('passed'),
    timeMs: z.number().nonnegative(),
    codeSize: z.number().int().nonnegative(),
    repeats: z.number().int(),
    inputs: z.array(z.object({ name: z.string(), medianMs: z.number(), samplesMs: z.array(z.number()) })),
    gateInputs: z.number().int(),
    benchmark: z.string(),
    measuredAt: isoTime,
    reusedFrom: z.string().nullable().optional(),
  }),
  z.object({
    gate: z.literal('failed'),
    reason: z.string(),
    input: z.string().nullable().optional(),
    verdict: VerdictSchema.nullable().optional(),
    codeSize: z.number().int().optional(),
    benchmark: z.string().optional(),
    measuredAt: isoTime.optional(),
    reusedFrom: z.string().nullable().optional(),
  }),
]);

export const GenomeSummarySchema = z.object({
  id: z.string(),
  generation: z.number().int(),
  parentId: z.string().nullable(),
  cause: CauseSchema,
  createdAt: isoTime,
  summary: z.string(),
  live: z.boolean(),
  healthy: z.boolean(),
  /** true: passed its verification suite; false: failed it, failed a run, or was demoted; pending: not judged yet. */
  verified: z.union([z.boolean(), z.literal('pending')]).optional(),
  verification: z
    .object({
      state: z.enum(VERIFICATION_STATES),
      suiteSize: z.number().int().nullable(),
      timeMs: z.number().nullable(),
      runs: z.number().int().nullable(),
      verifiedAt: isoTime.nullable(),
      failure: SuiteFailureSchema.nullable(),
      counterexample: CounterexampleSchema.nullable(),
    })
    .optional(),
  runs: z.object({ total: count, ok: count, failed: count }),
  lastVerdict: VerdictSchema.nullable(),
  /** Null until measured; optional so that a backend without evolution still parses. */
  fitness: FitnessSchema.nullable().optional(),
});

export const GenomesResponseSchema = z.object({
  genomes: z.array(GenomeSummarySchema),
  count: count,
  total: count,
});

export const GenomeDetailSchema = GenomeSummarySchema.extend({
  source: z.string(),
  diff: z.string(),
});

export const RollbackResultSchema = z.object({
  generation: z.number().int(),
  genomeId: z.string(),
  rolledBackTo: z.string(),
});

export const EVOLUTION_SOURCES = ['llm', 'operators'] as const;
export const EvolutionSourceSchema = z.enum(EVOLUTION_SOURCES);

export const EvolutionRunSchema = z.object({
  id: z.string(),
  organism: z.string(),
  state: z.enum(['running', 'finished', 'cancelled', 'failed']),
  startedAt: isoTime,
  finishedAt: isoTime.nullable(),
  endReason: z.string().nullable(),
  settings: z.object({
    generations: z.number().int(),
    population: z.number().int(),
    timeBudgetMs: z.number(),
    margin: z.number(),
    sources: z.array(EvolutionSourceSchema),
    seed: z.number(),
  }),
  generation: count,
  candidatesTried: count,
  accepted: count,
  refused: count,
  baseline: FitnessSchema.nullable(),
  best: z.object({ genomeId: z.string().nullable(), fitness: FitnessSchema.nullable() }),
  bestOverTime: z.array(
    z.object({ generation: count, at: isoTime, tried: count, liveMs: z.number(), bestMs: z.number() }),
  ),
  candidates: z.array(
    z.object({
      n: z.number().int(),
      generation: z.number().int(),
      source: EvolutionSourceSchema,
      summary: z.string(),
      operator: z.string().nullable(),
      outcome: z.enum(['accepted', 'refused', 'screened']),
      stage: z.string(),
      reason: z.string(),
      timeMs: z.number().nullable(),
      codeSize: z.number().nullable(),
      genomeId: z.string().nullable(),
    }),
  ),
  promotions: z.array(
    z.object({
      genomeId: z.string(),
      generation: z.number().int(),
      at: isoTime,
      source: EvolutionSourceSchema,
      timeMs: z.number(),
      parentTimeMs: z.number(),
      speedup: z.number(),
      byInput: z.array(z.object({ name: z.string(), parentMs: z.number(), candidateMs: z.number(), speedup: z.number() })),
    }),
  ),
});

export const LineageEntrySchema = z.object({
  id: z.string(),
  generation: z.number().int(),
  parentId: z.string().nullable(),
  cause: CauseSchema,
  summary: z.string(),
  createdAt: isoTime,
  live: z.boolean(),
  /** Passed a run; optional for older backends (then nothing is collapsed). */
  healthy: z.boolean().optional(),
  fitness: FitnessSchema.nullable(),
});

export const EvolutionViewSchema = z.object({
  organism: z.string(),
  available: z.boolean(),
  unavailable: z.string().nullable(),
  running: z.boolean(),
  sources: z.array(EvolutionSourceSchema),
  defaults: z.object({ generations: z.number().int(), population: z.number().int(), timeBudgetMs: z.number(), margin: z.number() }),
  run: EvolutionRunSchema.nullable(),
  live: z.object({ genomeId: z.string(), generation: z.number().int(), fitness: FitnessSchema.nullable() }),
  lineage: z.array(LineageEntrySchema),
  lineageTruncated: z.boolean(),
});

export const EvolveResultSchema = z.object({ organism: z.string(), run: EvolutionRunSchema });

export const ApiErrorBodySchema = z.object({
  statusCode: z.number().int(),
  code: z.string(),
  message: z.string(),
});

export type Verdict = z.infer<typeof VerdictSchema>;
export type Cause = z.infer<typeof CauseSchema>;
export type OrganismState = z.infer<typeof StateSchema>;
export type KnownState = (typeof STATES)[number];
export type LogLevel = z.infer<typeof LogLevelSchema>;
export type LogSource = z.infer<typeof LogSourceSchema>;
export type Run = z.infer<typeof RunSchema>;
export type Stats = z.infer<typeof StatsSchema>;
export type Status = z.infer<typeof StatusSchema>;
export type RunsResponse = z.infer<typeof RunsResponseSchema>;
export type LogEntry = z.infer<typeof LogEntrySchema>;
export type LogsResponse = z.infer<typeof LogsResponseSchema>;
export type ChaosType = z.infer<typeof ChaosTypeSchema>;
export type ChaosTypesResponse = z.infer<typeof ChaosTypesResponseSchema>;
export type ChaosResult = z.infer<typeof ChaosResultSchema>;
export type GenomeSummary = z.infer<typeof GenomeSummarySchema>;
export type GenomesResponse = z.infer<typeof GenomesResponseSchema>;
export type GenomeDetail = z.infer<typeof GenomeDetailSchema>;
export type RollbackResult = z.infer<typeof RollbackResultSchema>;
export type ApiErrorBody = z.infer<typeof ApiErrorBodySchema>;
export type Fitness = z.infer<typeof FitnessSchema>;
export type SuiteFailure = z.infer<typeof SuiteFailureSchema>;
export type Counterexample = z.infer<typeof CounterexampleSchema>;
export type CounterexamplesResponse = z.infer<typeof CounterexamplesResponseSchema>;
export type EvolutionSource = z.infer<typeof EvolutionSourceSchema>;
export type EvolutionRun = z.infer<typeof EvolutionRunSchema>;
export type LineageEntry = z.infer<typeof LineageEntrySchema>;
export type EvolutionView = z.infer<typeof EvolutionViewSchema>;
export type EvolveResult = z.infer<typeof EvolveResultSchema>;
