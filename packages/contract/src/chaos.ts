import { z } from 'zod';

export const ChaosTypeSchema = z.object({
  type: z.string().min(1),
  description: z.string(),
});

export const ChaosTypesResponseSchema = z.object({
  types: z.array(ChaosTypeSchema),
});

export const ChaosResultSchema = z.object({
  message: z.string().describe('what was done, in words (original clients read it)'),
  chaos_type: z.string(),
  line: z.number().int(),
  before: z.string(),
  after: z.string(),
  description: z.string(),
  expect: z.array(z.string()).describe('the verdicts this corruption is meant to produce'),
  seed: z.number().int(),
  generation: z.number().int(),
  genomeId: z.string(),
});

export type ChaosType = z.infer<typeof ChaosTypeSchema>;
export type ChaosTypesResponse = z.infer<typeof ChaosTypesResponseSchema>;
export type ChaosResult = z.infer<typeof ChaosResultSchema>;
