/**
 * What went wrong with the storage, in words: the SQLite store and the files under DATA_DIR fail in a handful of
 * ways (a full disk, a read-only or foreign file system, a lock held by another process, a damaged file), and each
 * deserves a message that names the file, the problem and what to do, rather than "SQLITE_IOERR_WRITE".
 */

export type StorageProblem =
  | 'disk-full'
  | 'read-only'
  | 'permission'
  | 'not-a-directory'
  | 'not-a-file'
  | 'locked'
  | 'corrupt'
  | 'not-a-database'
  | 'io-error'
  | 'cannot-open';

export interface StorageFault {
  problem: StorageProblem;
  /** The underlying code: an errno name (ENOSPC) or a SQLite result code (SQLITE_FULL). */
  code: string;
  message: string;
  /** When it was seen (ISO 8601). */
  at: string;
}

/** A storage failure with a message fit for people; `problem` is stable for code to branch on. */
export class StorageError extends Error {
  override name = 'StorageError';

  constructor(
    readonly problem: StorageProblem,
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  toFault(): StorageFault {
    return { problem: this.problem, code: this.code, message: this.message, at: new Date().toISOString() };
  }
}

const SQLITE_PROBLEMS: readonly [RegExp, StorageProblem][] = [
  [/^SQLITE_FULL/, 'disk-full'],
  [/^SQLITE_READONLY/, 'read-only'],
  [/^SQLITE_(BUSY|LOCKED)/, 'locked'],
  [/^SQLITE_CORRUPT/, 'corrupt'],
  [/^SQLITE_NOTADB/, 'not-a-database'],
  [/^SQLITE_CANTOPEN/, 'cannot-open'],
  [/^SQLITE_PERM/, 'permission'],
  [/^SQLITE_AUTH/, 'permission'],
  [/^SQLITE_IOERR/, 'io-error'],
];

const ERRNO_PROBLEMS: Readonly<Record<string, StorageProblem>> = {
  ENOSPC: 'disk-full',
  EDQUOT: 'disk-full',
  EROFS: 'read-only',
  EACCES: 'permission',
  EPERM: 'permission',
  ENOTDIR: 'not-a-directory',
  EISDIR: 'not-a-file',
  EIO: 'io-error',
};

/** The storage problem an error stands for, or null when it is not a storage failure (a bug, a constraint...). */
export function classifyStorageError(err: unknown): { problem: StorageProblem; code: string } | null {
  if (err instanceof StorageError) return { problem: err.problem, code: err.code };
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return null;
  if (code.startsWith('SQLITE_')) {
    // SQLITE_IOERR_WRITE and friends may hide a full disk: SQLite reports ENOSPC as SQLITE_FULL only sometimes.
    const problem = SQLITE_PROBLEMS.find(([re]) => re.test(code))?.[1];
    return problem ? { problem, code } : null;
  }
  const problem = ERRNO_PROBLEMS[code];
  return problem ? { problem, code } : null;
}

const uid = () => (typeof process.getuid === 'function' ? `uid ${process.getuid()}` : 'this user');

/** "the disk is full (ENOSPC)": what the problem is. */
export function describeProblem(problem: StorageProblem, code: string, detail?: string): string {
  switch (problem) {
    case 'disk-full':
      return `the disk is full (${code})`;
    case 'read-only':
      return `the file system is read-only (${code})`;
    case 'permission':
      return `permission denied to ${uid()} (${code})`;
    case 'not-a-directory':
      return `a part of the path is a file, not a folder (${code})`;
    case 'not-a-file':
      return `a directory stands where the file should be (${code})`;
    case 'locked':
      return `it is locked by another process (${code}; still busy after a 5 s wait)`;
    case 'corrupt':
      return `it is corrupted (${code}${detail ? `: ${detail}` : ''})`;
    case 'not-a-database':
      return `it is not a SQLite database: it is damaged, or another kind of file (${code})`;
    case 'io-error':
      return `input/output error (${code}${detail ? `: ${detail}` : ''}); the disk may be failing or full`;
    case 'cannot-open':
      return `SQLite cannot open it (${code})`;
  }
}

/** What to do about it. */
export function remedy(problem: StorageProblem): string {
  switch (problem) {
    case 'disk-full':
      return 'Free some space on that disk.';
    case 'read-only':
      return 'Mount it read-write, or point DATA_DIR at a writable folder.';
    case 'permission':
      return "Give the server's user write access, or point DATA_DIR at a folder it owns.";
    case 'not-a-directory':
      return 'Point DATA_DIR at a folder.';
    case 'not-a-file':
      return 'Move that directory away; the server writes the file again from the store.';
    case 'locked':
      return 'Is another Ouroboros server (or a sqlite3 shell) using the same DATA_DIR? Stop it, or give this server its own DATA_DIR.';
    case 'corrupt':
    case 'not-a-database':
      return 'Restore it from a backup, or move it away to start with an empty history.';
    case 'io-error':
      return 'Check the disk (dmesg) and the free space.';
    case 'cannot-open':
      return 'Check that DATA_DIR is a folder this server can write.';
  }
}

/**
 * Wraps a storage failure into a StorageError whose message names `subject` (a file or folder), the problem and the
 * remedy, followed by `outcome` ("It was left untouched.", "Nothing was changed."). Other errors are returned as
 * they are.
 */
export function storageError(err: unknown, subject: string, outcome: string): unknown {
  if (err instanceof StorageError) return err;
  const c = classifyStorageError(err);
  if (!c) return err;
  const detail = c.problem === 'corrupt' || c.problem === 'io-error' ? (err as Error).message : undefined;
  return new StorageError(c.problem, c.code, `${subject}: ${describeProblem(c.problem, c.code, detail)}. ${outcome} ${remedy(c.problem)}`, {
    cause: err,
  });
}
