import { describe, expect, it } from 'vitest';
import { VERDICTS } from '../domain.js';
import { deriveState } from './state.js';

const base = { paused: false, healing: false, quarantined: false, backingOff: false, lastVerdict: null, verification: 'pending' } as const;

describe('deriveState', () => {
  it('puts paused above everything, then healing', () => {
    expect(deriveState({ ...base, paused: true, healing: true, lastVerdict: 'crashed' })).toBe('paused');
    expect(deriveState({ ...base, healing: true, lastVerdict: 'crashed' })).toBe('healing');
  });

  it('shows quarantine above a pending retry, and both above the last verdict', () => {
    expect(deriveState({ ...base, quarantined: true, backingOff: true, lastVerdict: 'hung' })).toBe('quarantined');
    expect(deriveState({ ...base, backingOff: true, lastVerdict: 'hung' })).toBe('backoff');
  });

  it('is healthy only for a verified genome with a passing verdict', () => {
    expect(deriveState({ ...base, lastVerdict: 'ok', verification: 'passed' })).toBe('healthy');
    expect(deriveState({ ...base, lastVerdict: 'ok', verification: 'pending' })).toBe('verifying');
    for (const v of ['crashed', 'hung', 'wrong', 'slow', 'oom'] as const) {
      expect(deriveState({ ...base, lastVerdict: v, verification: 'passed' })).toBe('sick');
      expect(deriveState({ ...base, lastVerdict: v, verification: 'failed' })).toBe('sick');
    }
  });

  it('is verifying, not sick, until the live genome is judged in this process, even when verified before', () => {
    for (const verification of ['pending', 'passed', 'failed'] as const) {
      expect(deriveState({ ...base, verification })).toBe('verifying');
    }
  });

  it('never shows sick beside a passing verdict', () => {
    for (const verification of ['pending', 'passed', 'failed'] as const) {
      for (const flags of [{}, { backingOff: true }]) {
        expect(deriveState({ ...base, ...flags, lastVerdict: 'ok', verification })).not.toBe('sick');
      }
    }
    expect(VERDICTS.filter((v) => deriveState({ ...base, lastVerdict: v, verification: 'passed' }) === 'sick')).not.toContain('ok');
  });
});
