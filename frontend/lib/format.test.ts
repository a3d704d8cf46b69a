import { describe, expect, it } from 'vitest';
import { formatAgo, formatMs, formatPercent, formatUptime } from './format';

describe('formatters', () => {
  it('format durations, rates and uptimes', () => {
    expect(formatMs(null)).toBe('-');
    expect(formatMs(4.25)).toBe('4.3 ms');
    expect(formatMs(41.7)).toBe('42 ms');
    expect(formatMs(1500)).toBe('1.50 s');
    expect(formatPercent(null)).toBe('-');
    expect(formatPercent(1)).toBe('100%');
    expect(formatPercent(0.9286)).toBe('92.9%');
    expect(formatUptime(12)).toBe('12s');
    expect(formatUptime(3725)).toBe('1h 02m 05s');
    expect(formatUptime(90061)).toBe('1d 01h 01m');
    expect(formatAgo(0, 65_000)).toBe('1m ago');
  });
});
