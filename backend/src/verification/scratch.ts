import { randomBytes } from 'node:crypto';
import { unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * The one place verification writes code to disk: a candidate's source in a scratch file of `dir` with a name nobody
 * can predict, created exclusively (never over an existing file, never through a link someone planted), removed when
 * `use` is done. Every run of a verification, a trial or a shrink goes through here.
 */
export async function withScratchFile<T>(dir: string, source: string, use: (file: string) => Promise<T>): Promise<T> {
  const file = path.join(dir, `verify-${randomBytes(12).toString('hex')}.js`);
  await writeFile(file, source, { flag: 'wx', mode: 0o600 });
  try {
    return await use(file);
  } finally {
    await unlink(file).catch(() => {});
  }
}
