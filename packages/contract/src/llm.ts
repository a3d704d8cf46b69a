import { z } from 'zod';
import { count } from './wire.ts';

/** Calls made to the model, their tokens and what they cost. */
export const LlmSpendSchema = z.object({
  calls: count,
  promptTokens: count,
  completionTokens: count,
  costUsd: z.number().nonnegative().describe('US dollars at the prices configured when each call was made'),
  unpriced: count.describe('calls whose cost is not known (no prices then, or the server reported no usage)'),
});

/** The LLM's bill as /status tells it: the server's day against its cap, and this organism's calls. */
export const LlmBillSchema = z.object({
  model: z.string().nullable(),
  prices: z
    .object({ inPerMTok: z.number(), outPerMTok: z.number() })
    .nullable()
    .describe('USD per million prompt (in) and completion (out) tokens; null when LLM_PRICE_PER_MTOK_* are not set'),
  dailyBudgetUsd: z.number().nullable().describe('LLM_DAILY_BUDGET_USD; null: no cap'),
  spentTodayUsd: z.number().nonnegative().describe("the whole server's spend this UTC day, healing and evolution"),
  blocked: z.string().nullable().describe('why LLM calls are refused now (the daily cap), or null'),
  organism: z.object({ today: LlmSpendSchema, total: LlmSpendSchema }),
});

export type LlmSpend = z.infer<typeof LlmSpendSchema>;
export type LlmBill = z.infer<typeof LlmBillSchema>;
