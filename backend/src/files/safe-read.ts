import { closeSync, constants, fstatSync, openSync, readSync, type Stats } from 'node:fs';
import { open } from 'node:fs/promises';
import { describeKind, hardLinked, notRegular, tooLarge } from './refusal.js';

/**
 * O_NOFOLLOW: a symbolic link in place of the file fails the open (ELOOP) instead of being followed, so a link
 * planted under DATA_DIR can never make the server read a file elsewhere.
 * O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer, holding a thread of libuv's pool (or,
 * for the sync variant, the event loop) for ever; with it the open returns at once, and fstat refuses the FIFO
 * before a single read. A device (a link to /dev/zero made with mknod or `ln`) is refused the same way, unread.
 * O_NOCTTY: a terminal device opened by mistake must not become the server's controlling terminal.
 */
const READ_FLAGS = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK | (constants.O_NOCTTY ?? 0);

/** The checks every file the server takes in must pass, on the open descriptor (never on the path, which may change). */
function checkOpened(file: string, st: Stats, maxBytes: number): void {
  const kind = describeKind(st);
  if (kind) throw notRegular(file, kind);
  // Another name for the same inode: an `ln /secret live.js` would otherwise pass every other check.
  if (st.nlink !== 1) throw hardLinked(file, st.nlink);
  if (st.size > maxBytes) throw tooLarge(file, st.size, maxBytes);
}

function symlinkOr(file: string, err: unknown): never {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ELOOP' || code === 'EMLINK') throw notRegular(file, 'symlink');
  throw err;
}

/**
 * Collects a file's bytes up to the cap. It starts at the size fstat gave and grows to one byte past the cap, so a
 * file that grew since fstat is caught (refused), never read to its end.
 */
class CappedReader {
  buf: Buffer;
  used = 0;

  constructor(
    private readonly file: string,
    size: number,
    private readonly maxBytes: number,
  ) {
    this.buf = Buffer.alloc(Math.min(size, maxBytes) + 1);
  }

  get room(): number {
    return this.buf.length - this.used;
  }

  /** Takes a read's count; false at the end of the file. */
  more(bytesRead: number): boolean {
    if (bytesRead === 0) return false;
    this.used += bytesRead;
    if (this.used > this.maxBytes) throw tooLarge(this.file, null, this.maxBytes);
    if (this.room === 0) {
      const bigger = Buffer.alloc(Math.min(this.buf.length * 2, this.maxBytes + 1));
      this.buf.copy(bigger, 0, 0, this.used);
      this.buf = bigger;
    }
    return true;
  }

  text(): string {
    return this.buf.subarray(0, this.used).toString('utf8');
  }
}

/**
 * Reads a regular file of the server's, as UTF-8: never through a symlink, never a hard-linked, special or
 * oversized file (those throw FileRefused, unread). Null when there is no file.
 */
export async function readRegularFile(file: string, maxBytes: number): Promise<string | null> {
  let handle;
  try {
    handle = await open(file, READ_FLAGS);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    symlinkOr(file, err);
  }
  try {
    const st = await handle.stat();
    checkOpened(file, st, maxBytes);
    const reader = new CappedReader(file, st.size, maxBytes);
    while (reader.more((await handle.read(reader.buf, reader.used, reader.room, reader.used)).bytesRead));
    return reader.text();
  } finally {
    await handle.close();
  }
}

/** readRegularFile for start-up code that must stay synchronous (the pidfiles); the same checks. */
export function readRegularFileSync(file: string, maxBytes: number): string | null {
  let fd: number;
  try {
    fd = openSync(file, READ_FLAGS);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    symlinkOr(file, err);
  }
  try {
    const st = fstatSync(fd);
    checkOpened(file, st, maxBytes);
    const reader = new CappedReader(file, st.size, maxBytes);
    while (reader.more(readSync(fd, reader.buf, reader.used, reader.room, reader.used)));
    return reader.text();
  } finally {
    closeSync(fd);
  }
}
