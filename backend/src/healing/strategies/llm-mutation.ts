import { createHash } from 'node:crypto';
import { parseRepairAnswer } from '../../llm/answer.js';
import { LlmError, type ChatClient, type ChatMessage } from '../../llm/client.js';
import { buildRepairPrompt, neutralizeUntrusted } from '../llm/prompt.js';
import type { CallBudget } from '../../llm/call-budget.js';
import type { HealContext, HealStrategy } from '../types.js';

export interface LlmMutationOptions {
  client: ChatClient;
  budget: CallBudget;
  /** Calls per incident, each answer validated and trialled before the next. */
  maxAttempts: number;
  /** A fix that passed before for the same fingerprint, if the store has one. */
  knownFix(fingerprint: string): string | null;
}

interface AttemptRecord {
  answer: string | null;
  outcome: string;
  promptTokens: number | null;
  completionTokens: number | null;
  latencyMs: number | null;
  /** USD, when the client is metered with prices. */
  costUsd?: number | null;
}

/** What the incident's calls cost together: null when none of them has a known cost. */
function totalCost(attempts: readonly AttemptRecord[]): number | null {
  const known = attempts.filter((a) => typeof a.costUsd === 'number');
  return known.length ? known.reduce((sum, a) => sum + (a.costUsd as number), 0) : null;
}

/**
 * What identifies a failure for reuse: the broken source and how it failed, without the line numbers and
 * values that vary from run to run.
 */
export function failureFingerprint(ctx: Pick<HealContext, 'live' | 'failure'>): string {
  const error = (ctx.failure.error ?? '').replace(/\d+/g, '#');
  return createHash('sha256').update(`${ctx.live.sourceHash}\0${ctx.failure.verdict}\0${error}`).digest('hex').slice(0, 24);
}

/**
 * Asks an OpenAI-compatible model for a repaired genome. The organism's output reaches the model only as
 * delimited data, and nothing the model answers is trusted: it must parse, stay within size limits and pass a
 * trial before the ladder even sees it, and the ladder trials it again before promotion.
 */
export function llmMutation(opts: LlmMutationOptions): HealStrategy {
  return {
    name: 'llm',
    async propose(ctx) {
      const fingerprint = failureFingerprint(ctx);
      const reused = opts.knownFix(fingerprint);
      if (reused !== null && reused !== ctx.live.source) {
        return {
          source: reused,
          summary: `reused the model's earlier fix for the same failure (${fingerprint})`,
          detail: { llm: { fingerprint, reused: true, model: opts.client.model } },
        };
      }
      const messages: ChatMessage[] = buildRepairPrompt({
        organism: ctx.organism,
        contract: ctx.contract,
        source: ctx.live.source,
        verdict: ctx.failure.verdict,
        error: ctx.failure.error,
        stderrTail: ctx.failure.stderrTail,
        failingInput: ctx.failure.input,
      });
      const prompt = messages.map((m) => ({ ...m }));
      const attempts: AttemptRecord[] = [];
      const record = (why: string) => ({
        none: why,
        detail: { llm: { fingerprint, model: opts.client.model, prompt, attempts, costUsd: totalCost(attempts) } },
      });
      for (let i = 0; i < opts.maxAttempts; i++) {
        if (ctx.signal.aborted) return record('healing was cancelled');
        // Before the hourly budget: a call the daily cap refuses must not use up one of the hour's calls.
        const refusal = opts.client.refusal?.() ?? null;
        if (refusal !== null) {
          attempts.push({ answer: null, outcome: refusal, promptTokens: null, completionTokens: null, latencyMs: null });
          return record(refusal);
        }
        if (!opts.budget.take()) {
          attempts.push({ answer: null, outcome: 'hourly call budget spent', promptTokens: null, completionTokens: null, latencyMs: null });
          return record(`the hourly LLM call budget (${opts.budget.limit}) is spent; next call in ${Math.ceil(opts.budget.retryInMs / 1000)} s`);
        }
        let completion;
        try {
          completion = await opts.client.complete(messages, { signal: ctx.signal, temperature: 0.2 + 0.2 * i, meter: { organism: ctx.organism } });
        } catch (err) {
          const why = err instanceof LlmError ? err.message : `LLM call failed: ${(err as Error).message}`;
          attempts.push({ answer: null, outcome: why, promptTokens: null, completionTokens: null, latencyMs: null });
          if (err instanceof LlmError && !err.retryable) break;
          continue;
        }
        const base = {
          answer: completion.content,
          promptTokens: completion.promptTokens,
          completionTokens: completion.completionTokens,
          latencyMs: completion.latencyMs,
          costUsd: completion.costUsd ?? null,
        };
        const parsed = parseRepairAnswer(completion.content, ctx.live.source);
        let rejection: string;
        if (parsed.kind === 'invalid') {
          rejection = `answer refused before any trial: ${parsed.reason}`;
        } else {
          const trial = await ctx.trial(parsed.source);
          if (trial.verdict === 'ok') {
            attempts.push({ ...base, outcome: `a ${parsed.kind} that passed its trial` });
            return {
              source: parsed.source,
              summary: `the model (${completion.model}) rewrote the genome as a ${parsed.kind} on attempt ${i + 1}`,
              detail: { llm: { fingerprint, model: completion.model, prompt, attempts, costUsd: totalCost(attempts) } },
            };
          }
          rejection = `the candidate failed its trial: ${trial.verdict}${trial.error ? ` (${neutralizeUntrusted(trial.error)})` : ''}`;
        }
        attempts.push({ ...base, outcome: rejection });
        messages.push({ role: 'assistant', content: completion.content });
        messages.push({
          role: 'user',
          content: `That answer was rejected: ${rejection}. Answer again with the whole corrected file in one fenced js block.`,
        });
      }
      return record(`no model answer passed in ${attempts.length} attempt(s): ${attempts.map((a) => a.outcome).join('; ')}`);
    },
  };
}
