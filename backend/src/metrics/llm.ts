import { Gauge, type Registry } from 'prom-client';
import type { LlmSpend } from '../genome/store.js';

/** What the metrics read of the LLM's bill (src/llm/ledger.ts and the store) when scraped. */
export interface LlmBillSource {
  /** Spend per organism and purpose, since the store began or on one UTC day. */
  spendByOrganism(day?: string): (LlmSpend & { organism: string; purpose: string })[];
  /** The UTC day the budget counts now. */
  today(): string;
  readonly dailyBudgetUsd: number | null;
}

/**
 * The LLM's bill as gauges read from the store at scrape time: it survives restarts, which counters kept in memory
 * would not, so the totals are gauges named like counters.
 */
export function llmMetrics(registry: Registry, bill: LlmBillSource): void {
  const labelNames = ['organism', 'purpose'] as const;
  const series: [string, string, (s: LlmSpend) => number, boolean][] = [
    ['ouroboros_llm_calls_total', 'LLM calls answered, by organism and purpose (heal, evolve).', (s) => s.calls, false],
    ['ouroboros_llm_cost_usd_total', 'What the LLM calls cost (USD at the prices configured when made).', (s) => s.costUsd, false],
    ['ouroboros_llm_prompt_tokens_total', 'Prompt tokens sent to the LLM.', (s) => s.promptTokens, false],
    ['ouroboros_llm_completion_tokens_total', 'Completion tokens the LLM answered with.', (s) => s.completionTokens, false],
    ['ouroboros_llm_cost_today_usd', 'What the LLM calls cost this UTC day (the day LLM_DAILY_BUDGET_USD counts).', (s) => s.costUsd, true],
  ];
  for (const [name, help, read, today] of series) {
    new Gauge({
      name,
      help,
      labelNames,
      registers: [registry],
      collect() {
        this.reset();
        for (const row of bill.spendByOrganism(today ? bill.today() : undefined)) {
          this.set({ organism: row.organism, purpose: row.purpose }, read(row));
        }
      },
    });
  }
  if (bill.dailyBudgetUsd !== null) {
    const budget = bill.dailyBudgetUsd;
    new Gauge({
      name: 'ouroboros_llm_daily_budget_usd',
      help: 'LLM_DAILY_BUDGET_USD: what all LLM calls together may cost in a UTC day.',
      registers: [registry],
      collect() {
        this.set(budget);
      },
    });
  }
}
