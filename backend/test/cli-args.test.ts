import { describe, expect, it } from 'vitest';
import { eachFlag, UsageError } from '../scripts/cli.js';
import { parseArgs as soakArgs } from '../scripts/soak/args.js';

describe('the scripts\' command lines', () => {
  it('reads --flag value and --flag=value alike, and skips the -- pnpm passes through', () => {
    const seen: [string, string | null][] = [];
    eachFlag(['--', '--a', '1', '--b=2', '--quiet', '--c=x=y'], (flag, take) => seen.push([flag, flag === '--quiet' ? null : take()]));
    expect(seen).toEqual([['--a', '1'], ['--b', '2'], ['--quiet', null], ['--c', 'x=y']]);
  });

  it('names the flag whose value is missing', () => {
    expect(() => eachFlag(['--seed'], (_f, take) => take())).toThrow(new UsageError('--seed needs a value'));
    expect(() => eachFlag(['--seed='], (_f, take) => take())).toThrow(/--seed needs a value/);
  });

  it('parses the soak\'s options and refuses wrong ones with a UsageError', () => {
    expect(soakArgs(['--', '--minutes', '0.5', '--types=all', '--heal-max-trials', 'default'])).toMatchObject({ minutes: 0.5, types: ['all'], healMaxTrials: null, dashboards: 1000 });
    expect(() => soakArgs(['--dashboards', '1.5'])).toThrow(/whole number/);
    expect(() => soakArgs(['--organisms', ' , '])).toThrow(/at least one organism/);
    expect(() => soakArgs(['--nope'])).toThrow(UsageError);
  });
});
