/**
 * Genome 0's verification, done once per test run for each organism and setting instead of once per app.
 *
 * Every app a test builds with its watcher verifies each organism's genome 0 before it starts: a suite of sandboxed
 * runs, seconds on two busy cores, and the same suite on the same source in every file. A server on a DATA_DIR that
 * already verified that source against that suite remembers it and runs nothing (the restart path of src/verification).
 * So the first app of a run to verify a seed lends its record, and a fresh DATA_DIR of a later app starts with it, as
 * if that server had run there before.
 *
 * Correct by construction, not by hope: a record is only ever lent under a key made of everything the outcome depends
 * on: the bytes of every file of the organisms' directory (manifests, harnesses, genomes), the suite's settings, the
 * run limits, the sandbox and runner settings, and the node binary. The record itself names the suite's fingerprint,
 * which the server checks against the suite it builds. Only passes are lent, and only to a DATA_DIR the helper just
 * made; the lending lasts one test run (the directory comes from vitest's globalSetup), so a change to the code is
 * never judged by an old record.
 * Tests of verification itself pass `freshSeeds` and verify as a first start does.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { FastifyInstance } from 'fastify';
import { inject } from 'vitest';
import type { Config } from '../../src/config.js';
import { GenomeStore } from '../../src/genome/store.js';
import type { SandboxSettings } from '../../src/sandbox/index.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Where this run's apps lend each other genome 0's verification (test/global-setup.ts). */
    seedVerificationsDir: string;
  }
}

interface Lent {
  organism: string;
  sourceHash: string;
  suite: string;
  detail: Record<string, unknown>;
}

/** Every file of a directory, recursively, with its bytes. */
function digestDir(dir: string, hash = createHash('sha256'), rel = ''): ReturnType<typeof createHash> {
  for (const name of readdirSync(dir).sort()) {
    const file = path.join(dir, name);
    if (name === 'node_modules') continue;
    if (statSync(file).isDirectory()) digestDir(file, hash, `${rel}${name}/`);
    else hash.update(`${rel}${name}\0`).update(readFileSync(file)).update('\0');
  }
  return hash;
}

function keyOf(config: Config, organism: string, sandbox: SandboxSettings | undefined): string {
  const settings = {
    organism,
    organismsDir: config.organismsDir,
    verifyPropertyInputs: config.verifyPropertyInputs,
    outputCapBytes: config.outputCapBytes,
    maxSourceBytes: config.maxSourceBytes,
    sandbox: sandbox ?? config.sandbox,
    runner: config.runner,
    spawners: config.spawners,
    organismNice: config.organismNice,
    node: [process.execPath, process.version],
  };
  // The whole organisms directory: a manifest may name a harness outside its organism's folder (the fixtures share one).
  return digestDir(config.organismsDir).update(JSON.stringify(settings)).digest('hex').slice(0, 32);
}

function storeDir(): string | null {
  try {
    return inject('seedVerificationsDir') ?? null;
  } catch {
    return null; // outside a vitest run (a script importing the helpers): nothing is lent
  }
}

function organismsOf(config: Config): readonly string[] {
  return config.organisms ?? [config.organism];
}

/** Gives a fresh DATA_DIR the seed verifications this run already has for these settings. */
export function lendSeedVerifications(config: Config, sandbox?: SandboxSettings): void {
  const dir = storeDir();
  if (!dir) return;
  const found: Lent[] = [];
  for (const organism of organismsOf(config)) {
    try {
      found.push(JSON.parse(readFileSync(path.join(dir, `${keyOf(config, organism, sandbox)}.json`), 'utf8')) as Lent);
    } catch {
      // none yet (or an organism the config cannot load, which the app will refuse by itself)
    }
  }
  if (found.length === 0) return;
  mkdirSync(config.dataDir, { recursive: true });
  const store = new GenomeStore(path.join(config.dataDir, 'ouroboros.db'));
  try {
    for (const l of found) store.recordVerification({ organism: l.organism, sourceHash: l.sourceHash, suite: l.suite, outcome: 'passed', detail: l.detail });
  } finally {
    store.close();
  }
}

/** Keeps the seed verifications an app just ran (not those it was lent) for the next apps of the run. */
export function keepSeedVerifications(app: FastifyInstance, sandbox?: SandboxSettings): void {
  const dir = storeDir();
  if (!dir) return;
  for (const s of app.fleet.all()) {
    const seed = app.store.genomeAt(s.name, 0);
    const record = seed ? s.verifier.known(seed.source) : null;
    if (!record || record.outcome !== 'passed' || !ranHere(record.detail)) continue;
    keep(dir, keyOf(app.config, s.name, sandbox), { organism: s.name, sourceHash: record.sourceHash, suite: record.suite, detail: record.detail });
  }
}

/**
 * The same for a server in a process of its own (test/helpers/server-process.ts), once it listens: read from its
 * store, which it has verified every seed into before listening. Read-only, so the running server is not disturbed.
 */
export function keepServerSeedVerifications(config: Config): void {
  const dir = storeDir();
  const file = path.join(config.dataDir, 'ouroboros.db');
  if (!dir || !existsSync(file)) return;
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    for (const organism of organismsOf(config)) {
      const seed = db.prepare('SELECT source_hash AS hash FROM genomes WHERE organism = ? AND generation = 0').get(organism) as { hash: string } | undefined;
      if (!seed) continue;
      const rows = db
        .prepare("SELECT suite, detail FROM verifications WHERE organism = ? AND source_hash = ? AND outcome = 'passed' ORDER BY verified_at DESC")
        .all(organism, seed.hash) as { suite: string; detail: string }[];
      const row = rows.map((r) => ({ suite: r.suite, detail: JSON.parse(r.detail) as Record<string, unknown> })).find((r) => ranHere(r.detail));
      if (row) keep(dir, keyOf(config, organism, undefined), { organism, sourceHash: seed.hash, suite: row.suite, detail: row.detail });
    }
  } finally {
    db.close();
  }
}

/** A verification this store ran itself: neither lent to it nor carried from another genome. */
function ranHere(detail: Record<string, unknown>): boolean {
  return detail.reused === false && !detail.carriedFrom;
}

function keep(dir: string, key: string, lent: Lent): void {
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${key}.json`);
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(lent));
  renameSync(tmp, file); // atomic: the other worker reads a whole record or none
}
