import { chmodSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir, waitFor } from './helpers/fixtures.js';
import { api, startServer } from './helpers/server-process.js';

interface LogLine {
  level: number;
  msg: string;
  [k: string]: unknown;
}

/** The server's JSON log lines up to the one that says it is watching (the start-up). */
async function startupLog(env: Record<string, string>): Promise<{ lines: LogLine[]; health: any }> {
  // A first start, as a newcomer's is: nothing lent (test/helpers/seed-verifications.ts).
  const server = await startServer({ LOG_LEVEL: 'info', ...env }, { freshSeeds: true });
  try {
    const health = await api(server.url, '/health');
    const parse = () =>
      server
        .output()
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as LogLine);
    // The server answers as soon as it listens and logs its last start-up line just after: the pipe may lag behind.
    const lines = await waitFor(parse, (ls) => ls.some((l) => /^Ouroboros is watching/.test(l.msg)), { what: 'the last start-up line', timeoutMs: 10_000 }).catch(() => parse());
    const end = lines.findIndex((l) => /^Ouroboros is watching/.test(l.msg));
    expect(end, server.output()).toBeGreaterThan(0);
    return { lines: lines.slice(0, end + 1), health };
  } finally {
    await server.stop();
  }
}

const WARN = 40;
const tmp = tempDir('ouroboros-startup-');
// mkdtemp makes it 0700: open it to other users the way a fresh clone's folders are (search only).
chmodSync(tmp.dir, 0o711);
afterAll(() => tmp.cleanup());

// A newcomer's first `pnpm start`: nothing in the start-up log may warn about what they cannot act on.
describe('the start-up log', () => {
  it('of a fresh data directory on loopback warns about nothing, and says the sandbox in one line', async () => {
    const { lines } = await startupLog({ DATA_DIR: path.join(tmp.dir, 'fresh') });
    expect(lines.filter((l) => l.level >= WARN).map((l) => l.msg)).toEqual([]);
    const sandbox = lines.find((l) => /^sandbox for organisms on node v\d+/.test(l.msg));
    expect(sandbox).toBeDefined();
    expect(sandbox!.sandbox).toBeUndefined();
    expect(sandbox!.msg.length).toBeLessThan(200);
  }, 180_000);

  it.skipIf(process.getuid?.() !== 0)(
    'names the one command that turns on the uid layer when DATA_DIR sits in a folder others cannot pass through',
    async () => {
      const closed = path.join(tmp.dir, 'closed');
      mkdirSync(closed, { mode: 0o700 });
      chmodSync(closed, 0o700);
      // One organism: the uid layer is the server's, and each organism's genome 0 is verified before it listens.
      const env = { DATA_DIR: path.join(closed, 'data'), ORGANISMS: 'bubble-sort' };
      const before = await startupLog(env);
      const warnings = before.lines.filter((l) => l.level >= WARN).map((l) => l.msg);
      expect(warnings).toEqual([`sandbox layer uid is off: the organism's uid cannot reach DATA_DIR (${env.DATA_DIR}): ${closed} is not searchable by other users. To turn it on, run: chmod o+x ${closed} (then restart)`]);
      expect(before.health.sandbox.layers.find((l: { name: string }) => l.name === 'uid')).toMatchObject({ active: false, fix: `chmod o+x ${closed}` });

      // What the log says to do, done: the layer is on at the next start, and nothing is left to warn about.
      chmodSync(closed, 0o711);
      const after = await startupLog(env);
      expect(after.lines.filter((l) => l.level >= WARN).map((l) => l.msg)).toEqual([]);
      expect(after.health.sandbox.active).toContain('uid');
    },
    300_000,
  );
});
