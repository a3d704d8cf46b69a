/**
 * The latent class in the gauntlet: mutants that random runs almost never expose (src/chaos/latent.ts finds them by
 * measurement), each written into the organism's live.js as an outside edit, the way a plausible but wrong change
 * arrives. Each must be caught by its verification at promotion, never by the luck of a later run, and healed.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { findLatentMutants, type LatentMutant } from '../../src/chaos/latent.js';
import { loadConfig } from '../../src/config.js';
import { GenomeStore } from '../../src/genome/store.js';
import { loadOrganism } from '../../src/organism/manifest.js';
import { scratchDirAt } from '../../src/files/scratch.js';
import { Verifier } from '../../src/verification/verifier.js';
import type { OrganismClient } from './client.js';
import { markdownTable } from './report.js';

export interface LatentRecord {
  organism: string;
  type: string;
  line: number;
  description: string;
  /** Random inputs it failed while it was searched for, of how many. */
  randomFailures: number;
  samples: number;
  outcome: 'caught' | 'missed' | 'not-healed';
  /** The suite case it failed on at promotion. */
  caughtOn?: string;
  /** From the edit to the end of the failing verification run. */
  detectMs?: number;
  /** From detection to the first passing run of the healed genome. */
  healMs?: number;
  note?: string;
}

export interface LatentSearchSummary {
  organism: string;
  tried: number;
  passedSuite: number;
  found: number;
  runs: number;
  seconds: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Up to `limit` latent mutants of an organism's genome 0, found with its own verification suite. */
export async function searchLatent(organism: string, limit: number): Promise<{ mutants: LatentMutant[]; summary: LatentSearchSummary }> {
  const started = Date.now();
  const config = loadConfig({ ...process.env, LOG_LEVEL: 'silent' });
  const o = await loadOrganism(config.organismsDir, organism);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ouroboros-latent-'));
  const store = new GenomeStore(path.join(dir, 'search.db'));
  try {
    const verifier = new Verifier({ organism: o, store, scratch: scratchDirAt(dir), outputCapBytes: config.outputCapBytes, killGraceMs: 500, sandbox: null, propertyInputs: config.verifyPropertyInputs });
    const r = await findLatentMutants(verifier, o.seedSource, { limit });
    return { mutants: r.mutants, summary: { organism, tried: r.tried, passedSuite: r.passedSuite, found: r.mutants.length, runs: r.runs, seconds: Math.round((Date.now() - started) / 1000) } };
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

interface GenomeView {
  id: string;
  generation: number;
  cause: string;
  verified?: boolean | 'pending';
  verification?: { failure: { case: string; kind: string } | null };
}

/** Writes the mutant as an outside edit and follows it: caught at promotion, or missed; then healed, or not. */
export async function injectLatent(org: OrganismClient, dataDir: string, m: LatentMutant, o: { deadlineMs: number; pollMs?: number }): Promise<LatentRecord> {
  const pollMs = o.pollMs ?? 50;
  const record: LatentRecord = { organism: org.name, type: m.type, line: m.line, description: m.description, randomFailures: m.randomFailures, samples: m.samples, outcome: 'missed' };
  const before = await org.status();
  const lastRun = await org.lastRunId();
  const t0 = Date.now();
  writeFileSync(path.join(dataDir, 'organisms', org.name, 'live.js'), m.source);
  const deadline = t0 + o.deadlineMs;
  let edit: GenomeView | undefined;
  while (!edit && Date.now() < deadline) {
    const page = (await org.genomes(10, 0)) as unknown as { genomes: GenomeView[] };
    edit = page.genomes.find((g) => g.cause === 'external' && g.generation > before.generation);
    if (!edit) await sleep(pollMs);
  }
  if (!edit) return { ...record, note: 'the edit was not recorded' };
  let judged = (await org.genome(edit.id)) as unknown as GenomeView;
  while (judged.verified === 'pending' && Date.now() < deadline) {
    await sleep(pollMs);
    judged = (await org.genome(edit.id)) as unknown as GenomeView;
  }
  const failure = judged.verification?.failure;
  if (judged.verified !== false || !failure || failure.kind === 'failing') {
    return { ...record, note: judged.verified === true ? 'its verification suite passed it' : `not caught by its suite (${failure?.case ?? 'still pending'})` };
  }
  record.caughtOn = failure.case;
  const runs = await org.runsSince(lastRun);
  const failing = runs.find((r) => r.genomeId === edit!.id && r.verdict !== 'ok');
  const detectedAt = failing ? Date.parse(failing.startedAt) + failing.durationMs : Date.now();
  record.detectMs = Math.max(0, Math.round(detectedAt - t0));
  for (let since = lastRun; Date.now() < deadline; await sleep(pollMs)) {
    for (const run of await org.runsSince(since)) {
      since = Math.max(since, run.id);
      if (run.generation <= edit.generation || run.verdict !== 'ok') continue;
      const g = await org.genome(run.genomeId);
      if (g.cause !== 'heal') continue;
      return { ...record, outcome: 'caught', healMs: Math.max(0, Math.round(Date.parse(run.startedAt) + run.durationMs - detectedAt)) };
    }
  }
  return { ...record, outcome: 'not-healed', note: `no healed genome passed a run within ${o.deadlineMs} ms` };
}

export function latentTable(records: LatentRecord[], searches: LatentSearchSummary[]): string {
  const rows = records.map((r) => [
    r.organism,
    `${r.type} line ${r.line}`,
    `${r.randomFailures}/${r.samples}`,
    r.outcome === 'missed' ? `MISSED: ${r.note ?? ''}` : r.caughtOn ?? '-',
    r.detectMs === undefined ? '-' : String(r.detectMs),
    r.healMs === undefined ? (r.outcome === 'not-healed' ? 'NOT HEALED' : '-') : String(r.healMs),
  ]);
  const table = markdownTable(['organism', 'mutant', 'random failures', 'caught at promotion by', 'detect ms', 'heal ms'], rows, ['left', 'left', 'right', 'left', 'right', 'right']);
  const searched = searches.map((s) => `${s.organism}: ${s.found} latent of ${s.tried} single-site mutants (${s.passedSuite} pass the whole suite), ${s.runs} runs in ${s.seconds} s`);
  return [rows.length > 0 ? table : '(no latent mutant found)', '', ...searched.map((l) => `- ${l}`)].join('\n');
}
