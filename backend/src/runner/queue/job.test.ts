import { describe, expect, it } from 'vitest';
import type { ChildRunOptions } from '../../watcher/child-process.js';
import { readBeats } from './beat.js';
import { abortedOutcome, buildRunJob, outcomeOfReply, parseRunJob, RUN_JOB_VERSION, runOptionsOf, runsOnlyHere } from './job.js';
import { digestFiles } from './organism-digest.js';
import { redactRedisUrl, redisOptions } from './redis-url.js';

const opts: ChildRunOptions = {
  file: '/srv/data/organisms/good/run/abc.js',
  cwd: '/srv/data/organisms/good/run',
  stdin: '{"n":3}',
  timeLimitMs: 1500,
  maxOldSpaceMb: 32,
  outputCapBytes: 65536,
  outputKillBytes: 4194304,
  killGraceMs: 500,
  cpuSeconds: 4,
  measureCpu: true,
  env: { A: 'b' },
  fileSizeBytes: 0,
  organism: 'good',
};
const digest = 'a'.repeat(64);

describe('run jobs', () => {
  it('carry the source, the input and every limit, and nothing that names the server machine', () => {
    const job = buildRunJob(opts, 'console.log(1)', { name: 'good', digest });
    expect(job).toEqual({
      v: RUN_JOB_VERSION,
      organism: { name: 'good', digest },
      source: 'console.log(1)',
      stdin: '{"n":3}',
      limits: { timeLimitMs: 1500, maxOldSpaceMb: 32, outputCapBytes: 65536, outputKillBytes: 4194304, killGraceMs: 500, cpuSeconds: 4, fileSizeBytes: 0, measureCpu: true },
      env: { A: 'b' },
    });
    expect(JSON.stringify(job)).not.toContain('/srv/data');
  });

  it("become the worker's run options with its own file and sandbox, through JSON and back", () => {
    const job = parseRunJob(JSON.parse(JSON.stringify(buildRunJob(opts, 'x', null))));
    const signal = new AbortController().signal;
    const here = runOptionsOf(job, { file: '/tmp/w/run/f.js', cwd: '/tmp/w/run', sandbox: null, signal });
    const { file: _f, cwd: _c, organism: _o, ...limits } = opts;
    expect(here).toEqual({ ...limits, file: '/tmp/w/run/f.js', cwd: '/tmp/w/run', sandbox: null, signal });
  });

  it("run at the worker's own niceness, never the server's", () => {
    const job = parseRunJob(JSON.parse(JSON.stringify(buildRunJob({ ...opts, nice: 3 }, 'x', null))));
    expect(JSON.stringify(job)).not.toContain('nice');
    expect(runOptionsOf(job, { file: '/tmp/w/f.js', cwd: '/tmp/w', sandbox: null }).nice).toBeUndefined();
    expect(runOptionsOf(job, { file: '/tmp/w/f.js', cwd: '/tmp/w', sandbox: null, nice: 7 }).nice).toBe(7);
  });

  it('are refused with a message that says why: another version, a malformed field', () => {
    const job = buildRunJob(opts, 'x', null);
    expect(() => parseRunJob({ ...job, v: 99 })).toThrow('version 99 and this worker reads version 1');
    expect(() => parseRunJob({ ...job, limits: { ...job.limits, timeLimitMs: -1 } })).toThrow('limits.timeLimitMs');
    expect(() => parseRunJob({ ...job, organism: { name: '../etc', digest } })).toThrow('organism.name');
    expect(() => parseRunJob({ ...job, sandbox: {} })).toThrow('malformed');
  });

  it('a coverage run (a file to write here) or a Node binary of this machine runs only here', () => {
    expect(runsOnlyHere(opts)).toBe(false);
    expect(runsOnlyHere({ ...opts, allowFsWrite: '/srv/report' })).toBe(true);
    expect(runsOnlyHere({ ...opts, nodePath: '/opt/node' })).toBe(true);
  });
});

describe('replies', () => {
  const outcome = { ...abortedOutcome(0), exitCode: 0, signal: null, stdout: '6\n', pid: 4242, durationMs: 12 };

  it("are read from the worker's JSON, its pid (another machine's) dropped", () => {
    const r = outcomeOfReply(JSON.stringify({ outcome, worker: { id: 'w1', host: 'h' } }));
    expect(r).toEqual({ outcome: { ...outcome, pid: null }, worker: { id: 'w1', host: 'h' } });
  });

  it('a reply of another shape is an error, not an outcome', () => {
    expect(() => outcomeOfReply(JSON.stringify({ outcome: { exitCode: 0 }, worker: { id: 'w', host: 'h' } }))).toThrow();
  });

  it('an aborted run reads as killed', () => {
    expect(abortedOutcome(5)).toMatchObject({ exitCode: null, signal: 'SIGKILL', durationMs: 5, stdout: '' });
  });
});

describe('organism digests', () => {
  it('change with any byte and with a byte moved from one file to the next', () => {
    const a = digestFiles([{ name: 'manifest.json', bytes: 'ab' }, { name: 'h.mjs', bytes: 'c' }]);
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(digestFiles([{ name: 'manifest.json', bytes: 'ab' }, { name: 'h.mjs', bytes: 'c' }])).toBe(a);
    expect(digestFiles([{ name: 'manifest.json', bytes: 'a' }, { name: 'h.mjs', bytes: 'bc' }])).not.toBe(a);
    expect(digestFiles([{ name: 'manifest.json', bytes: 'ab' }, { name: 'h.mjs', bytes: 'd' }])).not.toBe(a);
  });
});

describe('Redis URLs', () => {
  it('become ioredis options: credentials, database, TLS, IPv6', () => {
    expect(redisOptions('redis://localhost:6380')).toEqual({ host: 'localhost', port: 6380, family: 0 });
    expect(redisOptions('rediss://default:p%40ss@redis.internal/2')).toEqual({ host: 'redis.internal', port: 6379, family: 0, username: 'default', password: 'p@ss', db: 2, tls: {} });
    expect(redisOptions('redis://[::1]:7000')).toMatchObject({ host: '::1', port: 7000 });
    expect(() => redisOptions('redis://h/abc')).toThrow('database number');
  });

  it('are shown without their credentials', () => {
    expect(redactRedisUrl('redis://default:secret@redis.internal:6379')).toBe('redis://***@redis.internal:6379');
    expect(redactRedisUrl('redis://localhost:6379')).toBe('redis://localhost:6379');
  });
});

describe('worker beats', () => {
  it('are read leniently: a stray key or an old shape is left out', () => {
    const beat = { id: 'w1', host: 'h', concurrency: 2, active: 1 };
    expect(readBeats([JSON.stringify(beat), null, 'not json', JSON.stringify({ id: 'x' })])).toEqual([beat]);
  });
});
