import { describe, expect, it } from 'vitest';
import { deriveState } from './state.js';

const base = { paused: false, healing: false, quarantined: false, backingOff: false, lastVerdict: null, liveHealthy: false } as const;

describe('deriveState', () => {
  it('puts paused above everything, then healing', () => {
    expect(deriveState({ ...base, paused: true, healing: true, lastVerdict: 'crashed' })).toBe('paused');
    expect(deriveState({ ...base, healing: true, lastVerdict: 'crashed' })).toBe('healing');
  });

  it('shows quarantine above a pending retry, and both above the last verdict', () => {
    expect(deriveState({ ...base, quarantined: true, backingOff: true, lastVerdict: 'hung' })).toBe('quarantined');
    expect(deriveState({ ...base, backingOff: true, lastVerdict: 'hung' })).toBe('backoff');
  });

  it('follows the last verdict of the live genome', () => {
    expect(deriveState({ ...base, lastVerdict: 'ok' })).toBe('healthy');
    for (const v of ['crashed', 'hung', 'wrong', 'slow', 'oom'] as const) {
      expect(deriveState({ ...base, lastVerdict: v, liveHealthy: true })).toBe('sick');
    }
  });

  it('trusts a proven genome before its first run, and only a proven one', () => {
    expect(deriveState({ ...base, liveHealthy: true })).toBe('healthy');
    expect(deriveState({ ...base, liveHealthy: false })).toBe('sick');
  });
});
