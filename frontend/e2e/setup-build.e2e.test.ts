/**
 * `./test.sh` after `./setup.sh` must leave `pnpm start` serving the setup's build: the browser tests build the
 * dashboard with a test backend's URL inlined, and that build must go to its own directory, not over `.next`.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { buildFingerprint, E2E_DIST_DIR, FRONTEND_DIR } from './harness';

const backendPort = inject('backendPort');

/** Every file under `dir` (recursively), for a look into built chunks. */
function filesUnder(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names.flatMap((n) => {
    const p = path.join(dir, n);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

const mentionsTestBackend = (dir: string) =>
  filesUnder(path.join(FRONTEND_DIR, dir, 'static')).filter((f) => f.endsWith('.js') && readFileSync(f, 'utf8').includes(`127.0.0.1:${backendPort}`));

describe("the browser tests' own build", () => {
  it('leaves the build `pnpm start` serves untouched', () => {
    expect(buildFingerprint('.next')).toBe(inject('setupBuildBefore'));
    expect(mentionsTestBackend('.next')).toEqual([]);
  });

  it(`is in ${E2E_DIST_DIR}, with the test backend's URL inlined`, () => {
    expect(buildFingerprint(E2E_DIST_DIR)).not.toBeNull();
    expect(mentionsTestBackend(E2E_DIST_DIR).length).toBeGreaterThan(0);
  });
});
