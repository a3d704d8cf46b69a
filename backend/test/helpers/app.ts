import type { FastifyInstance } from 'fastify';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { buildApp, type BuildOptions } from '../../src/app.js';
import type { Config } from '../../src/config.js';
import { tempDir, testConfig } from './fixtures.js';
import { keepSeedVerifications, lendSeedVerifications } from './seed-verifications.js';

export interface TestAppOptions extends BuildOptions {
  /**
   * Verify each organism's genome 0 as a first start does, neither borrowing nor lending the run's remembered
   * verification (test/helpers/seed-verifications.ts): for tests of verification itself.
   */
  freshSeeds?: boolean;
}

/** buildApp on a DATA_DIR the caller just made, with the run's remembered seed verifications unless `freshSeeds`. */
async function buildOnFreshDir(config: Config, opts: TestAppOptions): Promise<FastifyInstance> {
  const { freshSeeds, ...build } = opts;
  const lend = !freshSeeds && build.startWatcher !== false;
  if (lend) lendSeedVerifications(config, build.sandbox);
  const app = await buildApp(config, build);
  if (lend) keepSeedVerifications(app, build.sandbox);
  return app;
}

/** Builds the real app on a fresh DATA_DIR; closes it and removes the directory after each test. */
export function useApp() {
  const open: { app: FastifyInstance; cleanup: () => void }[] = [];
  afterEach(async () => {
    for (const { app, cleanup } of open.splice(0)) {
      await app.close();
      cleanup();
    }
  });
  return async (overrides: Partial<Config> = {}, opts: TestAppOptions = {}, dataDir?: string) => {
    const tmp = dataDir ? { dir: dataDir, cleanup: () => {} } : tempDir();
    // A DATA_DIR the test brings may hold anything: only one made here starts with the run's seed verifications.
    const app = dataDir ? await buildApp(testConfig(tmp.dir, overrides), opts) : await buildOnFreshDir(testConfig(tmp.dir, overrides), opts);
    open.push({ app, cleanup: tmp.cleanup });
    return { app, dataDir: tmp.dir };
  };
}

/**
 * One real app for every test of the enclosing describe, built before the first and closed after the last: for tests
 * that each leave the organism as the next one may start from (building an app verifies its seed first).
 */
export function useSharedApp(overrides: Partial<Config> = {}, opts: TestAppOptions = {}) {
  let built: { app: FastifyInstance; dataDir: string; cleanup: () => void } | null = null;
  beforeAll(async () => {
    const tmp = tempDir();
    built = { app: await buildOnFreshDir(testConfig(tmp.dir, overrides), opts), dataDir: tmp.dir, cleanup: tmp.cleanup };
  });
  afterAll(async () => {
    await built?.app.close();
    built?.cleanup();
  });
  return (): { app: FastifyInstance; dataDir: string } => {
    if (!built) throw new Error('the shared app is built in beforeAll');
    return built;
  };
}

export async function getJson<T = any>(app: FastifyInstance, url: string): Promise<T> {
  const res = await app.inject({ method: 'GET', url });
  if (res.statusCode !== 200) throw new Error(`GET ${url} -> ${res.statusCode}: ${res.body}`);
  return res.json() as T;
}
