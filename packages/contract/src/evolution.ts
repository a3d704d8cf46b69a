/** Evolution: a run's settings and progress, and the view of an organism's evolution with its best lineage. */
import { z } from 'zod';
import { LlmSpendSchema } from './llm.ts';
import { CANDIDATE_OUTCOMES, CANDIDATE_STAGES, EVOLUTION_RUN_STATES, EVOLUTION_SOURCES } from './domain.ts';
import { FitnessSchema } from './genomes.ts';
import { CauseSchema } from './vitals.ts';
import { count, isoTime } from './wire.ts';

export const EvolutionSourceSchema = z.enum(EVOLUTION_SOURCES);

export const EvolutionSettingsSchema = z.object({
  generations: z.number().int(),
  population: z.number().int(),
  timeBudgetMs: z.number().int(),
  margin: z.number(),
  sources: z.array(EvolutionSourceSchema),
  seed: z.number().int(),
});

export const EvolutionRunSchema = z.object({
  id: z.string(),
  organism: z.string(),
  state: z.enum(EVOLUTION_RUN_STATES),
  startedAt: isoTime,
  finishedAt: isoTime.nullable(),
  endReason: z.string().nullable(),
  settings: EvolutionSettingsSchema,
  generation: count.describe('generations completed'),
  candidatesTried: count,
  accepted: count,
  refused: count,
  baseline: FitnessSchema.nullable().describe("the live genome's fitness when the run started"),
  best: z.object({ genomeId: z.string().nullable(), fitness: FitnessSchema.nullable() }),
  bestOverTime: z.array(
    z.object({
      generation: count,
      at: isoTime,
      tried: count,
      liveMs: z.number().describe("the live genome's (the champion's) time"),
      bestMs: z.number().describe('the fastest candidate that passed the gate so far, first measurement'),
    }),
  ),
  candidates: z
    .array(
      z.object({
        n: z.number().int(),
        generation: z.number().int(),
        source: EvolutionSourceSchema,
        summary: z.string(),
        operator: z.string().nullable(),
        outcome: z.enum(CANDIDATE_OUTCOMES),
        stage: z.enum(CANDIDATE_STAGES),
        reason: z.string(),
        timeMs: z.number().nullable(),
        codeSize: z.number().int().nullable(),
        genomeId: z.string().nullable(),
      }),
    )
    .describe('the newest 100 candidates, oldest first'),
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
  healthy: z.boolean().describe('passed a run: a generation that held (the dashboard collapses the ones that failed)'),
  fitness: FitnessSchema.nullable(),
});

export const EvolutionViewSchema = z.object({
  organism: z.string(),
  available: z.boolean(),
  unavailable: z.string().nullable(),
  running: z.boolean(),
  sources: z.array(EvolutionSourceSchema),
  defaults: z.object({ generations: z.number().int(), population: z.number().int(), timeBudgetMs: z.number().int(), margin: z.number() }),
  run: EvolutionRunSchema.nullable().describe('the current run, or the last one'),
  live: z.object({ genomeId: z.string(), generation: z.number().int(), fitness: FitnessSchema.nullable() }),
  lineage: z.array(LineageEntrySchema).describe("the best genome's ancestry, newest first; GET /genomes/:id has each one's diff"),
  lineageTruncated: z.boolean(),
  runLlmSpend: LlmSpendSchema.nullable().optional().describe("what the run's LLM calls cost; null without an LLM or a run"),
});

export const EvolveResultSchema = z.object({ organism: z.string(), run: EvolutionRunSchema });

export type EvolutionSettings = z.infer<typeof EvolutionSettingsSchema>;
export type EvolutionRun = z.infer<typeof EvolutionRunSchema>;
export type LineageEntry = z.infer<typeof LineageEntrySchema>;
export type EvolutionView = z.infer<typeof EvolutionViewSchema>;
export type EvolveResult = z.infer<typeof EvolveResultSchema>;
