import type { FastifyInstance } from 'fastify';
import { afterEach } from 'vitest';
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

export async function getJson<T = any>(app: FastifyInstance, url: string): Promise<T> {
  const res = await app.inject({ method: 'GET', url });
  if (res.statusCode !== 200) throw new Error(`GET ${url} -> ${res.statusCode}: ${res.body}`);
  return res.json() as T;
}
