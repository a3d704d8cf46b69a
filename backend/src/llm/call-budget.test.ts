import { describe, expect, it } from 'vitest';
import { CallBudget } from './call-budget.js';

describe('CallBudget', () => {
  it('allows `limit` calls per window and frees them as the window slides', () => {
    let t = 0;
    const b = new CallBudget(2, 1000, () => t);
    expect(b.take()).toBe(true);
    t = 100;
    expect(b.take()).toBe(true);
    expect(b.take()).toBe(false);
    expect(b.retryInMs).toBe(900);
    t = 1001;
    expect(b.remaining).toBe(1);
    expect(b.take()).toBe(true);
    expect(b.take()).toBe(false);
  });
});
