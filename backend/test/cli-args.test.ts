import { describe, expect, it } from 'vitest';
import { readFlags, UsageError } from '../scripts/cli.js';
import { parseArgs as soakArgs } from '../scripts/soak/args.js';

describe('the scripts\' command lines', () => {
  it('reads --flag value and --flag=value alike, and skips the -- pnpm passes through', () => {
    const options = { a: { type: 'string' }, b: { type: 'string' }, quiet: { type: 'boolean' }, c: { type: 'string' } } as const;
    expect({ ...readFlags(['--', '--a', '1', '--b=2', '--quiet', '--c=x=y'], options) }).toEqual({ a: '1', b: '2', quiet: true, c: 'x=y' });
  });

  it('names the flag whose value is missing, and an unknown one', () => {
    const seed = { seed: { type: 'string' } } as const;
    expect(() => readFlags(['--seed'], seed)).toThrow(new UsageError('--seed needs a value'));
    expect(() => readFlags(['--seed='], seed)).toThrow(/--seed needs a value/);
    expect(() => readFlags(['--sed', '1'], seed)).toThrow(new UsageError('unknown option "--sed"'));
    expect(() => readFlags(['1'], seed)).toThrow(UsageError);
  });

  it('parses the soak\'s options and refuses wrong ones with a UsageError', () => {
    expect(soakArgs(['--', '--minutes', '0.5', '--types=all', '--heal-max-trials', 'default'])).toMatchObject({ minutes: 0.5, types: ['all'], healMaxTrials: null, dashboards: 1000 });
    expect(() => soakArgs(['--dashboards', '1.5'])).toThrow(/whole number/);
    expect(() => soakArgs(['--organisms', ' , '])).toThrow(/at least one organism/);
    expect(() => soakArgs(['--nope'])).toThrow(UsageError);
  });
});
