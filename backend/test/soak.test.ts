import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const BACKEND = fileURLToPath(new URL('..', import.meta.url));

// `pnpm soak --minutes 1`: a minute of chaos every 100 ms over every organism while 1,000 dashboards poll and live.js
// is edited from outside, then the checks (the server never crashed, every chaos answer has its genome, every
// organism healed or is quarantined with a reason, memory bounded, no heal promoted a genome failing its own suite or
// used a polluted baseline). The CLI is the test: it exits 0 only when every check passed. Settling after a minute of
// stacked damage takes 5 to 40 s on two busy cores (each heal is dozens of sandboxed trial runs, and a candidate that
// keeps harmless changes runs its whole verification suite), hence 90 s at most.
describe('soak', () => {
  it('passes every check of a one-minute soak', async () => {
    let out = '';
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/soak.ts', '--minutes', '1', '--settle-s', '90'], {
      cwd: BACKEND,
      env: { ...process.env, LOG_PRETTY: 'false' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
    console.log(out.split('\n').filter((l) => /^(Soak|  |PASS|FAIL|soak)/.test(l) && !/^ {2}\d+ s:/.test(l)).join('\n'));
    expect(code, out).toBe(0);
    expect(out).toMatch(/soak: every check passed/);
  }, 300_000);
});
