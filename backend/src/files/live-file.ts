import { randomBytes } from 'node:crypto';
import { constants, renameSync } from 'node:fs';
import { open, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { storageError } from '../storage/fault.js';

/** See scratch.ts: nothing planted at the temporary name can redirect the write. */
const CREATE_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;
const FILE_MODE = 0o644;
const TEMP = /^\..+\.\d+\.[0-9a-f]+\.tmp$/;

/** A complete copy of the new content, on disk and fsynced, under a temporary name beside the file it will replace. */
async function stage(file: string, content: string): Promise<string> {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await open(tmp, CREATE_FLAGS, FILE_MODE);
  try {
    await handle.writeFile(content, 'utf8');
    await handle.sync();
  } catch (err) {
    await handle.close();
    await rm(tmp, { force: true });
    throw err;
  }
  await handle.close();
  return tmp;
}

/**
 * The rename is visible at once; the directory's fsync only makes it durable. If that fsync fails, the store
 * (which committed with synchronous=FULL) is still the truth: after a power cut the next start finds the old
 * content, which is the parent's, and rewrites the file from the store.
 */
async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, constants.O_RDONLY | constants.O_DIRECTORY).catch(() => null);
  if (!handle) return;
  await handle.sync().catch(() => {});
  await handle.close();
}

function writeFailure(err: unknown, file: string): unknown {
  return storageError(err, `Cannot write ${file}`, 'Nothing was changed.');
}

/**
 * Replaces `file` atomically: a reader, or a server killed mid-way, sees the old content or the new, never half.
 * A symbolic link, hard link or FIFO in its place is replaced, never followed or written through (rename swaps
 * the directory entry); a directory in its place makes it fail (EISDIR, as a StorageError).
 */
export async function replaceFile(file: string, content: string): Promise<void> {
  let tmp: string | null = null;
  try {
    tmp = await stage(file, content);
    renameSync(tmp, file);
  } catch (err) {
    if (tmp) await rm(tmp, { force: true });
    throw writeFailure(err, file);
  }
  await syncDir(path.dirname(file));
}

/**
 * New content for `file`, complete and fsynced under a temporary name beside it, not yet visible. Staging is the
 * slow part of a promotion (a write and an fsync), and it needs no lock: each staged copy has its own name. Only
 * `commit` must be serialised with the other promotions. Call `discard` in every case once done (a no-op after a
 * successful commit).
 */
export class StagedFile {
  private tmp: string | null;

  private constructor(
    private readonly file: string,
    tmp: string,
  ) {
    this.tmp = tmp;
  }

  static async stage(file: string, content: string): Promise<StagedFile> {
    try {
      return new StagedFile(file, await stage(file, content));
    } catch (err) {
      throw writeFailure(err, file);
    }
  }

  /**
   * A change of the store and the file that mirrors it, as one unit, in one synchronous step (nothing else runs in
   * between): `commit` records it, then the staged copy is renamed over the file. If the rename fails, `undo` takes
   * the record back and the error is thrown as a StorageError: the store is as it was, the file too. A crash between
   * the commit and the rename leaves the old content, the parent's, which the next start rewrites from the store.
   */
  commit<T>(commit: () => T, undo: (committed: T) => void): T {
    const tmp = this.tmp;
    if (tmp === null) throw new Error(`${this.file}: this staged copy was already used`);
    const committed = commit();
    try {
      renameSync(tmp, this.file);
      this.tmp = null;
    } catch (err) {
      let undone: unknown = null;
      try {
        undo(committed);
      } catch (undoErr) {
        undone = undoErr;
      }
      const failure = writeFailure(err, this.file);
      if (undone && failure instanceof Error) {
        failure.message += ` The store could not take the change back (${(undone as Error).message}); the next start writes the recorded genome to the file.`;
      }
      throw failure;
    }
    return committed;
  }

  /** Makes a committed rename durable (see syncDir). */
  durable(): Promise<void> {
    return syncDir(path.dirname(this.file));
  }

  /** Removes the staged copy unless it was committed. */
  async discard(): Promise<void> {
    if (this.tmp === null) return;
    const tmp = this.tmp;
    this.tmp = null;
    await rm(tmp, { force: true });
  }
}

/** Removes the temporary files of atomic writes a killed server left in `dir` (only while holding the DATA_DIR lock). */
export async function sweepStaleTemps(dir: string): Promise<string[]> {
  const names = await readdir(dir).catch(() => [] as string[]);
  const stale = names.filter((n) => TEMP.test(n));
  for (const n of stale) await rm(path.join(dir, n), { force: true });
  return stale;
}
