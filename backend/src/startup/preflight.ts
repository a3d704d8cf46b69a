import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { mkdir, open, stat, statfs, unlink } from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '../config.js';
import { discoverOrganisms } from '../organism/discover.js';
import { describeProblem, remedy, classifyStorageError, StorageError } from '../storage/fault.js';
import { freeBytes, MIN_FREE_BYTES, probeWrite } from '../storage/probe.js';

/** A start-up check failed; the message says what and what to do. */
export class StartupError extends Error {
  override name = 'StartupError';
}

/**
 * The checks made before anything is opened or written: the organisms asked for exist, and DATA_DIR is a folder
 * on a disk that can be written and has room. Each failure throws one clear message and changes nothing.
 */
export async function checkStartup(config: Pick<Config, 'dataDir' | 'organismsDir' | 'organism' | 'organisms'>): Promise<void> {
  await checkOrganisms(config);
  await checkDataDir(config.dataDir);
}

async function checkOrganisms(config: Pick<Config, 'organismsDir' | 'organism' | 'organisms'>): Promise<void> {
  const found = await discoverOrganisms(config.organismsDir).catch((err: Error) => {
    throw new StartupError(`${err.message}. Set ORGANISMS_DIR to the folder that holds the organisms.`);
  });
  const asked = config.organisms ?? [config.organism];
  const missing = asked.filter((n) => !found.includes(n));
  if (missing.length === 0) return;
  const variable = config.organisms ? `ORGANISMS=${config.organisms.join(',')}` : `ORGANISM=${config.organism}`;
  throw new StartupError(
    `No organism ${missing.map((n) => `"${n}"`).join(', ')} in ORGANISMS_DIR=${config.organismsDir} (${variable}): ` +
      `an organism is a folder with a manifest.json. Found: ${found.length > 0 ? found.join(', ') : 'none'}.`,
  );
}

/** DATA_DIR is a folder (made if missing), writable, with at least MIN_FREE_BYTES free. */
export async function checkDataDir(dir: string): Promise<void> {
  const subject = `DATA_DIR=${dir}`;
  const existing = await stat(dir).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT' || err.code === 'ENOTDIR') return null;
    throw fsFailure(err, subject);
  });
  if (existing && !existing.isDirectory()) {
    throw new StartupError(`${subject} is a file, not a folder. Nothing was changed. Point DATA_DIR at a folder (it is made if missing).`);
  }
  if (!existing) {
    const blocker = await firstNonFolder(dir);
    if (blocker) {
      throw new StartupError(`${subject} cannot be made: ${blocker} is a file, not a folder. Nothing was changed. Point DATA_DIR elsewhere.`);
    }
    await mkdir(dir, { recursive: true }).catch(async (err: NodeJS.ErrnoException) => {
      // A recursive mkdir on a read-only file system says ENOENT: find the real reason where it failed.
      const parent = await nearestFolder(dir);
      if (parent) await probeWrite(parent).catch((why: unknown) => {
        throw fsFailure(why, `${subject} cannot be made in ${parent}`);
      });
      throw fsFailure(err, `${subject} cannot be made`);
    });
  }
  await probeWrite(dir).catch((err: unknown) => {
    throw fsFailure(err, `${subject} cannot be written`);
  });
  const free = await freeBytes(dir);
  if (free !== null && free < MIN_FREE_BYTES) {
    throw new StorageError(
      'disk-full',
      'ENOSPC',
      `${subject}: the disk is full (${Math.floor(free / 1024)} KiB free; runs, logs and genomes need at least ${MIN_FREE_BYTES / 1024 / 1024} MiB). Nothing in it was changed. ${remedy('disk-full')}`,
    );
  }
}

/** The nearest existing ancestor of `p` when it is not a folder (so `p` cannot be made under it). */
async function firstNonFolder(p: string): Promise<string | null> {
  for (let d = path.dirname(p); ; d = path.dirname(d)) {
    const s = await stat(d).catch(() => null);
    if (s) return s.isDirectory() ? null : d;
    if (d === path.dirname(d)) return null;
  }
}

async function nearestFolder(p: string): Promise<string | null> {
  for (let d = path.dirname(p); ; d = path.dirname(d)) {
    if ((await stat(d).catch(() => null))?.isDirectory()) return d;
    if (d === path.dirname(d)) return null;
  }
}

function fsFailure(err: unknown, subject: string): Error {
  const c = classifyStorageError(err);
  if (!c) return new StartupError(`${subject}: ${(err as Error).message}. Nothing was changed.`);
  return new StorageError(c.problem, c.code, `${subject}: ${describeProblem(c.problem, c.code)}. Nothing in it was changed. ${remedy(c.problem)}`, { cause: err });
}
