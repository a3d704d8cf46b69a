import { mkdtempSync, rmSync } from 'node:fs';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError, loadConfig, type Config } from '../../src/config.js';

export const FIXTURE_ORGANISMS = fileURLToPath(new URL('../fixtures/organisms', import.meta.url));
export const REAL_ORGANISMS = fileURLToPath(new URL('../../../organisms', import.meta.url));
/** A merge sort with the bubble sort's contract: a genuinely faster genome for the evolution tests and benchmark. */
export const MERGE_SORT_FILE = fileURLToPath(new URL('../fixtures/genomes/merge-sort.js', import.meta.url));

/** A fresh DATA_DIR, removed after the test file. */
export function tempDir(prefix = 'ouroboros-test-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * Seeded property inputs per verification in tests that are not about verification itself: every new genome's
 * suite is that many sandboxed runs more (24 by default), and most tests promote dozens of genomes. The edge cases
 * and the regression set stay whole; the tests of trust (verification, latent mutants, the soak) use the default
 * or say their own.
 */
export const TEST_PROPERTY_INPUTS = '4';

export function testConfig(dataDir: string, overrides: Partial<Config> = {}): Config {
  // One organism unless a test asks for more: every extra loop is another process a second on two cores.
  const organisms = overrides.organisms ?? [overrides.organism ?? 'bubble-sort'];
  return loadConfig({ DATA_DIR: dataDir, LOOP_INTERVAL_MS: '50', LOG_LEVEL: 'silent', VERIFY_PROPERTY_INPUTS: TEST_PROPERTY_INPUTS }, { ...overrides, organisms });
}

/** Whether a process is gone (a zombie waiting for a reaper counts as gone: it runs nothing). */
export function processGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return true;
  }
  try {
    return /^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return true;
  }
}

/**
 * Polls `probe` until `accept` holds. The default deadline is generous on purpose: it is a deadline, never a
 * measurement (a passing test returns as soon as the condition holds), and much of what tests wait for now comes
 * after a whole verification suite, which took over 15 s on two busy cores.
 */
export async function waitFor<T>(
  probe: () => T | Promise<T>,
  accept: (v: T) => boolean,
  { timeoutMs = 45_000, intervalMs = 25, what = 'condition' } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T = await probe();
  while (!accept(last)) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last value: ${JSON.stringify(last)?.slice(0, 500)}`);
    await new Promise((r) => setTimeout(r, intervalMs));
    last = await probe();
  }
  return last;
}

/** The message loadConfig refuses `env` with; a ConfigError is expected, and an accepted env fails the test. */
export function configRefusal(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    return err.message;
  }
  throw new Error(`accepted ${JSON.stringify(env)}`);
}
