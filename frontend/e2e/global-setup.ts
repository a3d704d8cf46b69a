/**
 * Builds the dashboard (into its own directory) with NEXT_PUBLIC_API_URL pointing at a backend port chosen now, and serves it
 * with `next start`. The backend itself is started (and stopped, and restarted) by the test file,
 * which owns its lifecycle; it learns the ports and the data dir through `inject`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { buildFingerprint, buildFrontend, freePort, startFrontend } from './harness';

declare module 'vitest' {
  export interface ProvidedContext {
    backendPort: number;
    frontendPort: number;
    dataDir: string;
    /** The `.next` build (the one `pnpm start` serves) before the browser tests built theirs. */
    setupBuildBefore: string | null;
  }
}

export default async function setup(project: TestProject) {
  const backendPort = await freePort();
  const frontendPort = await freePort();
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'ouroboros-e2e-'));
  const setupBuildBefore = buildFingerprint('.next');
  const started = Date.now();
  await buildFrontend(`http://127.0.0.1:${backendPort}`);
  console.log(`[e2e] next build done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  const frontend = await startFrontend(frontendPort);
  project.provide('backendPort', backendPort);
  project.provide('frontendPort', frontendPort);
  project.provide('dataDir', dataDir);
  project.provide('setupBuildBefore', setupBuildBefore);

  return async () => {
    await frontend.stop();
    rmSync(dataDir, { recursive: true, force: true });
  };
}
