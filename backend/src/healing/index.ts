import os from 'node:os';
import type { Config } from '../config.js';
import { CallBudget } from '../llm/call-budget.js';
import { createChatClient } from '../llm/client.js';
import type { LlmLedger } from '../llm/ledger.js';
import { meteredClient } from '../llm/metered-client.js';
import { restoreLastHealthy } from './strategies/last-healthy.js';
import { llmMutation } from './strategies/llm-mutation.js';
import { minimalRevert } from './strategies/minimal-revert.js';
import { searchRepair } from './search/strategy.js';
import type { HealStrategy } from './types.js';

export interface LadderDeps {
  /** A genome source that healed the same failure fingerprint before, if any. */
  knownFix(fingerprint: string): string | null;
  /** The LLM call budget, shared by every organism of the server. */
  budget: CallBudget | null;
  /** The bill every LLM call goes on, and the daily cap (none: calls are not counted). */
  ledger?: LlmLedger | null;
}

export interface Ladder {
  rungs: HealStrategy[];
  /** Rungs named in HEAL_LADDER that are not available, and why; shown in the status. */
  missing: string[];
}

/** The repair ladder from HEAL_LADDER, cheapest rung first. */
export function buildLadder(config: Config, deps: LadderDeps): Ladder {
  const rungs: HealStrategy[] = [];
  const missing: string[] = [];
  const budget = deps.budget ?? (config.llm ? new CallBudget(config.llm.callsPerHour) : null);
  for (const name of config.healLadder) {
    if (name === 'minimal-revert') {
      rungs.push(minimalRevert({ parallelism: Math.max(1, os.availableParallelism()), maxTrials: config.healMaxTrials }));
    } else if (name === 'rollback') {
      rungs.push(restoreLastHealthy);
    } else if (name === 'search') {
      rungs.push(searchRepair({ parallelism: Math.max(1, os.availableParallelism()), maxTrials: config.healMaxTrials, timeBudgetMs: config.healSearchTimeMs }));
    } else if (config.llm && budget) {
      const { baseUrl, apiKey, model, timeoutMs, maxAttempts } = config.llm;
      const client = createChatClient({ baseUrl, apiKey, model, timeoutMs });
      rungs.push(
        llmMutation({
          client: deps.ledger ? meteredClient(client, deps.ledger, 'heal') : client,
          budget,
          maxAttempts,
          knownFix: deps.knownFix,
        }),
      );
    } else {
      missing.push('llm: no LLM is configured (set LLM_BASE_URL and LLM_MODEL)');
    }
  }
  return { rungs, missing };
}
