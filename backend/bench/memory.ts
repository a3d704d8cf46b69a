/**
 * Memory: the server's resident set after many organism runs against after a few, read from
 * /proc/<pid>/status of the real server process while a tiny organism runs as fast as the loop allows.
 */
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BenchOptions, Figure, Section } from './model.js';
import { FIXTURE_ORGANISMS, http, rssMb, startServer, tempDir } from './proc.js';
import { since, sleep, summarize } from './stats.js';

export interface MemoryOptions extends BenchOptions {
  /** Runs of the first reading (the baseline). */
  fromRuns?: number;
  /** Runs of the last reading. */
  toRuns?: number;
  loopIntervalMs?: number;
  /** Organisms run at once (the fleet runs each in its own loop): one a core by default. */
  organisms?: number;
}

/** `count` copies of the fixture organism `good` (it doubles a number), named soak-1, soak-2... */
function soakOrganisms(dir: string, count: number): string[] {
  const good = path.join(FIXTURE_ORGANISMS, 'good');
  const manifest = JSON.parse(readFileSync(path.join(good, 'manifest.json'), 'utf8')) as Record<string, unknown>;
  const names: string[] = [];
  for (let i = 1; i <= count; i++) {
    const name = `soak-${i}`;
    const to = path.join(dir, name);
    mkdirSync(to, { recursive: true });
    // Each its own source: a genome's id hashes generation, parent and source, not the organism.
    writeFileSync(path.join(to, 'genome.js'), `${readFileSync(path.join(good, 'genome.js'), 'utf8')}// ${name}\n`);
    copyFileSync(path.join(FIXTURE_ORGANISMS, '_shared', 'harness.mjs'), path.join(to, 'harness.mjs'));
    // Generous limits: a loaded machine must not turn a slow start into a verdict (and a quarantine) mid-soak.
    writeFileSync(
      path.join(to, 'manifest.json'),
      JSON.stringify({ ...manifest, name, harness: 'harness.mjs', timeLimitMs: 20_000, slowMs: 10_000 }, null, 2),
    );
    names.push(name);
  }
  writeFileSync(path.join(dir, 'package.json'), '{ "type": "commonjs" }\n');
  return names;
}

/** Runs of every organism, and whether all are healthy. */
async function fleetRuns(url: string): Promise<{ runs: number; unhealthy: string[] }> {
  const r = await http<{ organisms: { name: string; state: string; totalRuns: number }[] }>(url, '/organisms');
  return {
    runs: r.organisms.reduce((n, o) => n + o.totalRuns, 0),
    unhealthy: r.organisms.filter((o) => o.totalRuns > 0 && o.state !== 'healthy').map((o) => `${o.name} ${o.state}`),
  };
}

const GROWTH_TARGET_MB = 20;
/** Readings of one checkpoint: the median of a few, a little apart (RSS moves with each GC). */
const READINGS = 5;

interface Checkpoint {
  runs: number;
  rssMb: number;
  heapMb: number | null;
  atS: number;
}

/** process heap used, from the Prometheus exposition, when the server has one. */
async function heapUsedMb(url: string): Promise<number | null> {
  try {
    const res = await fetch(`${url}/metrics`);
    if (!res.ok) return null;
    const m = /^nodejs_heap_size_used_bytes(?:\{[^}]*\})? ([0-9.e+]+)$/m.exec(await res.text());
    return m ? Number(m[1]) / 1024 / 1024 : null;
  } catch {
    return null;
  }
}

export async function benchMemory(opts: MemoryOptions = {}): Promise<Section[]> {
  const started = performance.now();
  const log = opts.log ?? (() => {});
  const tiny = opts.tiny ?? false;
  const fromRuns = opts.fromRuns ?? (tiny ? 4 : 100);
  const toRuns = opts.toRuns ?? (tiny ? 12 : 10_000);
  const loopIntervalMs = opts.loopIntervalMs ?? 10;
  // Ten checkpoints between the two readings, for the shape of the curve.
  const marks = [...new Set([fromRuns, ...Array.from({ length: 10 }, (_, i) => Math.round(fromRuns + ((toRuns - fromRuns) * (i + 1)) / 10))])];

  const count = opts.organisms ?? (tiny ? 1 : Math.max(1, os.availableParallelism()));
  const dir = tempDir('ouroboros-bench-memory-');
  const organismsDir = path.join(dir.dir, 'organisms-src');
  const names = soakOrganisms(organismsDir, count);
  const server = await startServer({
    DATA_DIR: path.join(dir.dir, 'data'),
    ORGANISMS_DIR: organismsDir,
    ORGANISM: names[0]!,
    ORGANISMS: names.join(','),
    LOOP_INTERVAL_MS: String(loopIntervalMs),
    LOG_LEVEL: 'warn',
  });
  const pid = server.child.pid!;
  const checkpoints: Checkpoint[] = [];
  try {
    const t0 = performance.now();
    for (const mark of marks) {
      for (;;) {
        const f = await fleetRuns(server.url);
        if (f.runs >= mark) break;
        if (f.unhealthy.length) throw new Error(`not healthy: ${f.unhealthy.join(', ')}`);
        await sleep(Math.min(1000, Math.max(20, ((mark - f.runs) * 20) / count)));
      }
      const readings: number[] = [];
      for (let i = 0; i < READINGS; i++) {
        readings.push(rssMb(pid));
        await sleep(100);
      }
      const cp = { runs: mark, rssMb: summarize(readings).median, heapMb: await heapUsedMb(server.url), atS: since(t0) / 1000 };
      checkpoints.push(cp);
      log(`  ${mark} runs: RSS ${cp.rssMb.toFixed(1)} MB, heap ${cp.heapMb?.toFixed(1) ?? '?'} MB, ${cp.atS.toFixed(0)} s`);
    }
  } finally {
    await server.stop();
    dir.cleanup();
  }
  const first = checkpoints[0]!;
  const last = checkpoints[checkpoints.length - 1]!;
  const growth = last.rssMb - first.rssMb;
  const runsPerS = (last.runs - first.runs) / (last.atS - first.atS);
  const figures: Figure[] = [
    {
      id: 'memory.rss',
      label: `**RSS after ${last.runs.toLocaleString('en-US')} runs**`,
      unit: 'MB',
      value: last.rssMb,
      baseline: { label: `after ${first.runs} runs`, value: first.rssMb },
      ratio: { value: last.rssMb / first.rssMb },
      target: { text: `growth < ${GROWTH_TARGET_MB} MB`, met: growth < GROWTH_TARGET_MB },
      note: `growth ${growth.toFixed(1)} MB`,
    },
    {
      id: 'memory.heap',
      label: `JS heap used after ${last.runs.toLocaleString('en-US')} runs`,
      unit: 'MB',
      value: last.heapMb ?? NaN,
      baseline: { label: `after ${first.runs} runs`, value: first.heapMb ?? NaN },
      ratio: { value: (last.heapMb ?? NaN) / (first.heapMb ?? NaN) },
      note: 'from /metrics (nodejs_heap_size_used_bytes); moves with garbage collection',
    },
  ];
  const curve = checkpoints.map((c) => `${c.runs.toLocaleString('en-US')}: ${c.rssMb.toFixed(1)} MB`).join(', ');
  return [
    {
      id: 'memory',
      title: 'Memory',
      params: { organisms: `${count} copies of test/fixtures/organisms/good`, LOOP_INTERVAL_MS: loopIntervalMs, 'runs at the baseline': first.runs, 'runs at the end': last.runs },
      method: [
        `The real server process (\`node --import tsx src/server.ts\`, default settings, sandbox included; no --expose-gc, nothing forced) runs ${count} copies of the tiny fixture organism \`good\` (it doubles a number), each in its own loop as the fleet does, with LOOP_INTERVAL_MS=${loopIntervalMs}, so that ${toRuns.toLocaleString('en-US')} runs take minutes rather than an hour. VmRSS of the server process from /proc/<pid>/status, the median of ${READINGS} readings 100 ms apart at each checkpoint; the runs are the sum of every organism's, from \`/organisms\`.`,
      ],
      figures,
      notes: [
        `RSS by runs: ${curve}.`,
        `${(last.runs - first.runs).toLocaleString('en-US')} runs took ${(last.atS - first.atS).toFixed(0)} s: ${runsPerS.toFixed(1)} runs/s, ${(1000 / runsPerS).toFixed(1)} ms a run including the ${loopIntervalMs} ms pause.`,
      ],
      elapsedS: since(started) / 1000,
    },
  ];
}
