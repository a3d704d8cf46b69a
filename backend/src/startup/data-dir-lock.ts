import { chmodSync, lstatSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { replaceFile } from '../files/live-file.js';
import { readRegularFileSync } from '../files/safe-read.js';
import { StartupError } from './preflight.js';
import { storageError } from '../storage/fault.js';

export const LOCK_FILE = 'ouroboros.lock';
/** Who holds the lock, for the message of a server that cannot have it. Informative only: the lock is the kernel's. */
export const HOLDER_FILE = 'ouroboros.lock.pid';

export interface DataDirLock {
  release(): void;
}

/**
 * One server per DATA_DIR. The lock is SQLite's exclusive lock on DATA_DIR/ouroboros.lock, held by an open
 * transaction for the server's whole life. It is a POSIX record lock held by the kernel for this process: it
 * goes with the process, however it dies (SIGKILL, the OOM killer), so a killed server never leaves a stale
 * lock, and a pid reused after a container restart cannot make anyone believe the lock is held. Node has no
 * flock or fcntl of its own; better-sqlite3 is already here and does exactly this.
 *
 * A second server fails here, before it reads or writes anything else under DATA_DIR, with a StartupError
 * naming the holder's pid.
 */
export async function lockDataDir(dataDir: string): Promise<DataDirLock> {
  const file = path.join(dataDir, LOCK_FILE);
  refuseNonFile(file);
  let db: Database.Database | null = null;
  try {
    db = new Database(file, { timeout: 0 });
    db.pragma('locking_mode = EXCLUSIVE');
    db.exec('BEGIN EXCLUSIVE');
    // Nobody else may even open it: a lock held by another process (a shared one) would keep the next start out.
    chmodSync(file, 0o600);
  } catch (err) {
    db?.close();
    const code = (err as { code?: string }).code ?? '';
    if (/^SQLITE_(BUSY|LOCKED)/.test(code)) throw new StartupError(heldBy(dataDir));
    throw storageError(err, `Cannot lock DATA_DIR=${dataDir} (${file})`, 'Nothing was changed.');
  }
  const held = db;
  // Only once the lock is ours, so a second server never writes it.
  await replaceFile(path.join(dataDir, HOLDER_FILE), `${JSON.stringify({ pid: process.pid, since: new Date().toISOString() })}\n`).catch(() => {});
  return {
    release() {
      if (!held.open) return;
      held.exec('ROLLBACK');
      held.close();
    },
  };
}

/**
 * The store's files are opened by SQLite, which follows links: a link planted in place of one of them is refused
 * at start instead (called once the lock is held).
 */
export function refuseLinkedStore(dataDir: string): void {
  for (const suffix of ['', '-wal', '-shm', '-journal']) refuseNonFile(path.join(dataDir, `ouroboros.db${suffix}`));
}

function heldBy(dataDir: string): string {
  let holder = 'another Ouroboros server (its pid is not recorded)';
  try {
    const text = readRegularFileSync(path.join(dataDir, HOLDER_FILE), 4096);
    const h = text ? (JSON.parse(text) as { pid?: unknown; since?: unknown }) : null;
    if (h && Number.isInteger(h.pid)) holder = `another Ouroboros server, pid ${String(h.pid)}${typeof h.since === 'string' ? ` (since ${h.since})` : ''}`;
  } catch {
    // unreadable: say so in general terms
  }
  return `DATA_DIR=${dataDir} is in use by ${holder}. Nothing was changed. Stop that server first, or give this one its own DATA_DIR.`;
}

/** A link or a special file in place of the lock file is refused rather than opened. */
function refuseNonFile(file: string): void {
  let st;
  try {
    st = lstatSync(file);
  } catch {
    return;
  }
  if (!st.isFile() || st.nlink !== 1) {
    const what = st.isSymbolicLink() ? 'a symbolic link' : st.isFile() ? `a file with ${st.nlink} hard links` : 'not a regular file';
    throw new StartupError(`${file} is ${what}; the server opens only files of its own there. Nothing was changed. Move it away (for the store: put the real file in its place).`);
  }
}
