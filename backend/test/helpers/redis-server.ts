import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { RUN_QUEUE } from '../../src/runner/queue/keys.js';
import { freePort } from '../../scripts/soak/server.js';
import { orphanProof } from './chaos/orphan-proof.js';
import { waitFor } from './fixtures.js';

export const REDIS_SERVER = ['/usr/bin/redis-server', '/usr/local/bin/redis-server'].find((p) => existsSync(p)) ?? null;

export interface RedisProcess {
  url: string;
  port: number;
  child: ChildProcess;
  /** Stops it (SIGKILL: as abrupt as a crash) and waits for its exit; its data is gone, as nothing is saved. */
  stop(): Promise<void>;
  /** Starts it again on the same port, empty. */
  restart(): Promise<void>;
  /** Stops it and removes its directory. */
  cleanup(): Promise<void>;
}

/**
 * A real redis-server (Debian's package, which ./test.sh installs) on a free port of loopback, saving nothing, in a
 * temporary directory; killed with the test process.
 */
export async function startRedis(): Promise<RedisProcess> {
  if (!REDIS_SERVER) throw new Error("redis-server is not installed: run 'apt-get install -y redis-server' (./test.sh does)");
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ouroboros-redis-'));
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  let child!: ChildProcess;
  const launch = async () => {
    const cmd = orphanProof(REDIS_SERVER!, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--daemonize', 'no', '--loglevel', 'warning']);
    child = spawn(cmd.command, cmd.args, { stdio: 'ignore' });
    const probe = new Redis(url, { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => 100 });
    probe.on('error', () => {});
    try {
      await waitFor(
        async () => {
          if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode}`);
          if (probe.status === 'wait') await probe.connect().catch(() => {});
          return probe.ping().catch(() => '');
        },
        (pong) => pong === 'PONG',
        { what: `redis-server on ${url}`, timeoutMs: 30_000, intervalMs: 50 },
      );
    } finally {
      probe.disconnect();
    }
  };
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
  };
  await launch();
  return {
    url,
    port,
    get child() {
      return child;
    },
    stop,
    restart: launch,
    async cleanup() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Jobs of the run queue that completed on this Redis (each run is one job: a run recorded twice would show). */
export async function completedJobs(redis: RedisProcess): Promise<number> {
  const queue = new Queue(RUN_QUEUE, { connection: { host: '127.0.0.1', port: redis.port } });
  try {
    return await queue.getCompletedCount();
  } finally {
    await queue.close();
  }
}
