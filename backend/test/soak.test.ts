import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const BACKEND = fileURLToPath(new URL('..', import.meta.url));

// `pnpm soak --minutes 0.5 --dashboards 200`: half a minute of chaos every 100 ms over every organism while 200
// dashboards poll and live.js is edited from outside, then the checks (the server never crashed, every chaos answer
// has its genome, every organism healed or is quarantined with a reason, memory bounded, no heal promoted a genome
// failing its own suite or used a polluted baseline). The CLI is the test: it exits 0 only when every check passed.
// The load is a correctness load, not a capacity one: 1,000 dashboards (the soak's default) saturate a core by
// design, and on CI's shared machine that starved chaos answers past 30 s; what the server sustains is measured by
// `pnpm soak` itself and reported in BENCHMARKS.md, never asserted here. Settling after the stacked damage takes
// 5 to 40 s on two busy cores (each heal is dozens of sandboxed trial runs), hence 90 s at most.
const SOAK_DEADLINE_MS = 300_000;

describe('soak', () => {
  it('passes every check of a half-minute soak under 200 dashboards', async () => {
    let out = '';
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/soak.ts', '--minutes', '0.5', '--dashboards', '200', '--settle-s', '90'], {
      cwd: BACKEND,
      env: { ...process.env, LOG_PRETTY: 'false' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    // Stopped before the test's own timeout, so a soak that overruns says how far it got (and leaves no server behind).
    const overrun = setTimeout(() => child.kill('SIGTERM'), SOAK_DEADLINE_MS);
    const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
    clearTimeout(overrun);
    console.log(out.split('\n').filter((l) => /^(Soak|  |PASS|FAIL|soak)/.test(l) && !/^ {2}\d+ s:/.test(l)).join('\n'));
    expect(code, out).toBe(0);
    expect(out).toMatch(/soak: every check passed/);
  }, SOAK_DEADLINE_MS + 30_000);
});
