import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { GenomeStore } from '../src/genome/store.js';
import { tempDir, waitFor } from './helpers/fixtures.js';
import { freePort, startServer, type ServerProcess } from './helpers/server-process.js';

/**
 * "Nothing lost" when the storage fails: a DATA_DIR that cannot be written, a full disk, a damaged or locked store,
 * a missing organism. At start: one line `cannot start: ...` naming the problem, a non-zero exit, and the data left
 * as it was. While running: 503 STORAGE_UNAVAILABLE naming the problem for changes, reads still answered, /health
 * saying what is wrong, and the data intact at the next start.
 *
 * Read-only and full file systems are real: small tmpfs mounts (root in a container with CAP_SYS_ADMIN). Where
 * mounting is not allowed those cases are skipped, and say so.
 */
const BACKEND = fileURLToPath(new URL('..', import.meta.url));
const LIGHT = { ORGANISMS: 'bubble-sort', ORGANISM: 'bubble-sort', LOOP_INTERVAL_MS: '100' };

const tmp = tempDir('ouroboros-storage-');
const mounts: string[] = [];

function mountTmpfs(dir: string, options: string): boolean {
  mkdirSync(dir, { recursive: true });
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', dir], { stdio: 'ignore' });
    mounts.push(dir);
    return true;
  } catch {
    return false;
  }
}

function unmount(dir: string): void {
  try {
    execFileSync('umount', ['-l', dir], { stdio: 'ignore' });
  } catch {
    // not mounted
  }
  const i = mounts.indexOf(dir);
  if (i >= 0) mounts.splice(i, 1);
}

const canMount = (() => {
  const probe = path.join(tmp.dir, 'mount-probe');
  if (!mountTmpfs(probe, 'size=64k')) return false;
  unmount(probe);
  return true;
})();
const SKIPPED = canMount ? '' : ' (skipped: mounting a tmpfs needs CAP_SYS_ADMIN, root in a privileged container)';

afterAll(() => {
  for (const m of [...mounts]) unmount(m);
  tmp.cleanup();
});

/** Fills the file system holding `dir` to the last byte. */
function fill(dir: string): string {
  const filler = path.join(dir, 'filler');
  const fd = openSync(filler, 'w');
  try {
    for (const size of [1024 * 1024, 64 * 1024, 4096, 512, 1]) {
      const chunk = Buffer.alloc(size, 1);
      for (;;) {
        try {
          writeSync(fd, chunk);
        } catch {
          break;
        }
      }
    }
  } finally {
    closeSync(fd);
  }
  return filler;
}

const sha = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

/** A store with some history, closed (checkpointed into the main file). */
function makeStore(file: string): void {
  const store = new GenomeStore(file);
  let live = store.promote(null, { organism: 'bubble-sort', source: 'genome 0\n', cause: 'seed', summary: 'seed' });
  for (let i = 1; i <= 20; i++) {
    live = store.promote(live.id, { organism: 'bubble-sort', source: `genome ${i}\n${'x'.repeat(400)}\n`, cause: 'chaos', summary: `chaos ${i}` });
    for (let r = 0; r < 10; r++) {
      store.insertRun({ organism: 'bubble-sort', genomeId: live.id, generation: live.generation, seed: r, startedAt: new Date().toISOString(), durationMs: 5, exitCode: 0, signal: null, verdict: 'ok', error: null, trial: false });
    }
  }
  store.close();
}

interface Failed {
  code: number | null;
  out: string;
  ms: number;
}

/** Starts the server, expecting it to refuse. */
async function startFails(env: Record<string, string>, timeoutMs = 30_000): Promise<Failed> {
  const started = Date.now();
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: BACKEND,
    env: { ...process.env, LOG_LEVEL: 'warn', LOG_PRETTY: 'false', ...LIGHT, ...env, PORT: String(await freePort()), HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
  clearTimeout(timer);
  return { code, out, ms: Date.now() - started };
}

/** Exactly one `cannot start:` line, which says all of `phrases`. */
function expectOneClearLine(r: Failed, ...phrases: (string | RegExp)[]): string {
  expect(r.code, r.out).not.toBe(0);
  expect(r.code, r.out).not.toBeNull();
  const lines = r.out.split('\n').filter((l) => l.startsWith('cannot start: '));
  expect(lines, r.out).toHaveLength(1);
  for (const p of phrases) expect(lines[0]).toMatch(p);
  return lines[0]!;
}

/** A second process that holds the store's write lock (BEGIN EXCLUSIVE) until it is killed. */
async function holdLock(file: string): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    ['-e', `const D = require('better-sqlite3'); const db = new D(${JSON.stringify(file)}, { timeout: 10000 }); db.exec('BEGIN EXCLUSIVE'); process.stdout.write('locked\\n'); setInterval(() => {}, 1000);`],
    { cwd: BACKEND, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  await new Promise<void>((resolve, reject) => {
    child.once('exit', (c) => reject(new Error(`the lock holder exited with ${c}`)));
    child.stdout!.on('data', (c: Buffer) => {
      if (c.toString().includes('locked')) resolve();
    });
  });
  child.removeAllListeners('exit');
  return child;
}

async function release(holder: ChildProcess): Promise<void> {
  if (holder.exitCode !== null || holder.signalCode !== null) return;
  const gone = new Promise((r) => holder.once('exit', r));
  holder.kill('SIGKILL');
  await gone;
}

async function json(base: string, p: string, init?: RequestInit): Promise<{ status: number; body: any }> {
  const res = await fetch(`${base}${p}`, { ...init, headers: init?.body ? { 'content-type': 'application/json' } : undefined });
  return { status: res.status, body: await res.json() };
}

const chaos = (base: string) => json(base, '/chaos', { method: 'POST', body: JSON.stringify({ chaos_type: 'delete_line' }) });

describe('start-up: one clear line, a non-zero exit, nothing changed', () => {
  it('DATA_DIR is a file', async () => {
    const file = path.join(tmp.dir, 'data-is-a-file');
    writeFileSync(file, 'precious\n');
    const r = await startFails({ DATA_DIR: file });
    expectOneClearLine(r, file, /is a file, not a folder/, /Nothing was changed/);
    expect(readFileSync(file, 'utf8')).toBe('precious\n');
  });

  it('a parent of DATA_DIR is a file', async () => {
    const file = path.join(tmp.dir, 'parent-is-a-file');
    writeFileSync(file, 'precious\n');
    const r = await startFails({ DATA_DIR: path.join(file, 'data') });
    expectOneClearLine(r, `${file} is a file, not a folder`);
    expect(readFileSync(file, 'utf8')).toBe('precious\n');
  });

  it('the store is not a database (overwritten with garbage): named, and left untouched', async () => {
    const dir = path.join(tmp.dir, 'garbage');
    mkdirSync(dir);
    const db = path.join(dir, 'ouroboros.db');
    writeFileSync(db, Buffer.from(Array.from({ length: 64 * 1024 }, (_, i) => (i * 7919) & 0xff)));
    const before = sha(db);
    const r = await startFails({ DATA_DIR: dir });
    expectOneClearLine(r, db, /not a SQLite database/, /SQLITE_NOTADB/, /left untouched/);
    expect(sha(db)).toBe(before);
    // Only the DATA_DIR lock (ouroboros.lock, and who holds it) besides the store: no journal, no WAL.
    expect(readdirSync(dir).filter((f) => !f.startsWith('ouroboros.lock'))).toEqual(['ouroboros.db']);
  });

  it('the store is damaged inside (valid header, broken pages): named, and left untouched', async () => {
    const dir = path.join(tmp.dir, 'damaged');
    const db = path.join(dir, 'ouroboros.db');
    makeStore(db);
    const bytes = readFileSync(db);
    for (let i = 4096; i < bytes.length; i++) bytes[i] = (i * 31) & 0xff;
    writeFileSync(db, bytes);
    const before = sha(db);
    const r = await startFails({ DATA_DIR: dir });
    expectOneClearLine(r, db, /corrupted/, /left untouched/, /backup/);
    expect(sha(db)).toBe(before);
  });

  it('the store is locked by another process: named after the busy timeout, and left untouched', async () => {
    const dir = path.join(tmp.dir, 'locked');
    const db = path.join(dir, 'ouroboros.db');
    makeStore(db);
    const before = sha(db);
    const holder = await holdLock(db);
    try {
      const r = await startFails({ DATA_DIR: dir });
      expectOneClearLine(r, db, /locked by another process/, /SQLITE_BUSY/, /another Ouroboros server/);
      expect(r.ms).toBeGreaterThanOrEqual(5000);
    } finally {
      await release(holder);
    }
    expect(sha(db)).toBe(before);
  }, 40_000);

  it('a missing organism: the message lists the ones found', async () => {
    const one = await startFails({ DATA_DIR: path.join(tmp.dir, 'nope-1'), ORGANISMS: '', ORGANISM: 'nope' });
    expectOneClearLine(one, /No organism "nope"/, /ORGANISM=nope/, /Found: bubble-sort, json-transform, prime-sieve/);
    const two = await startFails({ DATA_DIR: path.join(tmp.dir, 'nope-2'), ORGANISMS: 'bubble-sort,nope' });
    expectOneClearLine(two, /No organism "nope"/, /ORGANISMS=bubble-sort,nope/, /Found: bubble-sort, json-transform, prime-sieve/);
  });

  it.skipIf(!canMount)(`DATA_DIR on a read-only file system, with data in it${SKIPPED}`, async () => {
    const dir = path.join(tmp.dir, 'ro');
    expect(mountTmpfs(dir, 'size=16m')).toBe(true);
    const db = path.join(dir, 'ouroboros.db');
    makeStore(db);
    const before = sha(db);
    execFileSync('mount', ['-o', 'remount,ro', dir]);
    const r = await startFails({ DATA_DIR: dir });
    expectOneClearLine(r, dir, /read-only/, /EROFS/, /Nothing in it was changed/);
    expect(sha(db)).toBe(before);
    unmount(dir);
  });

  it.skipIf(!canMount)(`DATA_DIR on a full disk, with data in it${SKIPPED}`, async () => {
    const dir = path.join(tmp.dir, 'full');
    expect(mountTmpfs(dir, 'size=16m')).toBe(true);
    const db = path.join(dir, 'ouroboros.db');
    makeStore(db);
    const before = sha(db);
    fill(dir);
    const r = await startFails({ DATA_DIR: dir });
    expectOneClearLine(r, dir, /the disk is full/, /Free some space/);
    expect(sha(db)).toBe(before);
    unmount(dir);
  });
});

describe('while running: 503 naming the problem for changes, reads answered, /health says it, data kept', () => {
  let server: ServerProcess | null = null;
  afterAll(async () => {
    await server?.stop();
  });

  it.skipIf(!canMount)(`the disk fills up${SKIPPED}`, async () => {
    const dir = path.join(tmp.dir, 'fills-up');
    expect(mountTmpfs(dir, 'size=24m')).toBe(true);
    server = await startServer({ ...LIGHT, DATA_DIR: dir });
    const base = server.url;
    await waitFor(() => json(base, '/status'), (r) => r.body.state === 'healthy' && r.body.stats.totalRuns > 0, { what: 'healthy' });
    const made = await chaos(base);
    expect(made.status).toBe(200);
    const before = (await json(base, '/genomes?limit=500')).body.genomes.map((g: any) => g.id);

    const filler = fill(dir);
    const refused = await chaos(base);
    expect(refused.status).toBe(503);
    expect(refused.body.code).toBe('STORAGE_UNAVAILABLE');
    expect(refused.body.message).toMatch(/disk is full/);
    // Reads keep working.
    expect((await json(base, '/status')).status).toBe(200);
    expect((await json(base, '/logs?limit=5')).status).toBe(200);
    const during = await json(base, '/genomes?limit=500');
    expect(during.status).toBe(200);
    expect(during.body.genomes.map((g: any) => g.id)).toEqual(before);
    const health = await waitFor(() => json(base, '/health'), (r) => r.status === 503 && r.body.storage?.problem === 'disk-full', { what: '/health reporting a full disk', timeoutMs: 10_000 });
    expect(health.body.storage.message).toMatch(/disk is full/);

    // Room again: changes are accepted again, and after a restart everything is there and runs go on.
    rmSync(filler);
    await waitFor(() => json(base, '/health'), (r) => r.body.storage === undefined, { what: '/health without a storage fault', timeoutMs: 10_000 });
    expect((await server.stop()).code).toBe(0);
    server = await startServer({ ...LIGHT, DATA_DIR: dir });
    const after = (await json(server.url, '/genomes?limit=500')).body.genomes.map((g: any) => g.id);
    for (const id of before) expect(after).toContain(id);
    const runs = (await json(server.url, '/status')).body.stats.totalRuns;
    await waitFor(() => json(server!.url, '/status'), (r) => r.body.stats.totalRuns > runs && r.body.state === 'healthy', { what: 'runs after the restart', timeoutMs: 20_000 });
    expect((await chaos(server.url)).status).toBe(200);
    await server.stop();
    server = null;
    unmount(dir);
  }, 90_000);

  it.skipIf(!canMount)(`the organism's folder turns read-only while the store can still be written${SKIPPED}`, async () => {
    const dir = path.join(tmp.dir, 'organism-read-only');
    const orgDir = path.join(dir, 'organisms', 'bubble-sort');
    expect(mountTmpfs(orgDir, 'size=4m')).toBe(true);
    server = await startServer({ ...LIGHT, DATA_DIR: dir });
    const base = server.url;
    await waitFor(() => json(base, '/status'), (r) => r.body.state === 'healthy' && r.body.stats.totalRuns > 0, { what: 'healthy' });
    const before = (await json(base, '/genomes?limit=500')).body.genomes.map((g: any) => g.id);
    const liveBefore = readFileSync(path.join(orgDir, 'live.js'), 'utf8');

    // A run's scratch copy is open for writing for a moment each run: the remount waits for a moment without one.
    await waitFor(() => {
      try {
        execFileSync('mount', ['-o', 'remount,ro', orgDir], { stdio: 'ignore' });
        return true;
      } catch {
        return false;
      }
    }, (done) => done, { what: 'a read-only remount', intervalMs: 5, timeoutMs: 30_000 });
    // live.js cannot be written: the store is not changed either (one unit), and the answer says why.
    const refused = await chaos(base);
    expect(refused.status).toBe(503);
    expect(refused.body.code).toBe('STORAGE_UNAVAILABLE');
    expect(refused.body.message).toMatch(/live\.js.*read-only.*EROFS/);
    expect((await json(base, '/genomes?limit=500')).body.genomes.map((g: any) => g.id)).toEqual(before);
    expect(readFileSync(path.join(orgDir, 'live.js'), 'utf8')).toBe(liveBefore);

    execFileSync('mount', ['-o', 'remount,rw', orgDir]);
    expect((await chaos(base)).status).toBe(200);
    await waitFor(() => json(base, '/status'), (r) => r.body.state === 'healthy', { what: 'healed after the fault', timeoutMs: 60_000 });
    await server.stop();
    server = null;
    unmount(orgDir);
  }, 180_000);

  it('another process locks the store', async () => {
    const dir = path.join(tmp.dir, 'locked-while-running');
    server = await startServer({ ...LIGHT, DATA_DIR: dir });
    const base = server.url;
    await waitFor(() => json(base, '/status'), (r) => r.body.state === 'healthy' && r.body.stats.totalRuns > 0, { what: 'healthy' });
    const before = (await json(base, '/genomes?limit=500')).body.genomes.map((g: any) => g.id);

    const holder = await holdLock(path.join(dir, 'ouroboros.db'));
    try {
      const refused = await chaos(base);
      expect(refused.status).toBe(503);
      expect(refused.body.code).toBe('STORAGE_UNAVAILABLE');
      expect(refused.body.message).toMatch(/locked by another process/);
      const during = await json(base, '/genomes?limit=500');
      expect(during.status).toBe(200);
      expect(during.body.genomes.map((g: any) => g.id)).toEqual(before);
      const health = await json(base, '/health');
      expect(health.status).toBe(503);
      expect(health.body.storage.problem).toBe('locked');
    } finally {
      await release(holder);
    }
    // The watcher outlives the fault: once the lock is gone its runs resume, without a restart.
    const runsThen = (await json(base, '/status')).body.stats.totalRuns;
    await waitFor(() => json(base, '/status'), (r) => r.body.stats.totalRuns > runsThen && r.body.state === 'healthy', {
      what: 'runs resuming without a restart',
      timeoutMs: 30_000,
    });
    await waitFor(() => json(base, '/health'), (r) => r.status === 200, { what: '/health to clear', timeoutMs: 10_000 });
    await server.stop();
    server = await startServer({ ...LIGHT, DATA_DIR: dir });
    const after = (await json(server.url, '/genomes?limit=500')).body.genomes.map((g: any) => g.id);
    expect(after).toEqual(before);
    await server.stop();
    server = null;
  }, 90_000);
});
