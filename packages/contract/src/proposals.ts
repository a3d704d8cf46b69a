/** Approval mode (HEAL_MODE=propose): code changes the machine found and verified, waiting for a person. */
import { z } from 'zod';
import { PROPOSAL_KINDS, PROPOSAL_STATUSES } from './domain.ts';
import { count, isoTime } from './wire.ts';

export const ProposalSchema = z.object({
  id: z.number().int().positive(),
  organism: z.string(),
  kind: z.enum(PROPOSAL_KINDS).describe('heal: a repair of the failing live genome; evolve: a faster genome found by evolution'),
  status: z.enum(PROPOSAL_STATUSES),
  strategy: z.string().describe('the rung of the repair ladder that found it (minimal-revert, rollback, search, llm), or evolution'),
  summary: z.string(),
  baseGenomeId: z.string().describe('the live genome it was made against: it can be approved only while that genome is live'),
  baseGeneration: z.number().int().nullable(),
  diff: z.string().describe('unified diff from the base genome to the proposed one'),
  failure: z
    .object({ verdict: z.string(), error: z.string().nullable(), case: z.string().nullable(), seed: z.number().int().nullable() })
    .nullable()
    .describe('the failing run the repair answers (null for evolution)'),
  verification: z
    .object({
      passed: z.boolean(),
      size: count,
      runs: count,
      timeMs: z.number().nonnegative(),
      reused: z.boolean().describe('remembered: the same source passed the same suite before (a rollback to known code), no runs needed'),
    })
    .nullable()
    .describe("the proposed genome's run of the whole verification suite"),
  createdAt: isoTime,
  decidedAt: isoTime.nullable(),
  decidedBy: z
    .object({ address: z.string(), tokenFingerprint: z.string().nullable().describe('sha-256 of the token, first 12 hex digits; never the token') })
    .nullable()
    .describe('null while pending, and when the server superseded it'),
  reason: z.string().nullable().describe('why it was superseded or rejected'),
  genomeId: z.string().nullable().describe('the genome its approval promoted'),
});

export const ProposalDetailSchema = ProposalSchema.extend({ source: z.string().describe('the proposed genome, whole') });

export const ProposalsResponseSchema = z.object({
  proposals: z.array(ProposalSchema),
  count,
  pending: count.describe('pending proposals in scope (every organism at the top level)'),
});

export const ProposalDecisionSchema = z.object({
  proposal: ProposalSchema,
  message: z.string(),
  genome: z.object({ id: z.string(), generation: z.number().int() }).nullable().describe('the generation an approval promoted'),
});

export type Proposal = z.infer<typeof ProposalSchema>;
export type ProposalDetail = z.infer<typeof ProposalDetailSchema>;
export type ProposalsResponse = z.infer<typeof ProposalsResponseSchema>;
export type ProposalDecision = z.infer<typeof ProposalDecisionSchema>;
