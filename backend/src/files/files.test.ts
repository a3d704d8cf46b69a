import { execFileSync } from 'node:child_process';
import { existsSync, linkSync, lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../test/helpers/fixtures.js';
import { StorageError } from '../storage/fault.js';
import { replaceFile, StagedFile, sweepStaleTemps } from './live-file.js';
import { FileRefused } from './refusal.js';
import { readRegularFile, readRegularFileSync } from './safe-read.js';
import { ScratchDir, ScratchFileVanished } from './scratch.js';
import { ensureServerDir } from './server-dir.js';
import { SourceTooLarge } from './source-size.js';

/** Real links, FIFOs, directories and devices on the real file system: no mocks. */
const tmp = tempDir('ouroboros-files-');
afterAll(() => tmp.cleanup());
let n = 0;
const fresh = () => {
  const d = path.join(tmp.dir, `case-${n++}`);
  mkdirSync(d, { recursive: true });
  return d;
};
const mkfifo = (p: string) => execFileSync('mkfifo', [p]);
const SECRET = 'the server must never read this\n';

async function refusal(p: Promise<unknown>): Promise<FileRefused> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(FileRefused);
  return err as FileRefused;
}

describe('readRegularFile', () => {
  it('reads a regular file, and says null when there is none', async () => {
    const d = fresh();
    writeFileSync(path.join(d, 'a.js'), 'ok\n');
    expect(await readRegularFile(path.join(d, 'a.js'), 1024)).toBe('ok\n');
    expect(await readRegularFile(path.join(d, 'none.js'), 1024)).toBeNull();
    expect(readRegularFileSync(path.join(d, 'a.js'), 1024)).toBe('ok\n');
  });

  it('never follows a symbolic link, to a file or to /dev/zero', async () => {
    const d = fresh();
    writeFileSync(path.join(d, 'secret'), SECRET);
    symlinkSync(path.join(d, 'secret'), path.join(d, 'live.js'));
    symlinkSync('/dev/zero', path.join(d, 'zero.js'));
    expect((await refusal(readRegularFile(path.join(d, 'live.js'), 1 << 20))).reason).toBe('symlink');
    expect((await refusal(readRegularFile(path.join(d, 'zero.js'), 1 << 20))).reason).toBe('symlink');
    expect(() => readRegularFileSync(path.join(d, 'live.js'), 1 << 20)).toThrow(/symbolic link/);
  });

  it('refuses a hard link to another file', async () => {
    const d = fresh();
    writeFileSync(path.join(d, 'secret'), SECRET);
    linkSync(path.join(d, 'secret'), path.join(d, 'live.js'));
    const r = await refusal(readRegularFile(path.join(d, 'live.js'), 1 << 20));
    expect(r.reason).toBe('hard-link');
    expect(r.message).not.toContain(SECRET.trim());
  });

  it('refuses a FIFO at once, without a writer, and keeps the thread pool free', async () => {
    const d = fresh();
    // More FIFOs than libuv has threads (4): a blocking open on each would leave none for the read after them.
    const fifos = Array.from({ length: 8 }, (_, i) => path.join(d, `fifo-${i}.js`));
    for (const f of fifos) mkfifo(f);
    const refused = await Promise.all(fifos.map((f) => refusal(readRegularFile(f, 1024))));
    expect(refused.map((r) => r.reason)).toEqual(fifos.map(() => 'fifo'));
    writeFileSync(path.join(d, 'after.js'), 'still answering\n');
    expect(await readFile(path.join(d, 'after.js'), 'utf8')).toBe('still answering\n');
    expect(() => readRegularFileSync(fifos[0]!, 1024)).toThrow(/FIFO/);
  });

  it('refuses a directory and a device', async () => {
    const d = fresh();
    mkdirSync(path.join(d, 'live.js'));
    expect((await refusal(readRegularFile(path.join(d, 'live.js'), 1024))).reason).toBe('directory');
    expect((await refusal(readRegularFile('/dev/zero', 1024))).reason).toBe('device');
    expect(() => readRegularFileSync('/dev/zero', 1024)).toThrow(/a device/);
  });

  it('refuses a file over the cap, and takes one exactly at it', async () => {
    const d = fresh();
    writeFileSync(path.join(d, 'big.js'), 'x'.repeat(1025));
    writeFileSync(path.join(d, 'fits.js'), 'x'.repeat(1024));
    const r = await refusal(readRegularFile(path.join(d, 'big.js'), 1024));
    expect(r.reason).toBe('too-large');
    expect(r.message).toMatch(/1025 bytes, over MAX_SOURCE_BYTES=1024/);
    expect(await readRegularFile(path.join(d, 'fits.js'), 1024)).toHaveLength(1024);
  });
});

describe('replaceFile', () => {
  it('replaces a symlink, a hard link or a FIFO in its place, never writing through them', async () => {
    const d = fresh();
    const outside = path.join(d, 'outside.txt');
    writeFileSync(outside, SECRET);
    for (const plant of [
      (p: string) => symlinkSync(outside, p),
      (p: string) => linkSync(outside, p),
      (p: string) => mkfifo(p),
    ]) {
      const target = path.join(d, 'live.js');
      rmSync(target, { force: true });
      plant(target);
      await replaceFile(target, 'genome\n');
      expect(lstatSync(target).isFile()).toBe(true);
      expect(lstatSync(target).nlink).toBe(1);
      expect(readFileSync(target, 'utf8')).toBe('genome\n');
      expect(readFileSync(outside, 'utf8')).toBe(SECRET);
    }
    expect(readdirSync(d).sort()).toEqual(['live.js', 'outside.txt']);
  });

  it('fails with a StorageError naming the file when a directory stands in its place', async () => {
    const d = fresh();
    mkdirSync(path.join(d, 'live.js'));
    const err = await replaceFile(path.join(d, 'live.js'), 'genome\n').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StorageError);
    expect((err as StorageError).problem).toBe('not-a-file');
    expect((err as StorageError).message).toMatch(/live\.js.*directory.*EISDIR/);
    expect(readdirSync(d)).toEqual(['live.js']);
  });
});

/** Stage, commit, make durable, discard: the order of a promotion (see Supervisor.promote). */
async function commitWithFile<T>(file: string, content: string, commit: () => T, undo: (committed: T) => void): Promise<T> {
  const staged = await StagedFile.stage(file, content);
  try {
    const committed = staged.commit(commit, undo);
    await staged.durable();
    return committed;
  } finally {
    await staged.discard();
  }
}

describe('StagedFile', () => {
  it('commits the record, then the file', async () => {
    const d = fresh();
    const log: string[] = [];
    const r = await commitWithFile(path.join(d, 'live.js'), 'new\n', () => (log.push('commit'), 42), () => log.push('undo'));
    expect(r).toBe(42);
    expect(log).toEqual(['commit']);
    expect(readFileSync(path.join(d, 'live.js'), 'utf8')).toBe('new\n');
    expect(readdirSync(d)).toEqual(['live.js']);
  });

  it('takes the record back when the file cannot be written, and leaves nothing behind', async () => {
    const d = fresh();
    mkdirSync(path.join(d, 'live.js'));
    const log: string[] = [];
    const err = await commitWithFile(path.join(d, 'live.js'), 'new\n', () => (log.push('commit'), 7), (c) => log.push(`undo ${c}`)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StorageError);
    expect(log).toEqual(['commit', 'undo 7']);
    expect(readdirSync(d)).toEqual(['live.js']);
  });

  it('never commits when the new content cannot even be staged', async () => {
    const d = fresh();
    const log: string[] = [];
    const err = await commitWithFile(path.join(d, 'gone', 'live.js'), 'new\n', () => log.push('commit'), () => log.push('undo')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect(log).toEqual([]);
  });

  it('stages copies side by side without showing them, and commits them in the order asked', async () => {
    const d = fresh();
    const file = path.join(d, 'live.js');
    writeFileSync(file, 'old\n');
    const [a, b] = await Promise.all([StagedFile.stage(file, 'a\n'), StagedFile.stage(file, 'b\n')]);
    expect(readFileSync(file, 'utf8')).toBe('old\n');
    b.commit(() => 'b', () => {});
    expect(readFileSync(file, 'utf8')).toBe('b\n');
    a.commit(() => 'a', () => {});
    expect(readFileSync(file, 'utf8')).toBe('a\n');
    await Promise.all([a.discard(), b.discard()]);
    expect(readdirSync(d)).toEqual(['live.js']);
  });

  it('removes a staged copy that a failed record left unused, and refuses to use one twice', async () => {
    const d = fresh();
    const file = path.join(d, 'live.js');
    writeFileSync(file, 'old\n');
    const staged = await StagedFile.stage(file, 'new\n');
    expect(() => staged.commit(() => { throw new Error('stale'); }, () => {})).toThrow('stale');
    await staged.discard();
    expect(readdirSync(d)).toEqual(['live.js']);
    expect(readFileSync(file, 'utf8')).toBe('old\n');
    expect(() => staged.commit(() => 1, () => {})).toThrow(/already used/);
  });
});

describe('sweepStaleTemps', () => {
  it('removes the temporary files of interrupted atomic writes, and nothing else', async () => {
    const d = fresh();
    for (const f of ['.live.js.123.0a1b2c.tmp', '.package.json.9.ff.tmp', 'live.js', '.hidden', 'x.tmp']) writeFileSync(path.join(d, f), '');
    expect((await sweepStaleTemps(d)).sort()).toEqual(['.live.js.123.0a1b2c.tmp', '.package.json.9.ff.tmp']);
    expect(readdirSync(d).sort()).toEqual(['.hidden', 'live.js', 'x.tmp']);
  });
});

describe('ScratchDir', () => {
  it('writes each copy under an unpredictable name, readable by others, in a directory only the server writes', async () => {
    const root = fresh();
    const scratch = new ScratchDir(root, ['organisms', 'o', 'run'], 1024);
    const seen: string[] = [];
    for (let i = 0; i < 2; i++) {
      await scratch.withFile('src\n', async (file) => {
        seen.push(path.basename(file));
        expect(readFileSync(file, 'utf8')).toBe('src\n');
        expect(statSync(file).mode & 0o777).toBe(0o644);
      });
    }
    expect(seen[0]).toMatch(/^[0-9a-f]{32}\.js$/);
    expect(seen[0]).not.toBe(seen[1]);
    expect(readdirSync(scratch.dir)).toEqual([]);
    for (const d of ['organisms', 'organisms/o', 'organisms/o/run']) expect(statSync(path.join(root, d)).mode & 0o777).toBe(0o711);
  });

  it('replaces a symlink planted in place of its directory, and writes nothing outside', async () => {
    const root = fresh();
    const outside = path.join(root, 'outside');
    mkdirSync(outside);
    mkdirSync(path.join(root, 'organisms', 'o'), { recursive: true });
    symlinkSync(outside, path.join(root, 'organisms', 'o', 'run'));
    const repaired: string[] = [];
    const scratch = new ScratchDir(root, ['organisms', 'o', 'run'], 1024, (w) => repaired.push(w));
    await scratch.withFile('src\n', async (file) => expect(path.dirname(file)).toBe(scratch.dir));
    expect(lstatSync(scratch.dir).isDirectory()).toBe(true);
    expect(readdirSync(outside)).toEqual([]);
    expect(repaired.join()).toMatch(/run was a symbolic link/);
  });

  it('drops group and other write bits from a directory it finds', async () => {
    const root = fresh();
    mkdirSync(path.join(root, 'run'), { mode: 0o777 });
    execFileSync('chmod', ['0777', path.join(root, 'run')]);
    await ensureServerDir(root, ['run']);
    expect(statSync(path.join(root, 'run')).mode & 0o022).toBe(0);
  });

  it('writes nothing for a source over the cap', async () => {
    const root = fresh();
    const scratch = new ScratchDir(root, ['run'], 1024);
    await expect(scratch.withFile('x'.repeat(2000), async () => 'ran')).rejects.toBeInstanceOf(SourceTooLarge);
    expect(existsSync(scratch.dir) ? readdirSync(scratch.dir) : []).toEqual([]);
  });

  it('voids the outcome of a run whose file was deleted while it ran', async () => {
    const root = fresh();
    const scratch = new ScratchDir(root, ['run'], 1024);
    await expect(scratch.withFile('src\n', async (file) => (unlinkSync(file), 'crashed'))).rejects.toBeInstanceOf(ScratchFileVanished);
  });

  it('sweeps what a killed server left, links and directories included', async () => {
    const root = fresh();
    const scratch = new ScratchDir(root, ['run'], 1024);
    await scratch.sweep();
    writeFileSync(path.join(scratch.dir, 'old.js'), '');
    mkfifo(path.join(scratch.dir, 'fifo.js'));
    symlinkSync('/etc/passwd', path.join(scratch.dir, 'link.js'));
    mkdirSync(path.join(scratch.dir, 'dir.js'));
    await scratch.sweep();
    expect(readdirSync(scratch.dir)).toEqual([]);
    expect(existsSync('/etc/passwd')).toBe(true);
  });
});
