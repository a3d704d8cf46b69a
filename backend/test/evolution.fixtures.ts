/** Shared by the evolution tests: a copy of a real organism with a smaller (or larger) fitness benchmark. */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll } from 'vitest';
import { EVOLVE_DEFAULTS, type Config, type EvolveConfig } from '../src/config.js';
import { MERGE_SORT_FILE, REAL_ORGANISMS } from './helpers/fixtures.js';

export const REAL_BUBBLE_SORT = readFileSync(path.join(REAL_ORGANISMS, 'bubble-sort', 'genome.js'), 'utf8');

export interface OrganismCopy {
  organism?: string;
  /** Replaces fitness.benchmark keys. */
  benchmark?: Record<string, unknown>;
  repeats?: number;
  /** Replaces genome 0. */
  genome?: string;
}

/** A temporary ORGANISMS_DIR holding a copy of one real organism, its benchmark cut to size; removed after the file. */
export function organismCopy(o: OrganismCopy = {}): string {
  const name = o.organism ?? 'bubble-sort';
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ouroboros-evolve-organisms-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const target = path.join(dir, name);
  cpSync(path.join(REAL_ORGANISMS, name), target, { recursive: true });
  const manifestPath = path.join(target, 'manifest.json');
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
  manifest.fitness = {
    ...manifest.fitness,
    ...(o.repeats !== undefined ? { repeats: o.repeats } : {}),
    benchmark: { ...manifest.fitness.benchmark, ...o.benchmark },
  };
  writeFileSync(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
  if (o.genome !== undefined) writeFileSync(path.join(target, manifest.genome), o.genome);
  return dir;
}

/** Config overrides for the evolution tests: a calm loop (its runs compete with the measurements) and a prompt recorder. */
export function evolveOverrides(organismsDir: string, evolve: Partial<EvolveConfig> = {}, extra: Partial<Config> = {}): Partial<Config> {
  return {
    organismsDir,
    loopIntervalMs: 1000,
    evolve: { ...EVOLVE_DEFAULTS, fitnessDelayMs: 50, ...evolve },
    ...extra,
  };
}

/** A merge sort that keeps the organism's contract: genuinely faster than the bubble sort on large inputs (also the benchmark's). */
export const MERGE_SORT = readFileSync(MERGE_SORT_FILE, 'utf8');

/** Fast and wrong: Array.prototype.sort without a comparator sorts numbers as strings. */
export const STRING_SORT = `'use strict';
const chunks = [];
process.stdin.on('data', (chunk) => chunks.push(chunk));
process.stdin.on('end', () => {
  const input = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  console.log(JSON.stringify(input.values.slice().sort()));
});
`;

/** The bubble sort with one variable renamed: the same behaviour, the same size in tokens, so no faster but by noise. */
export const RENAMED_BUBBLE_SORT = REAL_BUBBLE_SORT.replace(/\bheld\b/g, 'kept');
