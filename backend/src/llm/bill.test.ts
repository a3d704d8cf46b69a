import { describe, expect, it } from 'vitest';
import { budgetRefusal, callCostUsd, formatUsd, nextUtcMidnight, utcDay } from './bill.js';

describe('LLM bill arithmetic', () => {
  const prices = { inPerMTok: 2.5, outPerMTok: 10 };

  it('prices prompt and completion tokens apart, per million', () => {
    expect(callCostUsd(prices, 1_000_000, 0)).toBe(2.5);
    expect(callCostUsd(prices, 321, 45)).toBeCloseTo((321 * 2.5 + 45 * 10) / 1e6, 12);
    // A server that reports only one side still costs that side.
    expect(callCostUsd(prices, null, 1000)).toBeCloseTo(0.01, 12);
  });

  it('does not invent a cost without prices or without any usage', () => {
    expect(callCostUsd(null, 100, 100)).toBeNull();
    expect(callCostUsd(prices, null, null)).toBeNull();
  });

  it('counts days in UTC and opens the budget at the next UTC midnight', () => {
    const lateEvening = Date.UTC(2026, 10, 27, 23, 59, 59);
    expect(utcDay(lateEvening)).toBe('2026-11-27');
    expect(utcDay(lateEvening + 1000)).toBe('2026-11-28');
    expect(nextUtcMidnight(lateEvening)).toBe(Date.UTC(2026, 10, 28));
    expect(nextUtcMidnight(Date.UTC(2026, 11, 31, 12))).toBe(Date.UTC(2027, 0, 1));
  });

  it('refuses once the day has spent its budget, and says how much, of what, and when calls resume', () => {
    const now = Date.UTC(2026, 10, 27, 12);
    expect(budgetRefusal(0.99, 1, now)).toBeNull();
    expect(budgetRefusal(5, null, now)).toBeNull();
    const why = budgetRefusal(1.0003, 1, now);
    expect(why).toMatch(/daily LLM budget is spent: \$1\.00 of \$1\.00 today \(LLM_DAILY_BUDGET_USD\)/);
    expect(why).toMatch(/resume at 2026-11-28T00:00:00\.000Z/);
    // A budget of 0 stops every call.
    expect(budgetRefusal(0, 0, now)).not.toBeNull();
  });

  it('shows fractions of a cent', () => {
    expect(formatUsd(0.00123)).toBe('$0.0012');
    expect(formatUsd(12.345)).toBe('$12.35');
  });
});
