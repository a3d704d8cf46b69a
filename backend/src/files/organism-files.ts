import { lstat } from 'node:fs/promises';
import path from 'node:path';
import { replaceFile, StagedFile, sweepStaleTemps } from './live-file.js';
import { FileRefused } from './refusal.js';
import { readRegularFile } from './safe-read.js';
import { ScratchDir } from './scratch.js';
import { ensureServerDir } from './server-dir.js';

/** Genomes are CommonJS scripts wherever DATA_DIR lives, even under a package.json that says "module". */
const PACKAGE_JSON = '{ "type": "commonjs" }\n';

/** Something about an organism's files that the server could not put right: /health reports it as degraded. */
export interface FileFault {
  message: string;
  since: string;
}

/**
 * The files of one organism under DATA_DIR/organisms/<name>: the live genome (live.js), the package.json that
 * makes it CommonJS, and the run directory of scratch copies. Every read and write goes through src/files, so
 * nothing here follows a link, reads a special file or takes in more than MAX_SOURCE_BYTES.
 */
export class OrganismFiles {
  readonly dir: string;
  readonly liveFile: string;
  readonly packageJson: string;
  /** Each run executes a private copy, so a promotion mid-run cannot change which code the run is blamed on. */
  readonly runs: ScratchDir;
  private problem: FileFault | null = null;

  constructor(
    private readonly dataDir: string,
    name: string,
    readonly maxBytes: number,
    /** Told, in words, of every repair and every problem (once per distinct problem). */
    private readonly report: (level: 'info' | 'warn' | 'error', text: string) => void,
  ) {
    this.dir = path.join(dataDir, 'organisms', name);
    this.liveFile = path.join(this.dir, 'live.js');
    this.packageJson = path.join(this.dir, 'package.json');
    this.runs = new ScratchDir(dataDir, ['organisms', name, 'run'], maxBytes, (what) => this.report('warn', what));
  }

  /** What is wrong now and could not be repaired, or null. */
  get fault(): FileFault | null {
    return this.problem;
  }

  private get parts(): string[] {
    return path.relative(this.dataDir, this.dir).split(path.sep);
  }

  /** At start, holding the DATA_DIR lock: the directories, package.json, and no scratch or temporary file left over. */
  async prepare(): Promise<void> {
    await ensureServerDir(this.dataDir, this.parts);
    await replaceFile(this.packageJson, PACKAGE_JSON);
    await sweepStaleTemps(this.dir);
    await this.runs.sweep();
  }

  /** live.js as it is on disk; FileRefused (reason `missing` when there is none) for anything the server will not take in. */
  async readLive(): Promise<string | FileRefused> {
    try {
      const text = await readRegularFile(this.liveFile, this.maxBytes);
      return text ?? new FileRefused(this.liveFile, 'missing', `${this.liveFile} is missing`);
    } catch (err) {
      if (err instanceof FileRefused) return err;
      throw err;
    }
  }

  /**
   * Cheap, for every loop: the directory is a directory, package.json and live.js are regular files with one
   * link. True when all is in order (and any fault is over).
   */
  async intact(): Promise<boolean> {
    const [dir, pkg, live] = await Promise.all([this.dir, this.packageJson, this.liveFile].map((p) => lstat(p).catch(() => null)));
    const ok = !!dir?.isDirectory() && !!pkg?.isFile() && pkg.nlink === 1 && !!live?.isFile() && live.nlink === 1;
    if (ok) this.settle(null);
    return ok;
  }

  /**
   * Puts the organism's files back from the store: the directory (made again when organisms/ was deleted),
   * package.json, and live.js when it is missing or refused (a link, a FIFO, a directory, too large). An outside
   * edit (a regular file with other content) is left for the watcher. What cannot be repaired becomes the fault.
   */
  async restore(liveSource: string): Promise<void> {
    try {
      const repaired = await ensureServerDir(this.dataDir, this.parts);
      if ((await readRegularFile(this.packageJson, 4096).catch(() => null)) !== PACKAGE_JSON) {
        await replaceFile(this.packageJson, PACKAGE_JSON);
      }
      const live = await this.readLive();
      if (live instanceof FileRefused) {
        await replaceFile(this.liveFile, liveSource);
        repaired.push(`${live.message}: live.js rewritten from the live genome`);
      }
      for (const what of repaired) this.report('warn', what);
      this.settle(null);
    } catch (err) {
      this.settle(`${(err as Error).message}; runs go on from scratch copies, and the server retries`);
    }
  }

  /** Replaces live.js with `source` (at start, when a promotion was cut short between the store and the file). */
  rewriteLive(source: string): Promise<void> {
    return replaceFile(this.liveFile, source);
  }

  /**
   * The first half of a promotion: the new live.js staged beside the old one (see StagedFile), outside any lock. A
   * deleted organisms/ is made again first: that alone is no reason to refuse a change.
   */
  async stageLive(source: string): Promise<StagedFile> {
    for (const what of await ensureServerDir(this.dataDir, this.parts)) this.report('warn', what);
    return StagedFile.stage(this.liveFile, source);
  }

  private settle(problem: string | null): void {
    if (problem === null) {
      if (this.problem) this.report('info', `the files of this organism are in order again (${this.problem.message.split(';')[0]} is over)`);
      this.problem = null;
      return;
    }
    if (this.problem?.message === problem) return;
    this.problem = { message: problem, since: this.problem?.since ?? new Date().toISOString() };
    this.report('error', problem);
  }
}
