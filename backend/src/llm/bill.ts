/**
 * What LLM calls cost and whether the day's budget allows another: pure arithmetic over token counts, prices and
 * the UTC calendar, apart from the ledger that stores the calls (ledger.ts).
 */

/** US dollars per million tokens, as providers publish them. */
export interface LlmPrices {
  readonly inPerMTok: number;
  readonly outPerMTok: number;
}

/** What one call cost; null when it cannot be known (no price table, or the server did not report its usage). */
export function callCostUsd(prices: LlmPrices | null, promptTokens: number | null, completionTokens: number | null): number | null {
  if (prices === null || (promptTokens === null && completionTokens === null)) return null;
  return ((promptTokens ?? 0) * prices.inPerMTok + (completionTokens ?? 0) * prices.outPerMTok) / 1_000_000;
}

/** The UTC calendar day of a time, as YYYY-MM-DD: the budget's day, the same on every server. */
export function utcDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** The next UTC midnight after `ms`: when a spent daily budget opens again. */
export function nextUtcMidnight(ms: number): number {
  const d = new Date(ms);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + 1);
}

/**
 * Why no further call may be made today, or null when one may. The check comes before each call, so the call that
 * crosses the budget is the last one of the day: the day's spend can pass the budget by at most one call's cost.
 */
export function budgetRefusal(spentTodayUsd: number, dailyBudgetUsd: number | null, now: number): string | null {
  if (dailyBudgetUsd === null || spentTodayUsd < dailyBudgetUsd) return null;
  const opens = new Date(nextUtcMidnight(now)).toISOString();
  return `the daily LLM budget is spent: ${formatUsd(spentTodayUsd)} of ${formatUsd(dailyBudgetUsd)} today (LLM_DAILY_BUDGET_USD); LLM calls resume at ${opens}`;
}

/** Dollars with enough digits for the fractions of a cent one call costs. */
export function formatUsd(usd: number): string {
  return `$${usd >= 1 ? usd.toFixed(2) : usd.toFixed(4)}`;
}
