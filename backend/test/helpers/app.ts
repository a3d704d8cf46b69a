import type { FastifyInstance } from 'fastify';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { buildApp, type BuildOptions } from '../../src/app.js';
import type { Config } from '../../src/config.js';
import { tempDir, testConfig } from './fixtures.js';

/** Builds the real app on a fresh DATA_DIR; closes it and removes the directory after each test. */
export function useApp() {
  const open: { app: FastifyInstance; cleanup: () => void }[] = [];
  afterEach(async () => {
    for (const { app, cleanup } of open.splice(0)) {
      await app.close();
      cleanup();
    }
  });
  return async (overrides: Partial<Config> = {}, opts: BuildOptions = {}, dataDir?: string) => {
    const tmp = dataDir ? { dir: dataDir, cleanup: () => {} } : tempDir();
    const app = await buildApp(testConfig(tmp.dir, overrides), opts);
    open.push({ app, cleanup: tmp.cleanup });
    return { app, dataDir: tmp.dir };
  };
}

/**
 * One real app for every test of the enclosing describe, built before the first and closed after the last: for tests
 * that each leave the organism as the next one may start from (building an app verifies its seed first).
 */
export function useSharedApp(overrides: Partial<Config> = {}, opts: BuildOptions = {}) {
  let built: { app: FastifyInstance; dataDir: string; cleanup: () => void } | null = null;
  beforeAll(async () => {
    const tmp = tempDir();
    built = { app: await buildApp(testConfig(tmp.dir, overrides), opts), dataDir: tmp.dir, cleanup: tmp.cleanup };
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
