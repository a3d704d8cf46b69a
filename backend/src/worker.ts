/**
 * `pnpm worker`: a worker of the run queue (RUNNER=bullmq on the server). Start it on any machine that has the
 * organisms folder; it takes runs from REDIS_URL, WORKER_CONCURRENCY at a time, in this machine's layered sandbox
 * (the same SANDBOX* variables as the server), and returns their outcomes. SIGTERM: it takes no new run, lets the
 * runs it holds finish (or hands them back after 30 s), and exits.
 *
 *   REDIS_URL=redis://localhost:6379 pnpm worker
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError } from './config.js';
import { RunWorker } from './runner/queue/run-worker.js';
import { detectSandbox, sandboxStartupLines } from './sandbox/index.js';
import { loadConfigOrExit, processLogger } from './startup/process-start.js';

async function main(): Promise<void> {
  const config = loadConfigOrExit((c) => {
    if (!c.runner.redisUrl) throw new ConfigError(['REDIS_URL: must be set for a worker (for example redis://localhost:6379): the Redis the server puts its runs on']);
  });
  // Checked just above: a worker without REDIS_URL does not start.
  const redisUrl = config.runner.redisUrl as string;
  const logger = processLogger(config);
  // The worker's own DATA_DIR: the jobs' source files and the sandbox's pidfiles, private to this process.
  const workDir = mkdtempSync(path.join(os.tmpdir(), 'ouroboros-worker-'));
  const sandbox = await detectSandbox({ settings: config.sandbox, dataDir: workDir });
  for (const line of sandboxStartupLines(sandbox)) logger[line.level](line.text);
  const worker = new RunWorker({
    redisUrl,
    organismsDir: config.organismsDir,
    concurrency: config.runner.workerConcurrency,
    sandbox,
    workDir,
    lockMs: config.runner.workerLockMs,
    nice: config.organismNice,
    log: (level, msg) => logger[level](msg),
  });
  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    logger.info(`${signal}: taking no new run, finishing the ones held`);
    try {
      await worker.close();
    } finally {
      rmSync(workDir, { recursive: true, force: true });
      process.exit(0);
    }
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
  await worker.start();
}

main().catch((err: Error) => {
  process.stderr.write(`cannot start the worker: ${err.message}\n`);
  process.exit(1);
});
