import { z } from 'zod';
import { CAUSES, LOG_LEVELS, LOG_SOURCES, STATES, VERDICTS, VERIFICATION_STATES } from '../domain.js';

/** Response and request schemas shared by several routes; each route file owns the rest. */

export const ErrorBody = z
  .object({
    statusCode: z.number().int(),
    code: z.string(),
    message: z.string(),
  })
  .describe('Every error has this shape: a stable code to branch on and a message a person can act on.');

export const Verdict = z.enum(VERDICTS);
export const Cause = z.enum(CAUSES);

export const Run = z.object({
  id: z.number().int().describe('unique across organisms; `since` takes it'),
  number: z.number().int().describe("the run's number among its organism's runs: 1, 2, 3... (stats.totalRuns after it)"),
  generation: z.number().int(),
  genomeId: z.string(),
  seed: z.number().int().describe('The seed the input was generated from; the same seed gives the same input.'),
  startedAt: z.string(),
  durationMs: z.number(),
  exitCode: z.number().int().nullable(),
  signal: z.string().nullable(),
  verdict: Verdict,
  error: z.string().nullable(),
  suiteCase: z
    .string()
    .nullable()
    .describe('the verification case this run was (a suite failure, or a failing case judged again); null for a routine run on a random input'),
});

/** The case of the suite a genome failed on. */
export const SuiteFailure = z.object({
  case: z.string().describe('e.g. "edge: two elements, reversed", "property #3 (seed 123)", "counterexample #2"'),
  kind: z.string().describe('regression, edge, property, or failing (a routine run\'s input)'),
  hash: z.string(),
  seed: z.number().int(),
  verdict: z.string(),
  error: z.string().nullable(),
  input: z.unknown().describe('the input itself; null when over 2,000 characters of JSON (the case and seed make it again)'),
  size: z.number().int().describe('characters of JSON'),
});

/** An input that exposed a bug its genome's suite missed, shrunk: part of every later verification. */
export const Counterexample = z.object({
  id: z.number().int(),
  inputHash: z.string(),
  input: z.unknown().describe('the shrunk input: the one every verification runs'),
  original: z.unknown().describe('the input of the run that exposed it'),
  originalSize: z.number().int().describe('characters of JSON'),
  shrunkSize: z.number().int(),
  shrinkRuns: z.number().int().describe('sandboxed runs spent shrinking it'),
  genomeId: z.string().describe('the verified genome it demoted'),
  verdict: Verdict,
  error: z.string().nullable(),
  createdAt: z.string(),
});

export const SuiteShape = z.object({
  fingerprint: z.string().describe('changes whenever an input is added: outcomes are remembered per source and fingerprint'),
  size: z.number().int(),
  regression: z.number().int(),
  edge: z.number().int(),
  property: z.number().int(),
});

export const Stats = z.object({
  totalRuns: z.number().int(),
  successes: z.number().int(),
  failures: z.number().int(),
  byVerdict: z.record(Verdict, z.number().int()),
  successRate: z.number().nullable().describe('0..1; null before the first run'),
  lastMs: z.number().nullable(),
  avgMs: z.number().nullable(),
  p95Ms: z.number().nullable().describe('over the last 1000 runs'),
});

/** From the first failing run to the next passing one. */
export const Incident = z.object({
  generation: z.number().int(),
  verdict: Verdict,
  detectedAt: z.string(),
  healedAt: z.string().nullable(),
  timeToHealMs: z.number().nullable().describe('from the failing run to the next passing one'),
  failingInput: z
    .object({ case: z.string(), size: z.number().int(), input: z.unknown() })
    .nullable()
    .describe('the smallest input known to fail: a demotion\'s shrunk counterexample, else the failing case (input null when over 2,000 characters)'),
});

export const Status = z.object({
  organism: z.string(),
  state: z.enum(STATES),
  generation: z.number().int(),
  genomeId: z.string(),
  lastRun: Run.nullable(),
  stats: Stats,
  uptimeS: z.number().describe("seconds since the server started (the server's uptime, not the organism's)"),
  generationSince: z.string().describe('when the live genome became live: how long this generation has lived'),
  lastError: z
    .object({ verdict: Verdict, error: z.string(), at: z.string(), generation: z.number().int() })
    .nullable(),
  lastMutation: z
    .object({ generation: z.number().int(), genomeId: z.string(), cause: Cause, at: z.string(), summary: z.string() })
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
    .object({ reason: z.string(), since: z.string(), nextProbeMs: z.number() })
    .nullable()
    .describe('set when the ladder gave up: the live genome is probed with a growing delay'),
  crashLoop: z.boolean().describe('several failures within the crash-loop window'),
  lastIncident: Incident.nullable(),
  verification: z
    .object({
      state: z.enum(VERIFICATION_STATES),
      suite: SuiteShape,
      timeMs: z.number().nullable().describe('how long the live genome\'s own verification took'),
      failure: SuiteFailure.nullable(),
    })
    .describe('the live genome against its organism\'s verification suite'),
});

export const LogEntry = z.object({
  seq: z.number().int(),
  time: z.string(),
  level: z.enum(LOG_LEVELS),
  source: z.enum(LOG_SOURCES),
  text: z.string(),
});

/** A genome's fitness (evolution): the gate on the benchmark, then speed, then code size. */
export const Fitness = z
  .discriminatedUnion('gate', [
    z.object({
      gate: z.literal('passed'),
      timeMs: z.number().describe('sum over the timed inputs of the median CPU time (user + system) of a run'),
      codeSize: z.number().int().describe('syntax tokens: the tie-breaker'),
      repeats: z.number().int(),
      inputs: z.array(z.object({ name: z.string(), medianMs: z.number(), samplesMs: z.array(z.number()) })),
      gateInputs: z.number().int().describe('benchmark inputs the oracle accepted'),
      benchmark: z.string().describe('fingerprint of the benchmark'),
      measuredAt: z.string(),
      reusedFrom: z.string().nullable().optional().describe('the genome with the same source whose measurement this is'),
    }),
    z.object({
      gate: z.literal('failed'),
      reason: z.string(),
      input: z.string().nullable(),
      verdict: Verdict.nullable(),
      codeSize: z.number().int(),
      benchmark: z.string(),
      measuredAt: z.string(),
      reusedFrom: z.string().nullable().optional(),
    }),
  ])
  .describe('A genome that fails the gate has no fitness: only the reason.');

export const GenomeSummary = z.object({
  id: z.string(),
  generation: z.number().int(),
  parentId: z.string().nullable(),
  cause: Cause,
  createdAt: z.string(),
  summary: z.string(),
  live: z.boolean(),
  healthy: z.boolean().describe('passed its verification suite and was not demoted since: a heal baseline and a rollback target'),
  verified: z
    .union([z.boolean(), z.literal('pending')])
    .describe('true: passed its verification suite; false: failed it, failed a run before it, or was demoted; pending: not judged yet'),
  verification: z.object({
    state: z.enum(VERIFICATION_STATES),
    suite: z.string().nullable().describe('fingerprint of the suite it was judged against'),
    suiteSize: z.number().int().nullable(),
    timeMs: z.number().nullable(),
    runs: z.number().int().nullable().describe('sandboxed runs it took (0 when the outcome was remembered for the same source)'),
    verifiedAt: z.string().nullable(),
    failure: SuiteFailure.nullable().describe('the case it failed on'),
    counterexample: Counterexample.nullable().describe('the counterexample that demoted it, shrunk'),
  }),
  runs: z.object({ total: z.number().int(), ok: z.number().int(), failed: z.number().int() }),
  lastVerdict: Verdict.nullable(),
  fitness: Fitness.nullable().describe('null until measured (every genome that becomes live is, in the background)'),
});

export const GenomeDetail = GenomeSummary.extend({
  source: z.string(),
  diff: z.string().describe('unified diff against the parent; empty for genome 0'),
  detail: z.record(z.string(), z.unknown()),
});

/** Query integers arrive as strings; coerce them, but refuse what is not a plain whole number. */
export const queryInt = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().int().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`));
