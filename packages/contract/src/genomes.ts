/** An organism's genomes: history, verification record, immune memory and fitness. */
import { z } from 'zod';
import { VERIFICATION_STATES } from './domain.ts';
import { CauseSchema, SuiteFailureSchema, SuiteShapeSchema, VerdictSchema } from './vitals.ts';
import { count, isoTime } from './wire.ts';

/** An input that exposed a bug its genome's suite missed, shrunk: part of every later verification. */
export const CounterexampleSchema = z.object({
  id: z.number().int(),
  inputHash: z.string(),
  input: z.unknown().describe('the shrunk input: the one every verification runs'),
  original: z.unknown().describe('the input of the run that exposed it'),
  originalSize: count.describe('characters of JSON'),
  shrunkSize: count,
  shrinkRuns: count.describe('sandboxed runs spent shrinking it'),
  genomeId: z.string().describe('the verified genome it demoted'),
  verdict: VerdictSchema,
  error: z.string().nullable(),
  createdAt: isoTime,
});

export const CounterexamplesResponseSchema = z.object({
  organism: z.string(),
  counterexamples: z.array(CounterexampleSchema),
  count,
  suite: SuiteShapeSchema,
});

/** A genome's fitness (evolution): the gate on the benchmark, then speed, then code size in tokens. */
export const FitnessSchema = z
  .discriminatedUnion('gate', [
    z.object({
      gate: z.literal('passed'),
      timeMs: z.number().nonnegative().describe('sum over the timed inputs of the median CPU time (user + system) of a run'),
      codeSize: count.describe('syntax tokens: the tie-breaker'),
      repeats: z.number().int(),
      inputs: z.array(z.object({ name: z.string(), medianMs: z.number(), samplesMs: z.array(z.number()) })),
      gateInputs: z.number().int().describe('benchmark inputs the oracle accepted'),
      benchmark: z.string().describe('fingerprint of the benchmark'),
      measuredAt: isoTime,
      reusedFrom: z.string().nullable().optional().describe('the genome with the same source whose measurement this is'),
    }),
    z.object({
      gate: z.literal('failed'),
      reason: z.string(),
      input: z.string().nullable(),
      verdict: VerdictSchema.nullable(),
      codeSize: z.number().int(),
      benchmark: z.string(),
      measuredAt: isoTime,
      reusedFrom: z.string().nullable().optional(),
    }),
  ])
  .describe('A genome that fails the gate has no fitness: only the reason.');

export const GenomeSummarySchema = z.object({
  id: z.string(),
  generation: z.number().int(),
  parentId: z.string().nullable(),
  cause: CauseSchema,
  createdAt: isoTime,
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
    verifiedAt: isoTime.nullable(),
    failure: SuiteFailureSchema.nullable().describe('the case it failed on'),
    counterexample: CounterexampleSchema.nullable().describe('the counterexample that demoted it, shrunk'),
  }),
  runs: z.object({ total: count, ok: count, failed: count }),
  lastVerdict: VerdictSchema.nullable(),
  fitness: FitnessSchema.nullable().describe('null until measured (every genome that becomes live is, in the background)'),
});

export const GenomesResponseSchema = z.object({
  genomes: z.array(GenomeSummarySchema),
  count,
  total: count,
});

export const GenomeDetailSchema = GenomeSummarySchema.extend({
  source: z.string(),
  diff: z.string().describe('unified diff against the parent; empty for genome 0'),
  detail: z.record(z.string(), z.unknown()),
});

export const RollbackResultSchema = z.object({
  generation: z.number().int(),
  genomeId: z.string(),
  rolledBackTo: z.string(),
});

export type Counterexample = z.infer<typeof CounterexampleSchema>;
export type CounterexamplesResponse = z.infer<typeof CounterexamplesResponseSchema>;
export type Fitness = z.infer<typeof FitnessSchema>;
export type GenomeSummary = z.infer<typeof GenomeSummarySchema>;
export type GenomesResponse = z.infer<typeof GenomesResponseSchema>;
export type GenomeDetail = z.infer<typeof GenomeDetailSchema>;
export type RollbackResult = z.infer<typeof RollbackResultSchema>;
