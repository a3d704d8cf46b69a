import { describe, expect, it } from 'vitest';
import { runRlimits, sandboxCommand } from './command.js';
import type { Sandbox } from './types.js';

const sandbox = {
  nodePath: '/usr/bin/node',
  permissionFlag: '--experimental-permission',
  nodeFlags: ['--disable-warning=ExperimentalWarning'],
  rlimits: { prlimit: '/usr/bin/prlimit', baselineMb: 900 },
  parentDeath: null,
  uid: null,
  namespaces: null,
} as unknown as Sandbox;

describe('a batch host\'s command line', () => {
  const run = { file: '/d/run/host.js', maxOldSpaceMb: 64, timeLimitMs: 2000 };

  it('lets a host read its genome and start workers, and no other run', () => {
    const host = sandboxCommand(sandbox, '/usr/bin/node', { ...run, allowFsRead: ['/d/run/genome.js'], workers: 2 }).args;
    expect(host).toEqual(expect.arrayContaining(['--allow-fs-read=/d/run/host.js', '--allow-fs-read=/d/run/genome.js', '--allow-worker', '--disable-warning=SecurityWarning']));
    const plain = sandboxCommand(sandbox, '/usr/bin/node', run).args;
    expect(plain.filter((a) => a.startsWith('--allow-'))).toEqual(['--allow-fs-read=/d/run/host.js']);
  });

  it("makes room in the address space for each worker's heap and code range", () => {
    const one = runRlimits(sandbox, run).addressSpaceMb;
    const two = runRlimits(sandbox, { ...run, workers: 2 }).addressSpaceMb;
    expect(one).toBe(900 + 2 * 64 + 256);
    expect(two).toBeGreaterThan(one + 2 * (2 * 64 + 600));
  });
});
