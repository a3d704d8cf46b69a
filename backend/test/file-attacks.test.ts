import { execFileSync, spawn } from 'node:child_process';
import { existsSync, linkSync, lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir, waitFor } from './helpers/fixtures.js';
import { freePort, startServer, type ServerProcess } from './helpers/server-process.js';

/**
 * The attacks of issue 20 on the server's own files under DATA_DIR, each against the real server: links, FIFOs,
 * devices, directories and oversized files planted where the server reads or writes, its folders deleted while
 * it runs, a second server on the same DATA_DIR. Each time: no file outside DATA_DIR is written or read into a
 * genome, nothing hangs, the store and live.js stay one, and the organism is never blamed for it.
 */
const BACKEND = fileURLToPath(new URL('..', import.meta.url));
const LIGHT = { ORGANISMS: 'bubble-sort', ORGANISM: 'bubble-sort', LOOP_INTERVAL_MS: '100' };
const SECRET = 'TOP-SECRET-0b8e2c: never a genome\n';

const tmp = tempDir('ouroboros-file-attacks-');
const servers: ServerProcess[] = [];
afterAll(async () => {
  for (const s of servers) await s.stop();
  tmp.cleanup();
});

async function start(dataDir: string, env: Record<string, string> = {}): Promise<ServerProcess> {
  const s = await startServer({ ...LIGHT, DATA_DIR: dataDir, ...env });
  servers.push(s);
  return s;
}

async function get(base: string, p: string): Promise<any> {
  const res = await fetch(`${base}${p}`, { signal: AbortSignal.timeout(20_000) });
  return res.json();
}

async function post(base: string, p: string, body: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(`${base}${p}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    // Not a speed check: a request the server never answers fails here instead of hanging the suite.
    signal: AbortSignal.timeout(20_000),
  });
  return { status: res.status, body: await res.json() };
}

const runsOf = async (base: string) => (await get(base, '/status')).stats.totalRuns as number;
/** Waits until `count` more runs were recorded: the loop goes on. */
async function moreRuns(base: string, count = 3): Promise<void> {
  const from = await runsOf(base);
  await waitFor(() => runsOf(base), (n) => n >= from + count, { what: `${count} more runs`, timeoutMs: 30_000 });
}

async function allGenomes(base: string): Promise<any[]> {
  return (await get(base, '/genomes?limit=500')).genomes;
}

/** The secret appears nowhere the API shows: genomes (sources and diffs), logs, status. */
async function expectNoSecret(base: string): Promise<void> {
  for (const g of await allGenomes(base)) {
    const full = await get(base, `/genomes/${g.id}`);
    expect(JSON.stringify(full)).not.toContain('TOP-SECRET');
  }
  expect(JSON.stringify(await get(base, '/logs?limit=1000'))).not.toContain('TOP-SECRET');
  expect(JSON.stringify(await get(base, '/status'))).not.toContain('TOP-SECRET');
}

/** live.js is a regular file of its own holding the live genome. */
async function liveFileRestored(base: string, dataDir: string): Promise<void> {
  const live = path.join(dataDir, 'organisms', 'bubble-sort', 'live.js');
  await waitFor(
    async () => {
      const st = lstatSync(live, { throwIfNoEntry: false });
      if (!st?.isFile() || st.nlink !== 1) return false;
      const status = await get(base, '/status');
      return readFileSync(live, 'utf8') === (await get(base, `/genomes/${status.genomeId}`)).source;
    },
    (ok) => ok,
    { what: 'live.js rewritten from the live genome', timeoutMs: 20_000 },
  );
}

describe('attacks on the files under DATA_DIR, against a running server', () => {
  const dataDir = path.join(tmp.dir, 'running');
  const orgDir = path.join(dataDir, 'organisms', 'bubble-sort');
  const liveJs = path.join(orgDir, 'live.js');
  const outside = path.join(tmp.dir, 'outside');
  let server: ServerProcess;
  let base: string;

  it('starts', async () => {
    mkdirSync(outside, { recursive: true });
    server = await start(dataDir);
    base = server.url;
    await waitFor(() => get(base, '/status'), (s) => s.state === 'healthy' && s.stats.totalRuns > 0, { what: 'healthy' });
  }, 90_000);

  it('a symlink at the scratch file of the live genome (run/<genomeId>.js) writes nothing outside DATA_DIR', async () => {
    const target = path.join(outside, 'overwrite-me');
    writeFileSync(target, 'untouched\n');
    const { genomeId } = await get(base, '/status');
    const planted = path.join(orgDir, 'run', `${genomeId}.js`);
    symlinkSync(target, planted);
    try {
      await moreRuns(base);
      expect(readFileSync(target, 'utf8')).toBe('untouched\n');
    } finally {
      rmSync(planted, { force: true });
    }
  }, 90_000);

  it('a FIFO at the scratch file of the live genome stalls nothing', async () => {
    const { genomeId } = await get(base, '/status');
    const planted = path.join(orgDir, 'run', `${genomeId}.js`);
    execFileSync('mkfifo', [planted]);
    try {
      await moreRuns(base);
      expect((await post(base, '/chaos', { chaos_type: 'syntax_error' })).status).toBe(200);
      await waitFor(() => get(base, '/status'), (s) => s.state === 'healthy' && s.lastMutation?.cause === 'heal', { what: 'healed', timeoutMs: 30_000 });
    } finally {
      rmSync(planted, { force: true });
    }
  }, 90_000);

  for (const [name, plant] of [
    ['a symbolic link to a secret', (secret: string) => symlinkSync(secret, liveJs)],
    ['a hard link to a secret', (secret: string) => linkSync(secret, liveJs)],
  ] as const) {
    it(`${name} in place of live.js is never taken in, and live.js is rewritten`, async () => {
      const secret = path.join(outside, `secret-${name.length}`);
      writeFileSync(secret, SECRET);
      const before = (await allGenomes(base)).length;
      plantInstead(liveJs, () => plant(secret));
      await liveFileRestored(base, dataDir);
      await moreRuns(base);
      expect((await allGenomes(base)).length).toBe(before);
      expect((await allGenomes(base)).some((g) => g.cause === 'external')).toBe(false);
      await expectNoSecret(base);
      expect(readFileSync(secret, 'utf8')).toBe(SECRET);
      const logs = JSON.stringify(await get(base, '/logs?limit=200'));
      expect(logs).toMatch(name.includes('hard') ? /hard links/ : /symbolic link/);
    }, 90_000);
  }

  it('a FIFO in place of live.js hangs neither chaos nor the loop', async () => {
    plantInstead(liveJs, () => execFileSync('mkfifo', [liveJs], { stdio: 'pipe' }));
    const chaos = await post(base, '/chaos', { chaos_type: 'syntax_error' });
    expect(chaos.status).toBe(200);
    await liveFileRestored(base, dataDir);
    await waitFor(() => get(base, '/status'), (s) => s.state === 'healthy', { what: 'healed', timeoutMs: 30_000 });
    await moreRuns(base);
    expect((await get(base, '/health')).status).toBe('ok');
  }, 90_000);

  it('/dev/zero in place of live.js (a link, and the device itself) is refused unread', async () => {
    const before = (await allGenomes(base)).length;
    plantInstead(liveJs, () => symlinkSync('/dev/zero', liveJs));
    await liveFileRestored(base, dataDir);
    if (process.getuid?.() === 0) {
      plantInstead(liveJs, () => execFileSync('mknod', [liveJs, 'c', '1', '5'], { stdio: 'pipe' })); // the same device as /dev/zero
      await liveFileRestored(base, dataDir);
    }
    await moreRuns(base);
    expect((await allGenomes(base)).length).toBe(before);
  }, 90_000);

  it('an oversized live.js is refused, not stored, and rewritten', async () => {
    const before = (await allGenomes(base)).length;
    writeFileSync(liveJs, `// ${'x'.repeat(300 * 1024)}\n`);
    await liveFileRestored(base, dataDir);
    expect((await allGenomes(base)).length).toBe(before);
    expect(JSON.stringify(await get(base, '/logs?limit=200'))).toMatch(/over MAX_SOURCE_BYTES=262144/);
  }, 90_000);

  it('a directory in place of live.js: chaos answers 503 and changes nothing; /health says degraded until it is gone', async () => {
    const before = await allGenomes(base);
    const live = (await get(base, '/status')).genomeId;
    plantInstead(liveJs, () => mkdirSync(liveJs));
    const refused = await post(base, '/chaos', { chaos_type: 'delete_line' });
    expect(refused.status).toBe(503);
    expect(refused.body.code).toBe('STORAGE_UNAVAILABLE');
    expect(refused.body.message).toMatch(/live\.js.*directory/);
    expect((await allGenomes(base)).map((g) => g.id)).toEqual(before.map((g) => g.id));
    expect((await get(base, '/status')).genomeId).toBe(live);
    const health = await waitFor(() => get(base, '/health'), (h) => h.status === 'degraded', { what: '/health degraded' });
    expect(health.organisms[0].files.message).toMatch(/live\.js/);
    await moreRuns(base);
    // Not BUSY for ever: once the directory is gone, the next chaos lands.
    rmSync(liveJs, { recursive: true });
    await liveFileRestored(base, dataDir);
    await waitFor(() => get(base, '/health'), (h) => h.status === 'ok', { what: '/health ok again' });
    expect((await post(base, '/chaos', { chaos_type: 'delete_line' })).status).toBe(200);
    await waitFor(() => get(base, '/status'), (s) => s.state === 'healthy', { what: 'healed', timeoutMs: 30_000 });
  }, 90_000);

  it('deleting live.js puts it back without a promotion', async () => {
    const { generation } = await get(base, '/status');
    rmSync(liveJs, { recursive: true, force: true });
    await liveFileRestored(base, dataDir);
    expect((await get(base, '/status')).generation).toBe(generation);
  }, 90_000);

  it('deleting organisms/ while running: made again from the store, runs go on, the genome is not blamed', async () => {
    const { generation, genomeId } = await get(base, '/status');
    const heals = (await allGenomes(base)).filter((g) => g.cause === 'heal').length;
    // The server may write into it while it goes (a run's scratch copy, a host's files): the deletion tries again,
    // as a person's `rm -rf` run twice would.
    rmSync(path.join(dataDir, 'organisms'), { recursive: true, maxRetries: 10, retryDelay: 20 });
    await liveFileRestored(base, dataDir);
    await moreRuns(base, 5);
    const status = await get(base, '/status');
    expect(status.state).toBe('healthy');
    expect(status.genomeId).toBe(genomeId);
    expect(status.generation).toBe(generation);
    expect(status.quarantine).toBeNull();
    expect((await allGenomes(base)).filter((g) => g.cause === 'heal').length).toBe(heals);
    expect(existsSync(path.join(orgDir, 'package.json'))).toBe(true);
    expect((await get(base, '/health')).status).toBe('ok');
  }, 90_000);

  it('after a restart: the failed chaos is not live, stale temporary files are swept, a FIFO at live.js does not hang start-up', async () => {
    const live = (await get(base, '/status')).genomeId;
    const ids = (await allGenomes(base)).map((g) => g.id);
    expect((await server.stop()).code).toBe(0);
    writeFileSync(path.join(orgDir, '.live.js.4242.deadbeef.tmp'), 'left by a SIGKILL\n');
    rmSync(liveJs, { recursive: true, force: true });
    execFileSync('mkfifo', [liveJs]);
    server = await start(dataDir);
    base = server.url;
    expect((await get(base, '/status')).genomeId).toBe(live);
    expect((await allGenomes(base)).map((g) => g.id)).toEqual(ids);
    expect(readdirSync(orgDir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    await liveFileRestored(base, dataDir);
    await expectNoSecret(base);
  }, 90_000);
});

describe('one server per DATA_DIR', () => {
  it('a second server exits at once naming the first one, and touches nothing; a SIGKILLed server leaves no stale lock', async () => {
    const dataDir = path.join(tmp.dir, 'shared');
    const first = await start(dataDir);
    await waitFor(() => get(first.url, '/status'), (s) => s.stats.totalRuns > 0, { what: 'runs' });
    const marker = path.join(dataDir, 'organisms', 'bubble-sort', 'run', 'in-flight.js');
    writeFileSync(marker, '// a scratch copy of the first server\n');
    const logsBefore = (await get(first.url, '/logs?limit=1')).lastSeq;

    const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
      cwd: BACKEND,
      env: { ...process.env, ...LIGHT, LOG_LEVEL: 'warn', LOG_PRETTY: 'false', DATA_DIR: dataDir, PORT: String(await freePort()), HOST: '127.0.0.1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code, out).toBe(1);
    const lines = out.split('\n').filter((l) => l.startsWith('cannot start: '));
    expect(lines, out).toHaveLength(1);
    expect(lines[0]).toContain(`pid ${first.child.pid}`);
    expect(lines[0]).toMatch(/in use by another Ouroboros server/);
    expect(out).not.toMatch(/UNIQUE constraint/);

    expect(existsSync(marker)).toBe(true);
    await moreRuns(first.url);
    expect((await get(first.url, '/logs?limit=1')).lastSeq).toBeGreaterThan(logsBefore);
    expect((await get(first.url, '/health')).status).toBe('ok');

    // Killed outright, the first server's lock goes with it: the next one starts.
    first.child.kill('SIGKILL');
    await new Promise((r) => first.child.once('exit', r));
    const next = await start(dataDir);
    await waitFor(() => get(next.url, '/status'), (s) => s.stats.totalRuns > 0, { what: 'runs after a SIGKILL' });
  }, 180_000);
});

/**
 * Removes `file` and plants something else there. The running server puts live.js back as soon as it sees it gone,
 * so the name may be taken again between the two steps: then both are tried again.
 */
function plantInstead(file: string, plant: () => void): void {
  for (let attempt = 1; ; attempt++) {
    rmSync(file, { recursive: true, force: true });
    try {
      plant();
      return;
    } catch (err) {
      const exists = (err as NodeJS.ErrnoException).code === 'EEXIST' || /File exists/.test(String((err as { stderr?: unknown }).stderr ?? (err as Error).message));
      if (!exists || attempt >= 20) throw err;
    }
  }
}
