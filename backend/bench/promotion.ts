/**
 * Evolution's promotion rule against a loaded machine: a no-op candidate (the bubble sort with one more comment:
 * the same program) measured against the live bubble sort again and again beside two busy processes, counting the
 * times the rule would have promoted it (false promotions); and a merge sort, genuinely faster, counting the times
 * it would have been promoted. Both go through the exact code evolution runs: Bench.screen, then Bench.measurePair
 * and the rule of src/evolution/promotion-rule.ts, in the full sandbox, on the benchmark of the evolution tests
 * (10,000 random values).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Bench } from '../src/evolution/bench.js';
import { median } from '../src/evolution/fitness.js';
import { confirm, CONFIRM_PAIRS, screen } from '../src/evolution/promotion-rule.js';
import { Mutex } from '../src/lib/mutex.js';
import { loadOrganism, type Organism } from '../src/organism/manifest.js';
import { detectSandbox } from '../src/sandbox/index.js';
import { MERGE_SORT_FILE } from '../test/helpers/fixtures.js';
import type { BenchOptions, Figure, Section } from './model.js';
import { REAL_ORGANISMS, tempDir } from './proc.js';
import { since } from './stats.js';

export interface PromotionOptions extends BenchOptions {
  /** Trials of the no-op candidate (target: no promotion in any). */
  noopTrials?: number;
  /** Trials of the merge sort (target: promoted in every one). */
  fasterTrials?: number;
  /** Busy processes beside the measurements. */
  busy?: number;
}

const MARGIN = 0.1;
/** Random values to sort: where the bubble sort's work dominates a run (at 2,000 the merge sort is no faster). */
const VALUES = 10_000;

/** `count` processes that spin until stopped: the load a shared machine puts beside a measurement. */
function spinners(count: number): { stop(): Promise<void> } {
  const children: ChildProcess[] = Array.from({ length: count }, () => spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore', env: {} }));
  return {
    async stop() {
      await Promise.all(
        children.map(
          (c) =>
            new Promise<void>((resolve) => {
              if (c.exitCode !== null || c.signalCode !== null) return resolve();
              c.once('exit', () => resolve());
              c.kill('SIGKILL');
            }),
        ),
      );
    },
  };
}

interface Trial {
  screened: boolean;
  promoted: boolean;
  reason: string;
  /** Median CPU ms of the candidate and the incumbent over the trial's pairs. */
  candidateMs: number;
  incumbentMs: number;
  ratioUpper: number | null;
}

async function trial(bench: Bench, candidate: string, incumbent: string): Promise<Trial> {
  const first = await bench.screen(candidate, incumbent, { giveUpRatio: 2 });
  const verdict = screen(first, MARGIN);
  const medians = (pairs: { candidateMs: number; incumbentMs: number }[]) => ({
    candidateMs: median(pairs.map((p) => p.candidateMs)),
    incumbentMs: median(pairs.map((p) => p.incumbentMs)),
  });
  if (!verdict.passed) return { screened: false, promoted: false, reason: verdict.reason, ...medians(first.pairs), ratioUpper: null };
  const pair = await bench.measurePair(candidate, incumbent, { repeats: Math.max(CONFIRM_PAIRS, bench.repeats) });
  const second = confirm(pair, MARGIN);
  return { screened: true, promoted: second.confirmed, reason: second.reason, ...medians(pair.pairs), ratioUpper: second.ratio?.upper ?? null };
}

export async function benchPromotion(opts: PromotionOptions = {}): Promise<Section[]> {
  const started = performance.now();
  const log = opts.log ?? (() => {});
  const noopTrials = opts.noopTrials ?? (opts.tiny ? 1 : 50);
  const fasterTrials = opts.fasterTrials ?? (opts.tiny ? 1 : 10);
  const busy = opts.busy ?? (opts.tiny ? 1 : 2);
  const real = await loadOrganism(REAL_ORGANISMS, 'bubble-sort');
  const fitness = real.manifest.fitness!;
  const organism: Organism = {
    ...real,
    manifest: { ...real.manifest, fitness: { ...fitness, repeats: 3, benchmark: { ...fitness.benchmark, sizes: [VALUES], sorted: 0 } } },
  };
  const bubble = real.seedSource;
  const noop = `${bubble}// a comment: the same program\n`;
  const merge = readFileSync(MERGE_SORT_FILE, 'utf8');
  const tmp = tempDir('ouroboros-bench-promotion-');
  const loadBefore = os.loadavg()[0]!;
  const load = spinners(busy);
  const noops: Trial[] = [];
  const faster: Trial[] = [];
  try {
    const sandbox = await detectSandbox({ dataDir: tmp.dir });
    const bench = Bench.for(organism, { dir: path.join(tmp.dir, 'evolve'), outputCapBytes: 1 << 20, lock: new Mutex(), sandbox })!;
    for (let t = 0; t < noopTrials; t++) {
      const r = await trial(bench, noop, bubble);
      noops.push(r);
      log(`  no-op ${t + 1}/${noopTrials}: ${r.promoted ? 'PROMOTED' : r.screened ? 'refused at confirmation' : 'refused at screening'} (${r.reason.slice(0, 140)})`);
    }
    for (let t = 0; t < fasterTrials; t++) {
      const r = await trial(bench, merge, bubble);
      faster.push(r);
      log(`  merge sort ${t + 1}/${fasterTrials}: ${r.promoted ? 'promoted' : 'REFUSED'} (${r.reason.slice(0, 140)})`);
    }
  } finally {
    await load.stop();
    tmp.cleanup();
  }
  const loadDuring = os.loadavg()[0]!;
  const falsePromotions = noops.filter((t) => t.promoted).length;
  const promoted = faster.filter((t) => t.promoted).length;
  const spread = (trials: Trial[]) => {
    const all = trials.flatMap((t) => [t.candidateMs, t.incumbentMs]).filter(Number.isFinite);
    return all.length ? `${Math.round(Math.min(...all))}–${Math.round(Math.max(...all))} ms` : 'none';
  };
  const figures: Figure[] = [
    {
      id: 'promotion.noop.false',
      label: `no-op candidate promoted (false promotions), of ${noopTrials} trials`,
      unit: 'trials',
      value: falsePromotions,
      target: { text: '0', met: falsePromotions === 0 },
      note: `${noops.filter((t) => t.screened).length} of ${noopTrials} passed the first measurement (the cheap filter) and were refused by the confirmation's 99 % bound; the trials' median CPU times ranged over ${spread(noops)}.`,
    },
    {
      id: 'promotion.faster.promoted',
      label: `merge sort promoted over the bubble sort, of ${fasterTrials} trials`,
      unit: 'trials',
      value: promoted,
      target: { text: `${fasterTrials} (every trial)`, met: promoted === fasterTrials },
      note: `upper bounds of its time ratio: ${faster.map((t) => (t.ratioUpper === null ? '–' : t.ratioUpper.toFixed(2))).join(', ')}`,
    },
  ];
  return [
    {
      id: 'promotion',
      title: 'Evolution: promotions on a loaded machine',
      params: { noopTrials, fasterTrials, busyProcesses: busy, margin: MARGIN, confirmPairs: CONFIRM_PAIRS, values: VALUES },
      method: [
        `Beside ${busy} processes that spin (\`node -e 'for (;;) {}'\`), a no-op candidate (the bubble sort with one more comment) is measured against the bubble sort ${noopTrials} times, and a merge sort ${fasterTrials} times, each through evolution's own code: the gate and a first measurement of 3 interleaved pairs (Bench.screen, better by the ${MARGIN * 100} % margin), then, if it passes, ${CONFIRM_PAIRS} interleaved pairs (Bench.measurePair) judged by src/evolution/promotion-rule.ts. Times are CPU times of the organism's process (src/watcher/cpu-report.ts), in the full sandbox.`,
        `Load average (1 min) ${loadBefore.toFixed(1)} before the spinners started, ${loadDuring.toFixed(1)} at the end.`,
      ],
      figures,
      notes: [],
      elapsedS: since(started) / 1000,
    },
  ];
}
