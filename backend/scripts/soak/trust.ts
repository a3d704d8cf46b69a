/**
 * The soak's trust checks, made outside the server with the same suites: every source a heal promoted, and every
 * baseline a heal used, is run again against the suite of its organism as it stood at that heal (the counterexamples
 * learnt before it). None may fail it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/config.js';
import { GenomeStore, sourceHash } from '../../src/genome/store.js';
import { loadOrganism } from '../../src/organism/manifest.js';
import { organismSuite } from '../../src/verification/suite.js';
import { scratchDirAt } from '../../src/files/scratch.js';
import { Verifier } from '../../src/verification/verifier.js';

interface Genome {
  id: string;
  generation: number;
  cause: string;
  createdAt: string;
  source: string;
  detail: { strategy?: string; baseline?: { id: string }; restoredFrom?: string; verification?: { suite?: string } };
}

interface Counterexample {
  id: number;
  input: unknown;
  createdAt: string;
}

export interface TrustReport {
  heals: number;
  /** Distinct (source, suite) pairs run again. */
  checked: number;
  runs: number;
  /** Heals whose promoted source fails the suite it was promoted under. */
  badHeals: string[];
  /** Heals whose baseline fails the suite of that heal. */
  pollutedBaselines: string[];
  /** Heals whose recorded suite fingerprint is not the one rebuilt from the counterexamples before it. */
  suiteMismatches: string[];
}

export async function checkTrust(
  organism: string,
  get: <T>(p: string) => Promise<T>,
): Promise<TrustReport> {
  const config = loadConfig({ ...process.env, LOG_LEVEL: 'silent' });
  const o = await loadOrganism(config.organismsDir, organism);
  const memory = (await get<{ counterexamples: Counterexample[] }>(`/organisms/${organism}/counterexamples`)).counterexamples;
  const list: { id: string; cause: string }[] = [];
  for (;;) {
    const page = await get<{ genomes: { id: string; cause: string }[]; total: number }>(`/organisms/${organism}/genomes?limit=500&offset=${list.length}`);
    list.push(...page.genomes);
    if (page.genomes.length === 0 || list.length >= page.total) break;
  }
  const heals: Genome[] = [];
  for (const g of list.filter((x) => x.cause === 'heal')) heals.push(await get<Genome>(`/organisms/${organism}/genomes/${g.id}`));
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ouroboros-soak-trust-'));
  const store = new GenomeStore(path.join(dir, 'check.db'));
  const report: TrustReport = { heals: heals.length, checked: 0, runs: 0, badHeals: [], pollutedBaselines: [], suiteMismatches: [] };
  try {
    const verifier = new Verifier({ organism: o, store, scratch: scratchDirAt(dir), outputCapBytes: config.outputCapBytes, killGraceMs: 500, sandbox: null, propertyInputs: config.verifyPropertyInputs });
    const outcomes = new Map<string, boolean>();
    const passes = async (source: string, at: string, suiteOf: (f: string) => void): Promise<boolean> => {
      const learnt = memory.filter((c) => c.createdAt <= at);
      const suite = organismSuite(o, verifier.settings, learnt);
      suiteOf(suite.fingerprint);
      const key = `${sourceHash(source)}\0${suite.fingerprint}`;
      const known = outcomes.get(key);
      if (known !== undefined) return known;
      const r = await verifier.runAll(source, suite.cases);
      report.checked++;
      report.runs += r.runs;
      outcomes.set(key, r.passed);
      return r.passed;
    };
    for (const h of heals) {
      let fingerprint = '';
      if (!(await passes(h.source, h.createdAt, (f) => (fingerprint = f)))) report.badHeals.push(`${organism} generation ${h.generation} (${h.id})`);
      const recorded = h.detail.verification?.suite;
      if (recorded && recorded !== fingerprint) report.suiteMismatches.push(`${organism} generation ${h.generation}: ${recorded} != ${fingerprint}`);
      const baselineId = h.detail.baseline?.id ?? h.detail.restoredFrom;
      if (!baselineId) continue;
      const b = await get<Genome>(`/organisms/${organism}/genomes/${baselineId}`);
      if (!(await passes(b.source, h.createdAt, () => {}))) report.pollutedBaselines.push(`${organism} generation ${h.generation} used generation ${b.generation} (${b.id})`);
    }
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
  return report;
}
