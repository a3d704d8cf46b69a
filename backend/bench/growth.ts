/**
 * Cost of growth: listing, counting, reading and diffing genomes with a small store and a large one (100
 * and 10,000 genomes of about 2 KB), in the store and through the HTTP routes, interleaved. Flat means the
 * large store costs about what the small one does.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { genomeDiff } from '../src/genome/diff.js';
import { genomeId, GenomeStore, sourceHash } from '../src/genome/store.js';
import { createRng } from '../src/lib/rng.js';
import type { BenchOptions, Figure, Section } from './model.js';
import { REAL_ORGANISMS, tempDir } from './proc.js';
import { ratio, ratios, since, summarize, timeSync } from './stats.js';

export interface GrowthOptions extends BenchOptions {
  small?: number;
  large?: number;
  reps?: number;
  httpReps?: number;
}

const ORGANISM = 'bubble-sort';
const FLAT_RATIO = 1.5;

/** ~2 KB sources, each one line away from its parent, as chaos and heals make them. */
function lineage(count: number): { id: string; parentId: string | null; source: string; generation: number }[] {
  const seed = readFileSync(path.join(REAL_ORGANISMS, ORGANISM, 'genome.js'), 'utf8');
  const padding = Array.from({ length: 12 }, (_, i) => `// note ${i}: ${'lorem ipsum dolor sit amet '.repeat(2).trim()}`);
  let lines = [...seed.trimEnd().split('\n'), ...padding];
  const rng = createRng(42);
  const out: { id: string; parentId: string | null; source: string; generation: number }[] = [];
  let parentId: string | null = null;
  for (let generation = 0; generation < count; generation++) {
    if (generation > 0) {
      lines = [...lines];
      const at = rng.int(0, lines.length - 1);
      lines[at] = `${lines[at]!.replace(/ \/\/ g\d+$/, '')} // g${generation}`;
    }
    const source = `${lines.join('\n')}\n`;
    const id = genomeId(ORGANISM, generation, parentId, source);
    out.push({ id, parentId, source, generation });
    parentId = id;
  }
  return out;
}

/** A DATA_DIR whose store holds `count` genomes of the organism, the newest live, written in one transaction. */
export function filledDataDir(count: number): { dir: string; ids: string[]; cleanup: () => void } {
  const tmp = tempDir('ouroboros-bench-growth-');
  const file = path.join(tmp.dir, 'ouroboros.db');
  new GenomeStore(file).close(); // the schema
  const db = new Database(file);
  const genomes = lineage(count);
  const insert = db.prepare(
    `INSERT INTO genomes (id, organism, generation, parent_id, source_hash, source, cause, summary, detail, created_at, healthy, runs_total, runs_ok, last_verdict)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  db.transaction(() => {
    for (const g of genomes) {
      const chaos = g.generation % 2 === 1;
      insert.run(
        g.id,
        ORGANISM,
        g.generation,
        g.parentId,
        sourceHash(g.source),
        g.source,
        g.generation === 0 ? 'seed' : chaos ? 'chaos' : 'heal',
        chaos ? `delete_line at line ${g.generation % 40}` : `minimal-revert: reverted 1 of 1 hunk(s) against generation ${g.generation - 2}`,
        JSON.stringify(chaos ? { chaos: { type: 'delete_line', line: g.generation % 40, expect: ['crashed'] }, seed: g.generation } : { strategy: 'minimal-revert', healMs: 80, trial: { verdict: 'ok', durationMs: 40 } }),
        new Date(Date.UTC(2026, 0, 1) + g.generation * 1000).toISOString(),
        chaos ? 0 : 1,
        chaos ? 1 : 20,
        chaos ? 0 : 20,
        chaos ? 'crashed' : 'ok',
      );
    }
    db.prepare('INSERT INTO live (organism, genome_id) VALUES (?, ?)').run(ORGANISM, genomes[genomes.length - 1]!.id);
  })();
  db.close();
  return { dir: tmp.dir, ids: genomes.map((g) => g.id), cleanup: tmp.cleanup };
}

interface Size {
  n: number;
  app: FastifyInstance;
  ids: string[];
  cleanup: () => void;
}

async function open(n: number): Promise<Size> {
  const filled = filledDataDir(n);
  const config = loadConfig({ DATA_DIR: filled.dir, ORGANISMS_DIR: REAL_ORGANISMS, ORGANISMS: ORGANISM, ORGANISM, LOG_LEVEL: 'silent', EXTERNAL_EDITS: 'false' });
  const app = await buildApp(config, { startWatcher: false, logger: false });
  return { n, app, ids: filled.ids, cleanup: filled.cleanup };
}

export async function benchGrowth(opts: GrowthOptions = {}): Promise<Section[]> {
  const started = performance.now();
  const log = opts.log ?? (() => {});
  const tiny = opts.tiny ?? false;
  const smallN = opts.small ?? (tiny ? 10 : 100);
  const largeN = opts.large ?? (tiny ? 100 : 10_000);
  const reps = opts.reps ?? (tiny ? 5 : 400);
  const httpReps = opts.httpReps ?? (tiny ? 3 : 200);

  const sizes = [await open(smallN), await open(largeN)];
  log(`  stores filled: ${smallN} and ${largeN} genomes`);
  try {
    const rng = createRng(7);
    const pick = (s: Size) => s.ids[rng.int(1, s.ids.length - 1)]!;
    type Op = { id: string; label: string; flat: boolean; reps: number; run: (s: Size) => Promise<number> };
    const sync = (fn: (s: Size) => unknown) => async (s: Size) => timeSync(() => fn(s));
    const inject = (url: (s: Size) => string) => async (s: Size) => {
      const u = url(s);
      const t0 = performance.now();
      const res = await s.app.inject({ method: 'GET', url: u });
      const ms = performance.now() - t0;
      if (res.statusCode !== 200) throw new Error(`GET ${u} -> ${res.statusCode}: ${res.body.slice(0, 200)}`);
      return ms;
    };
    const ops: Op[] = [
      { id: 'list', label: '`listGenomes(limit 50)`, first page', flat: true, reps, run: sync((s) => s.app.store.listGenomes(ORGANISM, 50, 0)) },
      { id: 'count', label: '`countGenomes`', flat: true, reps, run: sync((s) => s.app.store.countGenomes(ORGANISM)) },
      {
        id: 'get-diff',
        label: '`getGenome` + its parent + `genomeDiff`',
        flat: true,
        reps,
        run: sync((s) => {
          const g = s.app.store.getGenome(pick(s))!;
          const parent = g.parentId ? s.app.store.getGenome(g.parentId) : null;
          return genomeDiff(parent, g);
        }),
      },
      { id: 'last-healthy', label: '`lastHealthyGenome` (every heal)', flat: true, reps, run: sync((s) => s.app.store.lastHealthyGenome(ORGANISM, s.ids[s.ids.length - 1])) },
      { id: 'list-deep', label: '`listGenomes(limit 50)`, last page (OFFSET n−50)', flat: false, reps, run: sync((s) => s.app.store.listGenomes(ORGANISM, 50, Math.max(0, s.n - 50))) },
      { id: 'http-list', label: '**GET /genomes?limit=50**', flat: true, reps: httpReps, run: inject(() => '/genomes?limit=50') },
      { id: 'http-get', label: '**GET /genomes/:id** (source, diff, record)', flat: true, reps: httpReps, run: inject((s) => `/genomes/${pick(s)}`) },
      { id: 'http-list-deep', label: 'GET /genomes?limit=50&offset=n−50', flat: false, reps: httpReps, run: inject((s) => `/genomes?limit=50&offset=${Math.max(0, s.n - 50)}`) },
    ];
    // Warm both (JIT, SQLite page cache), then measure each operation on both sizes, interleaved.
    for (const op of ops) for (const s of sizes) for (let i = 0; i < 3; i++) await op.run(s);
    const figures: Figure[] = [];
    for (const op of ops) {
      const samples: [number[], number[]] = [[], []];
      for (let i = 0; i < op.reps; i++) {
        const order = i % 2 === 0 ? [0, 1] : [1, 0];
        for (const k of order) samples[k as 0 | 1].push(await op.run(sizes[k]!));
      }
      const small = summarize(samples[0]);
      const large = summarize(samples[1]);
      const r = ratio(large.median, small.median);
      figures.push({
        id: `growth.${op.id}`,
        label: op.label,
        unit: 'ms',
        value: large,
        baseline: { label: `${smallN} genomes`, value: small },
        ratio: { median: r, p95: ratio(large.p95, small.p95) },
        ...(op.flat ? { target: { text: `flat: median ratio ≤ ${FLAT_RATIO}`, met: r <= FLAT_RATIO } } : {}),
      });
      log(`  ${op.id}: ${small.median.toFixed(3)} ms -> ${large.median.toFixed(3)} ms (×${r.toFixed(2)})`);
    }
    // Promotion (chaos, heal, rollback): writes, with a synchronous commit; fewer of them.
    const promoteReps = tiny ? 2 : 30;
    const promote: [number[], number[]] = [[], []];
    for (let i = 0; i < promoteReps; i++) {
      for (const k of i % 2 === 0 ? [0, 1] : [1, 0]) {
        const s = sizes[k]!;
        const live = s.app.store.liveGenome(ORGANISM)!;
        promote[k as 0 | 1].push(
          timeSync(() => s.app.store.promote(live.id, { organism: ORGANISM, source: `${live.source}// p${i}\n`, cause: 'manual', summary: 'bench' })),
        );
      }
    }
    const ps = summarize(promote[0]);
    const pl = summarize(promote[1]);
    figures.push({
      id: 'growth.promote',
      label: '`promote` (compare-and-swap, insert, synchronous commit)',
      unit: 'ms',
      value: pl,
      baseline: { label: `${smallN} genomes`, value: ps },
      ratio: ratios(pl, ps),
    });
    const bytes = sizes[1]!.app.store.getGenome(sizes[1]!.ids[1]!)!.source.length;
    return [
      {
        id: 'growth',
        title: 'Cost of growth',
        params: { 'small store': smallN, 'large store': largeN, 'genome size bytes': bytes, 'repetitions (store)': reps, 'repetitions (HTTP)': httpReps },
        method: [
          `Two DATA_DIRs, filled in one transaction with ${smallN} and ${largeN} genomes of the bubble-sort organism (~${Math.round(bytes / 100) / 10} KB each, every one a line away from its parent, alternating chaos and heal records), opened by \`buildApp\` (watcher off). Each operation runs on both stores, interleaved; the ratio is large / small.`,
          'HTTP routes through `app.inject` (routing, zod validation and serialisation, no socket).',
        ],
        figures,
        notes: [],
        elapsedS: since(started) / 1000,
      },
    ];
  } finally {
    for (const s of sizes) {
      await s.app.close();
      s.cleanup();
    }
  }
}
