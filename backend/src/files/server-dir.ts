import type { Stats } from 'node:fs';
import { chmod, lstat, mkdir, unlink } from 'node:fs/promises';
import path from 'node:path';

/** Others may open files in the server's directories by name (the sandbox's uid reads its run file), never list or write them. */
export const SERVER_DIR_MODE = 0o711;

/**
 * Makes sure each directory of `parts`, under `root` (DATA_DIR, trusted), is a real directory of this server's
 * that nobody else may write: a missing one is made, a symlink or any other non-directory in its place is removed
 * (unlink never follows a link) and replaced, and group or other write bits are dropped. Returns what had to be
 * repaired, in words, for the log; [] when all was in order.
 */
export async function ensureServerDir(root: string, parts: readonly string[]): Promise<string[]> {
  const dirs = parts.map((_, i) => path.join(root, ...parts.slice(0, i + 1)));
  // Every run checks its directory: all at once first, and one by one only when something needs repair.
  const found = await Promise.all(dirs.map((d) => lstatOrNull(d)));
  const uid = process.getuid?.();
  if (found.every((st) => st?.isDirectory() && (uid === undefined || st.uid === uid) && (st.mode & 0o022) === 0)) return [];
  const repaired: string[] = [];
  for (const dir of dirs) {
    const st = await lstatOrNull(dir);
    if (st && !st.isDirectory()) {
      await unlink(dir);
      repaired.push(`${path.relative(root, dir)} was ${st.isSymbolicLink() ? 'a symbolic link' : 'not a directory'}: replaced by a directory`);
    } else if (!st) {
      repaired.push(`${path.relative(root, dir)} was missing: made again`);
    }
    if (!st || !st.isDirectory()) {
      await mkdir(dir, { mode: SERVER_DIR_MODE }).catch((err: NodeJS.ErrnoException) => {
        if (err.code !== 'EEXIST') throw err;
      });
      await chmod(dir, SERVER_DIR_MODE);
      continue;
    }
    if (uid !== undefined && st.uid !== uid) {
      throw Object.assign(new Error(`${dir} belongs to uid ${st.uid}, not to this server's uid ${uid}: its files could be replaced by another user. Give it to uid ${uid} (chown), or remove it`), {
        code: 'EACCES',
        path: dir,
      });
    }
    if ((st.mode & 0o022) !== 0) await chmod(dir, st.mode & 0o7755);
  }
  return repaired;
}

function lstatOrNull(p: string): Promise<Stats | null> {
  return lstat(p).catch((err: NodeJS.ErrnoException) => {
    // ENOTDIR: a parent is not a directory (repaired first, in order).
    if (err.code === 'ENOENT' || err.code === 'ENOTDIR') return null;
    throw err;
  });
}
