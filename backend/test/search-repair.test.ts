/**
 * The search rung on real sandboxed runs: a crash repaired from its stack, a wrong answer repaired at the line
 * spectrum-based localization ranks first, a candidate that overfits the suite rejected by the held-out set, and a seed
 * that never passed repaired at start by the server itself.
 */
import { chmodSync, cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { getChaosOperator } from '../src/chaos/index.js';
import type { SearchRecord } from '../src/healing/search/strategy.js';
import { searchRepair } from '../src/healing/search/strategy.js';
import type { LadderResult } from '../src/healing/ladder.js';
import { heldOutCases, searchRunsFor } from '../src/healing/search/runs.js';
import { detectSandbox, sandboxSettingsFromEnv } from '../src/sandbox/index.js';
import { propertyCases } from '../src/verification/suite.js';
import { loadOrganism } from '../src/organism/manifest.js';
import { getJson, useApp } from './helpers/app.js';
import { FIXTURE_ORGANISMS, REAL_ORGANISMS, TEST_PROPERTY_INPUTS, tempDir, waitFor } from './helpers/fixtures.js';
import { healNeverHealthy, verifierAt } from './helpers/search-context.js';

const tmp = tempDir('ouroboros-search-');
afterAll(() => tmp.cleanup());
const build = useApp();

/** An organism of the fixtures' contract (print twice the input's n) with the given genome, in a fresh directory. */
function doublingOrganism(name: string, genome: string, manifest: Record<string, unknown> = {}): string {
  const dir = path.join(tmp.dir, `organisms-${name}`);
  mkdirSync(path.join(dir, name), { recursive: true });
  cpSync(path.join(FIXTURE_ORGANISMS, '_shared', 'harness.mjs'), path.join(dir, name, 'harness.mjs'));
  writeFileSync(path.join(dir, name, 'genome.js'), genome);
  writeFileSync(
    path.join(dir, name, 'manifest.json'),
    JSON.stringify({ name, description: 'Doubles its input.', genome: 'genome.js', harness: 'harness.mjs', timeLimitMs: 1500, slowMs: 400, maxOldSpaceMb: 32, input: {}, ...manifest }),
  );
  return dir;
}

const READ = "let s = ''; process.stdin.on('data', (c) => (s += c)); process.stdin.on('end', () => main(JSON.parse(s)));\n";

function searchOf(r: LadderResult | null): SearchRecord {
  if (!r) throw new Error('the genome passed its suite: nothing to repair');
  const detail = r.healed ? r.candidate.detail : r.attempts.at(-1)?.detail;
  return (detail as { search: SearchRecord }).search;
}

describe('the search rung', () => {
  it('repairs a crash from the lines of its stack frames', async () => {
    // A crash fails every input: a few property inputs besides the edge cases prove the repair as well as many.
    const { verifier, organism } = await verifierAt(path.join(tmp.dir, 'crash'), REAL_ORGANISMS, 'json-transform', null, Number(TEST_PROPERTY_INPUTS));
    // `group === undefined` made `!==`: every order's group is undefined, and line 20 throws on it.
    const mutant = getChaosOperator('flip_equality')!.enumerate!(organism.seedSource).find((m) => m.line === 16)!;
    const result = await healNeverHealthy(verifier, mutant.source, [searchRepair({ parallelism: 2, maxTrials: 64, timeBudgetMs: 300_000 })]);
    const search = searchOf(result);
    expect(result!.healed, JSON.stringify(search)).toBe(true);
    if (!result?.healed) return;
    expect(result.strategy).toBe('search');
    expect(search.ranking.method).toBe('stack');
    expect(search.ranking.lines[0]).toMatchObject({ line: 20, text: 'group.orders += 1;' });
    // Right after it, where `group` comes from (src/healing/search/origins.ts): its declaration and the broken guard.
    expect(search.ranking.lines.slice(1, 3)).toEqual([expect.objectContaining({ line: 15, score: 0.75 }), expect.objectContaining({ line: 16, score: 0.75 })]);
    expect(result.candidate.detail.search).toMatchObject({ edits: [{ line: 16 }] });
    expect(result.verification.passed).toBe(true);
  }, 300_000);

  it('repairs a wrong answer at the line Ochiai ranks first, which the catalogue order alone does not reach', async () => {
    // Only n % 4 === 3 takes the broken branch: the coverage of those inputs points at line 15.
    // Every flip of an equality leaves that branch broken, so the catalogue's first edits do not repair it.
    const genome = `${READ}function main({ n }) {
  const k = n % 4;
  let r = 0;
  if (k === 0) {
    r = n * 2;
  }
  if (k === 1) {
    r = n + n;
  }
  if (k === 2) {
    r = 2 * n;
  }
  if (k === 3) {
    r = n * 3;
  }
  console.log(JSON.stringify(r));
}
`;
    const dir = doublingOrganism('branches', genome);
    // Eight inputs hold both kinds: some with n % 4 === 3, which fail, and others, which pass.
    const { verifier } = await verifierAt(path.join(tmp.dir, 'branches'), dir, 'branches', null, 8);
    const failed = await verifier.verify(genome);
    const small = { parallelism: 2, maxTrials: 4, timeBudgetMs: 300_000 };
    const located = await healNeverHealthy(verifier, genome, [searchRepair(small)], failed);
    const search = searchOf(located);
    expect(located!.healed, JSON.stringify(search)).toBe(true);
    expect(search.ranking.method).toBe('ochiai');
    expect(search.ranking.lines[0]).toMatchObject({ line: 15, score: 1, text: 'r = n * 3;' });
    expect(located!.healed && located!.candidate.source).toBe(genome.replace('n * 3', 'n * 2'));

    const blind = await healNeverHealthy(verifier, genome, [searchRepair({ ...small, localize: false })], failed);
    expect(blind!.healed).toBe(false);
    expect(searchOf(blind).ranking.method).toBe('none');
    expect(blind!.healed === false && blind!.reason).toMatch(/none of 4 candidate edit\(s\) tried/);
  }, 300_000);

  it('rejects a candidate that passes the suite but not the held-out set, and goes on to a right one', async () => {
    // One property input, n0: a boundary moved onto n0 passes the whole suite and is wrong on half the numbers.
    const placeholder = doublingOrganism('threshold', `${READ}function main({ n }) { console.log(JSON.stringify(n * 2)); }\n`, { verification: { propertyInputs: 1 } });
    const organism = await loadOrganism(placeholder, 'threshold');
    const n0 = (propertyCases(organism, organism.manifest.verification, 1)[0]!.input as { n: number }).n;
    const genome = `${READ}function main({ n }) { console.log(JSON.stringify(n < ${n0} ? n * 2 : n * 2 + 1)); }\n`;
    const { verifier } = await verifierAt(path.join(tmp.dir, 'threshold'), placeholder, 'threshold');
    expect(verifier.suite.cases).toHaveLength(1);
    const heldOut = heldOutCases(verifier);
    expect(heldOut.some((c) => (c.input as { n: number }).n > n0)).toBe(true);

    const result = await healNeverHealthy(verifier, genome, [searchRepair({ parallelism: 1, maxTrials: 64, timeBudgetMs: 300_000 })]);
    const search = searchOf(result);
    expect(result!.healed, JSON.stringify(search)).toBe(true);
    expect(search.failedHeldOut).toBeGreaterThanOrEqual(1);
    expect(search.overfitting[0]).toMatchObject({ edits: [expect.stringMatching(/moved the boundary of `<` to `<=`/)], case: expect.stringMatching(/^held-out property/), verdict: 'wrong' });
    if (!result?.healed) return;
    // The promoted repair is right on the held-out inputs too, not only on the suite.
    expect((await verifier.runAll(result.candidate.source, heldOut)).passed).toBe(true);
  }, 300_000);
});

describe('a seed that never passed', () => {
  it('is repaired at start by the search rung instead of stopping the server', async () => {
    const organismsDir = path.join(tmp.dir, 'never-healthy');
    cpSync(path.join(REAL_ORGANISMS, 'bubble-sort'), path.join(organismsDir, 'bubble-sort'), { recursive: true });
    const seed = readFileSync(path.join(REAL_ORGANISMS, 'bubble-sort', 'genome.js'), 'utf8');
    // Sorts descending: wrong on every input with two different numbers.
    const mutant = getChaosOperator('flip_comparison')!.enumerate!(seed).find((m) => m.before.includes('values[i] > values[i + 1]'))!;
    writeFileSync(path.join(organismsDir, 'bubble-sort', 'genome.js'), mutant.source);
    // No FAILING_SEED: with the search rung in the ladder, a failing seed is the ladder's to heal.
    const { app } = await build({ organismsDir, organism: 'bubble-sort' });
    const status = await waitFor(() => getJson(app, '/status'), (s) => s.state === 'healthy' || s.state === 'quarantined', { what: 'a repair', timeoutMs: 240_000, intervalMs: 200 });
    expect(status.quarantine).toBeNull();
    expect(status.lastMutation).toMatchObject({ cause: 'heal', summary: expect.stringMatching(/^search: flipped `<` to `>` on line \d+/) });
    const genome = await getJson(app, `/genomes/${status.genomeId}`);
    expect(genome.source).toBe(seed);
  }, 300_000);
});

describe('coverage runs', () => {
  it('run in the whole sandbox: a genome that reads a file outside under coverage is refused, and its lines are still counted', async () => {
    const sandbox = await detectSandbox({ settings: sandboxSettingsFromEnv(), dataDir: tmp.dir });
    expect(sandbox?.permissionFlag, 'this test needs the permission model layer').toBeTruthy();
    // Readable by everyone, the sandbox's uid included: only the permission model stands between it and the genome.
    const outside = path.join(tmp.dir, 'outside');
    mkdirSync(outside, { recursive: true });
    chmodSync(tmp.dir, 0o755);
    chmodSync(outside, 0o755);
    const secret = path.join(outside, 'secret.txt');
    writeFileSync(secret, 'the secret');
    chmodSync(secret, 0o644);
    // Doubles its input when the read is refused; answers wrongly, with the secret, when it is not.
    const genome = `${READ}function main({ n }) {
  let leaked = null;
  try {
    leaked = require('fs').readFileSync(${JSON.stringify(secret)}, 'utf8');
  } catch (err) {
    console.log(err.code);
  }
  console.log(JSON.stringify(leaked === null ? n * 2 : leaked));
}
`;
    const dir = doublingOrganism('reader', genome);
    const { verifier } = await verifierAt(path.join(tmp.dir, 'reader'), dir, 'reader', sandbox);
    const cases = verifier.suite.cases.slice(0, 2);
    const samples = await searchRunsFor(verifier).coverage(genome, cases, 2, new AbortController().signal);
    expect(samples).toHaveLength(2);
    for (const s of samples) {
      expect(['ok', 'slow']).toContain(s.verdict);
      // The read (line 5), the refusal's catch (line 7) and the answer (line 9) ran.
      expect([...(s.lines ?? [])]).toEqual(expect.arrayContaining([2, 5, 7, 9]));
    }
    const refused = await verifier.check(genome, cases[0]!);
    expect(refused.progress).toEqual(['ERR_ACCESS_DENIED']);
  }, 120_000);
});
