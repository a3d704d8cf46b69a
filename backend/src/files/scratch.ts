import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { open, readdir, rm, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { ensureServerDir } from './server-dir.js';
import { checkSourceSize, DEFAULT_MAX_SOURCE_BYTES } from './source-size.js';

/**
 * O_EXCL with O_CREAT fails if anything at all is at the name, a symbolic link included (it is never followed),
 * so a link planted in advance cannot redirect the write; O_NOFOLLOW says the same for systems that need it.
 */
const CREATE_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;
/** Readable by the sandbox's uid (65534), which runs it; written only by the server. */
const SCRATCH_MODE = 0o644;

/** The scratch file was removed while it was in use: whatever ran from it says nothing about the genome. */
export class ScratchFileVanished extends Error {
  override name = 'ScratchFileVanished';
}

/**
 * A directory of private, short-lived copies of sources for runs (DATA_DIR/organisms/<name>/run, .../evolve): each
 * file has an unpredictable name, is created exclusively, lives in a directory only the server can write, and is
 * removed when its run is over.
 */
export class ScratchDir {
  readonly dir: string;

  constructor(
    private readonly root: string,
    private readonly parts: readonly string[],
    readonly maxBytes: number,
    /** Told what had to be repaired in the directory's path (it was deleted, or a link stood in its place). */
    private readonly onRepair: (what: string) => void = () => {},
  ) {
    this.dir = path.join(root, ...parts);
  }

  /**
   * Writes `source` to a fresh scratch file, runs `fn` on its path, and removes it. Throws SourceTooLarge before
   * writing anything, and ScratchFileVanished when the file was deleted while `fn` ran (its outcome is void).
   */
  async withFile<T>(source: string, fn: (file: string) => Promise<T>): Promise<T> {
    checkSourceSize(source, this.maxBytes);
    for (const what of await ensureServerDir(this.root, this.parts)) this.onRepair(what);
    const file = path.join(this.dir, `${randomBytes(16).toString('hex')}.js`);
    const writer = await open(file, CREATE_FLAGS, SCRATCH_MODE);
    let watcher: FileHandle;
    try {
      // No fsync: a scratch copy need not survive a crash (the next start removes what is left).
      await writer.writeFile(source, 'utf8');
      // Held read-only while it runs (a descriptor open for writing would, among other things, keep its file
      // system from being remounted read-only), to tell afterwards whether it was deleted meanwhile.
      watcher = await open(file, constants.O_RDONLY | constants.O_NOFOLLOW);
    } catch (err) {
      await rm(file, { force: true });
      throw err;
    } finally {
      await writer.close();
    }
    try {
      const result = await fn(file);
      // The descriptor still names the inode: no link left means someone removed the file while it ran.
      if ((await watcher.stat()).nlink === 0) {
        throw new ScratchFileVanished(`the scratch copy ${file} was deleted while it ran; that run says nothing about the genome`);
      }
      return result;
    } finally {
      await watcher.close();
      await rm(file, { force: true });
    }
  }

  /** Removes every scratch file a killed server left behind (call it only while holding the DATA_DIR lock). */
  async sweep(): Promise<void> {
    // At start a missing directory is no news (the first start makes it): nothing to report.
    await ensureServerDir(this.root, this.parts);
    for (const f of await readdir(this.dir)) await rm(path.join(this.dir, f), { recursive: true, force: true });
  }
}

/** A scratch directory at `dir` itself, for tools and tests that run sources outside a server's DATA_DIR. */
export function scratchDirAt(dir: string, maxBytes = DEFAULT_MAX_SOURCE_BYTES): ScratchDir {
  return new ScratchDir(dir, [], maxBytes);
}
