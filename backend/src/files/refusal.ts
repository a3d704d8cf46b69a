import type { Stats } from 'node:fs';

/** Why a path under DATA_DIR was not used as a file of the server's. */
export type RefusalReason = 'missing' | 'symlink' | 'hard-link' | 'fifo' | 'directory' | 'socket' | 'device' | 'too-large';

/**
 * A file the server will not read or use: not a regular file of its own (a symlink, a hard link to something
 * else, a FIFO, a directory, a device), or over the size cap. The message says what was found, for the log.
 */
export class FileRefused extends Error {
  override name = 'FileRefused';

  constructor(
    readonly file: string,
    readonly reason: RefusalReason,
    message: string,
  ) {
    super(message);
  }
}

type Kind = Exclude<RefusalReason, 'too-large' | 'hard-link' | 'missing'>;

export function describeKind(st: Stats): Kind | null {
  if (st.isFile()) return null;
  if (st.isSymbolicLink()) return 'symlink';
  if (st.isDirectory()) return 'directory';
  if (st.isFIFO()) return 'fifo';
  if (st.isSocket()) return 'socket';
  return 'device';
}

const KIND_WORDS: Record<Kind, string> = {
  symlink: 'a symbolic link',
  directory: 'a directory',
  fifo: 'a FIFO (named pipe)',
  socket: 'a socket',
  device: 'a device',
};

export function notRegular(file: string, reason: Kind): FileRefused {
  return new FileRefused(file, reason, `${file} is ${KIND_WORDS[reason]}, not a regular file; refused`);
}

export function hardLinked(file: string, links: number): FileRefused {
  return new FileRefused(file, 'hard-link', `${file} has ${links} hard links (another name points at the same file); refused`);
}

export function tooLarge(file: string, bytes: number | null, maxBytes: number): FileRefused {
  const size = bytes === null ? `more than ${maxBytes} bytes` : `${bytes} bytes`;
  return new FileRefused(file, 'too-large', `${file} is ${size}, over MAX_SOURCE_BYTES=${maxBytes}; refused`);
}
