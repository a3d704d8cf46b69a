/**
 * The LLM's bill: every call healing or evolution makes is recorded with its tokens and cost (SQLite, so a
 * restart forgets nothing), today's spend is kept at hand for the daily cap, and the totals are read for /status,
 * /metrics and the dashboard.
 */
import type { GenomeStore, LlmSpend } from '../genome/store.js';
import { budgetRefusal, callCostUsd, utcDay, type LlmPrices } from './bill.js';

export interface LlmLedgerOptions {
  /** null: costs are not known (tokens are still counted). */
  prices: LlmPrices | null;
  /** null: no daily cap. */
  dailyBudgetUsd: number | null;
  now?: () => number;
}

export interface LlmCallRecord {
  organism: string;
  purpose: 'heal' | 'evolve';
  ref?: string | null;
  model: string;
  promptTokens: number | null;
  completionTokens: number | null;
}

/** What /status says of the LLM's bill for one organism, and for the server's day. */
export interface LlmBill {
  model: string | null;
  /** Prices per million tokens (USD), or null when none are configured. */
  prices: LlmPrices | null;
  dailyBudgetUsd: number | null;
  /** The whole server's spend this UTC day: what the cap counts. */
  spentTodayUsd: number;
  /** Why LLM calls are refused now (the cap), or null. */
  blocked: string | null;
  /** This organism's calls: today and since the store began. */
  organism: { today: LlmSpend; total: LlmSpend };
}

export class LlmLedger {
  private readonly now: () => number;
  private currentDay: string;
  private spentToday: number;

  constructor(
    private readonly store: GenomeStore,
    private readonly o: LlmLedgerOptions,
    readonly model: string | null = null,
  ) {
    this.now = o.now ?? Date.now;
    this.currentDay = utcDay(this.now());
    this.spentToday = store.llmSpend({ day: this.currentDay }).costUsd;
  }

  get prices(): LlmPrices | null {
    return this.o.prices;
  }

  get dailyBudgetUsd(): number | null {
    return this.o.dailyBudgetUsd;
  }

  /** The UTC day the budget counts now. */
  today(): string {
    this.spentTodayUsd();
    return this.currentDay;
  }

  /** Spend per organism and purpose (for /metrics), since the store began or on one UTC day. */
  spendByOrganism(day?: string): (LlmSpend & { organism: string; purpose: string })[] {
    return this.store.llmSpendByOrganism(day);
  }

  /** Why no LLM call may be made now, or null when one may. */
  refusal(): string | null {
    return budgetRefusal(this.spentTodayUsd(), this.o.dailyBudgetUsd, this.now());
  }

  /** Records a call that was answered; returns what it cost (null when unknown). */
  record(call: LlmCallRecord): number | null {
    const at = this.now();
    const costUsd = callCostUsd(this.o.prices, call.promptTokens, call.completionTokens);
    const day = utcDay(at);
    this.spentTodayUsd();
    this.spentToday += costUsd ?? 0;
    // A call already made is counted in memory even when the store cannot record it, so the cap still holds;
    // the store remembers the fault and /health reports it.
    try {
      const { organism, purpose, model, promptTokens, completionTokens } = call;
      this.store.insertLlmCall({ at: new Date(at).toISOString(), day, organism, purpose, ref: call.ref ?? null, model, promptTokens, completionTokens, costUsd });
    } catch {
      // Kept in memory only (see above).
    }
    return costUsd;
  }

  /** The cost of one evolution run's calls (its id is the ref). */
  costOf(ref: string): LlmSpend {
    return this.store.llmSpend({ ref });
  }

  bill(organism: string): LlmBill {
    return {
      model: this.model,
      prices: this.o.prices,
      dailyBudgetUsd: this.o.dailyBudgetUsd,
      spentTodayUsd: this.spentTodayUsd(),
      blocked: this.refusal(),
      organism: { today: this.store.llmSpend({ organism, day: this.currentDay }), total: this.store.llmSpend({ organism }) },
    };
  }

  /** Today's spend, starting a new day at UTC midnight. */
  private spentTodayUsd(): number {
    const day = utcDay(this.now());
    if (day !== this.currentDay) {
      this.currentDay = day;
      this.spentToday = this.store.llmSpend({ day }).costUsd;
    }
    return this.spentToday;
  }
}
