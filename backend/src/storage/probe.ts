import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { open, statfs, unlink } from 'node:fs/promises';
import path from 'node:path';

/** Below this much free space on DATA_DIR's disk, nothing is written: runs, logs and genomes could not be recorded. */
export const MIN_FREE_BYTES = 1024 * 1024;

/** Writes, fsyncs and removes a small file: what the store and the live files will do, in miniature. */
export async function probeWrite(dir: string): Promise<void> {
  const probe = path.join(dir, `.write-probe-${process.pid}-${randomBytes(4).toString('hex')}`);
  const handle = await open(probe, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
  try {
    await handle.writeFile(Buffer.alloc(4096));
    await handle.sync();
  } finally {
    await handle.close();
    await unlink(probe).catch(() => {});
  }
}

/** Bytes an unprivileged writer may still use on the disk holding `dir`; null when the file system does not say. */
export async function freeBytes(dir: string): Promise<number | null> {
  const s = await statfs(dir).catch(() => null);
  if (!s || s.blocks === 0) return null;
  return s.bavail * s.bsize;
}
