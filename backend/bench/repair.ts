/**
 * The repair corpus: for each organism, every single-operator bug of its seed genome (the chaos AST logic mutants) that
 * its verification suite catches, installed as a never-healthy seed (no history, no LLM) and given to the search rung,
 * once with fault localization and once without. A repair counts as right when it also passes a further held-out set
 * of property inputs that neither the suite nor the rung's own held-out set contains. Real sandboxed runs through the
 * server's own Verifier and ladder.
 */
import os from 'node:os';
import path from 'node:path';
import { getChaosOperator } from '../src/chaos/index.js';
import { searchRepair, type SearchRecord } from '../src/healing/search/strategy.js';
import { heldOutCases } from '../src/healing/search/runs.js';
import { propertyCases, type SuiteCase } from '../src/verification/suite.js';
import { detectSandbox, sandboxSettingsFromEnv } from '../src/sandbox/index.js';
import type { Verification, Verifier } from '../src/verification/verifier.js';
import { healNeverHealthy, verifierAt } from '../test/helpers/search-context.js';
import type { BenchOptions, Figure, Section } from './model.js';
import { nodeStartMs, REAL_ORGANISMS, tempDir } from './proc.js';
import { median, ratios, since, summarize } from './stats.js';
import { scratchDirAt } from '../src/files/scratch.js';
import { createRng } from '../src/lib/rng.js';
import { runGenome } from '../src/watcher/run-genome.js';

export interface RepairBenchOptions extends BenchOptions {
  organisms?: string[];
  /** Mutants per organism at most (all by default; 2 with --tiny). */
  perOrganism?: number;
  maxTrials?: number;
  timeBudgetMs?: number;
  /** Property inputs of each suite (the manifest's by default; 4 with --tiny, as the tests' servers use). */
  propertyInputs?: number;
  /** Which of REPAIR_MODES to run (all by default): the whole corpus in 'on' and 'off' alone takes minutes. */
  modes?: readonly RepairMode[];
}

/**
 * 'on': localized, the proof in vm contexts (the default); 'off': localization off; 'workers': the proof in a worker
 * thread per input (HEAL_BATCH_PROOF=workers); 'serial': a process per input (HEAL_BATCH_PROOF=0).
 */
export const REPAIR_MODES = ['on', 'off', 'workers', 'serial'] as const;
export type RepairMode = (typeof REPAIR_MODES)[number];

/** The chaos operators whose every mutant can be listed: one edit of the seed each. */
const LOGIC_OPERATORS = ['flip_comparison', 'flip_equality', 'swap_arithmetic', 'change_boundary', 'negate_condition', 'change_literal'];
/** Inputs of the further held-out set that judges whether a repair is right (8 with --tiny: each is a sandboxed run). */
const FURTHER_INPUTS = 60;
const TINY_FURTHER_INPUTS = 8;
const FURTHER_SALT = 0x0b5e_55ed;

interface Outcome {
  healed: boolean;
  right: boolean;
  ms: number;
  tried: number;
  overfitCaught: number;
  /** Where the time of a repair went: wall time and runs of each step, the ladder's own verification last. */
  phases: Record<Phase, { ms: number; runs: number }> | null;
}

const PHASES = ['coverage', 'screen', 'suite', 'heldOut', 'ladder'] as const;
type Phase = (typeof PHASES)[number];
const PHASE_LABELS: Record<Phase, string> = {
  coverage: 'fault localization (coverage runs)',
  screen: 'screening candidates on the failing input',
  suite: "the winner's suite",
  heldOut: "the winner's held-out set",
  ladder: "the ladder's verification of the proposal",
};

export async function benchRepair(o: RepairBenchOptions = {}): Promise<Section[]> {
  const started = performance.now();
  const log = o.log ?? (() => {});
  const tiny = o.tiny ?? false;
  const organisms = o.organisms ?? (tiny ? ['bubble-sort'] : ['bubble-sort', 'json-transform', 'prime-sieve']);
  const perOrganism = o.perOrganism ?? (tiny ? 2 : Infinity);
  const maxTrials = o.maxTrials ?? 64;
  const timeBudgetMs = o.timeBudgetMs ?? 60_000;
  const propertyInputs = o.propertyInputs ?? (tiny ? 4 : null);
  const furtherInputs = tiny ? TINY_FURTHER_INPUTS : FURTHER_INPUTS;
  const parallelism = Math.max(1, os.availableParallelism());
  const dir = tempDir('ouroboros-bench-repair-');
  // 'serial': localization on, batch proof off (HEAL_BATCH_PROOF=0), to show what the batch proof saves in the same run;
  // 'workers': the batch proof with a worker thread per input (HEAL_BATCH_PROOF=workers), what its vm contexts save.
  const results: Record<'on' | 'off' | 'serial' | 'workers', Outcome[]> = { on: [], off: [], serial: [], workers: [] };
  const corpus: Record<string, number> = {};
  // The baseline: routine runs of the seeds, taken between the repairs, so that the machine's load weighs on both.
  const routine: number[] = [];
  // And the floor under any run: a bare `node -e ''`, to show what the sandbox and the organism add to one run.
  const bare: number[] = [];
  const rng = createRng(5);
  try {
    const sandbox = await detectSandbox({ settings: sandboxSettingsFromEnv(), dataDir: dir.dir });
    for (const name of organisms) {
      const judge = await verifierAt(path.join(dir.dir, name, 'corpus'), REAL_ORGANISMS, name, sandbox, propertyInputs);
      const further = furtherCases(judge.verifier, furtherInputs);
      const bugs: { what: string; source: string; failed: Verification }[] = [];
      let mutants = 0;
      // One operator after the other, round robin: a sample of the corpus covers every operator.
      const byOperator = LOGIC_OPERATORS.map((op) => getChaosOperator(op)!.enumerate!(judge.organism.seedSource).map((m) => ({ op, m })));
      const all = Array.from({ length: Math.max(...byOperator.map((l) => l.length)) }, (_, i) => byOperator.flatMap((l) => l[i] ?? [])).flat();
      for (const { op, m } of all) {
        if (bugs.length >= perOrganism) break;
        mutants++;
        const failed = await judge.verifier.verify(m.source);
        if (!failed.passed) bugs.push({ what: `${op} line ${m.line}`, source: m.source, failed });
      }
      corpus[name] = bugs.length;
      log(`  ${name}: ${bugs.length} of ${mutants} mutants caught by the suite`);
      for (const mode of o.modes ?? REPAIR_MODES) {
        for (const [b, bug] of bugs.entries()) {
          // A store per bug and mode, as a never-healthy seed has: a repair is never verified before. (One store for
          // all the bugs of an organism remembered the seed's suite once the first repair had found it again, and
          // the later repairs to the same source skipped their suite.)
          const { verifier, store } = await verifierAt(path.join(dir.dir, name, `${mode}-${b}`), REAL_ORGANISMS, name, sandbox, propertyInputs, mode === 'serial' ? false : mode === 'workers' ? 'workers' : 'contexts');
          bare.push(await nodeStartMs());
          routine.push(await scratchDirAt(path.join(dir.dir, name)).withFile(judge.organism.seedSource, async (file) => (await runGenome(judge.organism, file, rng.int(0, 0xffff_ffff), { outputCapBytes: 64 * 1024, killGraceMs: 500, sandbox })).durationMs));
          const rung = searchRepair({ parallelism, maxTrials, timeBudgetMs, localize: mode !== 'off' });
          const t0 = performance.now();
          const r = await healNeverHealthy(verifier, bug.source, [rung], bug.failed);
          const ms = since(t0);
          const search = (r?.healed ? r.candidate.detail.search : r?.attempts.at(-1)?.detail?.search) as SearchRecord | undefined;
          const right = r?.healed ? (await verifier.runAll(r.candidate.source, further)).passed : false;
          const phases =
            r?.healed && search?.phases
              ? { coverage: { ms: search.ranking.timeMs, runs: search.ranking.runs }, ...search.phases, ladder: { ms: r.verification.timeMs, runs: r.verification.runs } }
              : null;
          results[mode].push({ healed: r?.healed ?? false, right, ms, tried: search?.tried ?? 0, overfitCaught: search?.failedHeldOut ?? 0, phases });
          log(`    ${mode === 'on' ? 'localized' : mode === 'serial' ? 'unbatched' : mode === 'workers' ? 'workers  ' : 'blind    '} ${bug.what}: ${r?.healed ? (right ? 'repaired, right' : 'repaired, WRONG on the further set') : 'not repaired'} in ${Math.round(ms)} ms, ${search?.tried ?? 0} candidates${phases ? ` (${PHASES.map((k) => `${k} ${phases[k].ms}`).join(', ')})` : ''}`);
          store.close();
        }
      }
      judge.store.close();
    }
  } finally {
    dir.cleanup();
  }
  const total = results.on.length;
  const figures: Figure[] = [];
  for (const mode of (['on', 'off'] as const).filter((m) => (o.modes ?? REPAIR_MODES).includes(m))) {
    const rs = results[mode];
    const healed = rs.filter((r) => r.healed);
    const wrong = healed.filter((r) => !r.right).length;
    const label = mode === 'on' ? 'with localization' : 'localization off';
    const pct = (n: number) => (total ? Math.round((1000 * n) / total) / 10 : 0);
    figures.push(
      { id: `repair.${mode}.repaired`, label: `${label}: repaired`, unit: '%', value: pct(healed.length), note: `${healed.length} of ${total}`, ...(mode === 'on' ? { target: { text: '>= 80% repaired', met: pct(healed.length) >= 80 } } : {}) },
      { id: `repair.${mode}.right`, label: `${label}: repaired and right on a further held-out set (${furtherInputs} inputs)`, unit: '%', value: pct(healed.length - wrong), note: `${healed.length - wrong} of ${total}` },
      { id: `repair.${mode}.wrong`, label: `${label}: wrong repairs promoted`, unit: 'repairs', value: wrong, ...(mode === 'on' ? { target: { text: '0 wrong repairs promoted', met: wrong === 0 } } : {}) },
      { id: `repair.${mode}.overfit`, label: `${label}: overfitting candidates caught by the held-out set`, unit: 'candidates', value: rs.reduce((a, r) => a + r.overfitCaught, 0) },
      healed.length && routine.length
        ? {
            id: `repair.${mode}.time`,
            label: `${label}: time to a repair`,
            unit: 'ms',
            value: summarize(healed.map((r) => r.ms)),
            baseline: { label: 'one routine run of the seed', value: summarize(routine) },
            ratio: ratios(summarize(healed.map((r) => r.ms)), summarize(routine)),
            ...(mode === 'on' ? { target: { text: `median < 2000 ms on ${parallelism} cores`, met: median(healed.map((r) => r.ms)) < 2000 } } : {}),
          }
        : { id: `repair.${mode}.time`, label: `${label}: time to a repair`, unit: 'ms', value: NaN, note: 'nothing was repaired' },
      { id: `repair.${mode}.trials`, label: `${label}: median candidates tried per bug`, unit: 'candidates', value: rs.length ? median(rs.map((r) => r.tried)) : NaN },
    );
  }
  // The default (vm contexts) against the other ways to prove, each run the same corpus in the same run.
  const batched = summarize(results.on.filter((r) => r.healed).map((r) => r.ms));
  const against: [RepairMode, string, string, string][] = [
    ['serial', 'repair.on.batch', 'with localization, time to a repair with the batch proof against without it (HEAL_BATCH_PROOF=0)', 'a process per input'],
    ['workers', 'repair.on.contexts', 'with localization, time to a repair with the batch proof in vm contexts against worker threads (HEAL_BATCH_PROOF=workers)', 'a worker thread per input'],
  ];
  for (const [mode, id, label, baselineLabel] of against) {
    const other = results[mode].filter((r) => r.healed);
    if (!other.length || !batched.n) continue;
    const baseline = summarize(other.map((r) => r.ms));
    figures.push({ id, label, unit: 'ms', value: batched, baseline: { label: baselineLabel, value: baseline }, ratio: ratios(batched, baseline) });
  }
  // Where a localized repair's time goes, step by step (the steps run one after the other), with and without the batch proof.
  for (const mode of ['on', 'workers', 'serial'] as const) {
    const split = results[mode].flatMap((r) => (r.phases ? [r.phases] : []));
    for (const phase of split.length ? PHASES : []) {
      figures.push({
        id: `repair.${mode}.phase.${phase}`,
        label: `with localization${mode === 'serial' ? ', batch proof off' : mode === 'workers' ? ', batch proof in worker threads' : ''}, a repair's time in ${PHASE_LABELS[phase]}`,
        unit: 'ms',
        value: summarize(split.map((p) => p[phase].ms)),
        note: `median ${median(split.map((p) => p[phase].runs))} runs`,
      });
    }
  }
  if (bare.length && routine.length) {
    figures.push({
      id: 'repair.run.routine',
      label: 'one routine sandboxed run of a seed',
      unit: 'ms',
      value: summarize(routine),
      baseline: { label: "a bare `node -e ''`", value: summarize(bare) },
      ratio: ratios(summarize(routine), summarize(bare)),
    });
  }
  return [
    {
      id: 'repair',
      title: 'Repair without history: the search rung on a corpus of single-operator bugs',
      params: { ...Object.fromEntries(Object.entries(corpus).map(([k, v]) => [`${k} bugs`, v])), 'HEAL_MAX_TRIALS': maxTrials, 'property inputs': propertyInputs ?? 'the manifests\'', 'time budget (ms)': timeBudgetMs, parallelism },
      method: [
        "Corpus: every mutant of each organism's seed from the chaos AST logic operators (flip_comparison, flip_equality, swap_arithmetic, change_boundary, negate_condition, change_literal) that the organism's verification suite catches. Each is a never-healthy seed: no verified ancestor, no LLM, the search rung alone (src/healing/search) through the ladder, which verifies whatever it proposes.",
        `A repair is right when it also passes ${furtherInputs} further property inputs, from a seed neither the suite nor the rung's own held-out set uses. Time is from the heal's start to the ladder's verified answer (localization, candidates, the held-out check and the ladder's verification), split into its steps below. The same corpus runs again with localization off (candidates in the catalogue's order).`,
      ],
      figures,
      notes: [],
      elapsedS: since(started) / 1000,
    },
  ];
}

/** Property inputs from yet another seed, without any input of the suite or of the rung's held-out set. */
function furtherCases(v: Verifier, count: number): SuiteCase[] {
  const seen = new Set([...v.suite.cases, ...heldOutCases(v)].map((c) => c.hash));
  return propertyCases(v.organism, { seed: (v.settings.seed ^ FURTHER_SALT) >>> 0 }, count).filter((c) => !seen.has(c.hash));
}
