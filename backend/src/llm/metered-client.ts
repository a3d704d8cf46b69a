import { LlmError, type ChatClient } from './client.js';
import type { LlmLedger } from './ledger.js';

/**
 * A chat client that puts every answered call on the ledger and refuses calls once the day's budget is spent.
 * Healing and evolution each get one (their purpose), so neither can call the model without being billed.
 */
export function meteredClient(inner: ChatClient, ledger: LlmLedger, purpose: 'heal' | 'evolve'): ChatClient {
  return {
    model: inner.model,
    endpoint: inner.endpoint,
    refusal: () => ledger.refusal(),
    async complete(messages, opts = {}) {
      const refusal = ledger.refusal();
      // Not retryable: the budget opens at UTC midnight, not within an incident.
      if (refusal !== null) throw new LlmError('budget', refusal, { retryable: false });
      const completion = await inner.complete(messages, opts);
      const costUsd = ledger.record({
        organism: opts.meter?.organism ?? '',
        purpose,
        ref: opts.meter?.ref ?? null,
        model: completion.model,
        promptTokens: completion.promptTokens,
        completionTokens: completion.completionTokens,
      });
      return { ...completion, costUsd };
    },
  };
}
