/**
 * `pnpm bench`: runs the benchmarks, prints a summary and rewrites BENCHMARKS.md at the repository root.
 *
 *   pnpm bench                          everything, default sizes (about 15 minutes on 2 cores)
 *   pnpm bench -- --only detect,heal    some of them (BENCHMARKS.md is left alone unless --out is given)
 *   pnpm bench -- --tiny                the test suite's size: proves it works, measures nothing
 *   --out <file>   write the report there   --no-write   write no report   --json <file>   raw results
 *   --memory-runs <n>   runs of the memory benchmark (default 10000)
 *   --repair-bugs <n>   bugs per organism in the repair corpus (default: all of them)
 *   --repair-modes <m,m...>   of on, off, workers, serial (default: all four; on,off measures the whole corpus in minutes)
 *   --capacity-sizes <n,n...>   organism counts of the capacity curve (default 12,24,48; 96 for the issue's last row)
 *   --render <json>     no measuring: render the report again from raw results (after a change of findings.ts)
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readFlags, UsageError } from '../scripts/cli.js';
import { benchApiLoad } from './api-load.js';
import { benchCapacity } from './capacity.js';
import { benchDetectHeal } from './detect-heal.js';
import { benchEvents } from './events.js';
import { benchVerification } from './verification.js';
import { benchGrowth } from './growth.js';
import { benchMemory } from './memory.js';
import { BENCH_IDS, type BenchId, type BenchOptions, type Section } from './model.js';
import { benchOverhead } from './overhead.js';
import { benchPromotion } from './promotion.js';
import { benchQueue } from './queue.js';
import { benchRepair, REPAIR_MODES, type RepairMode } from './repair.js';
import { machine, renderMarkdown, renderSummary } from './report.js';

const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(BENCH_DIR, '..', '..');

interface Args {
  only: BenchId[] | null;
  tiny: boolean;
  out: string | null;
  write: boolean;
  json: string | null;
  memoryRuns: number | null;
  repairBugs: number | null;
  repairModes: RepairMode[] | null;
  capacitySizes: number[] | null;
  render: string | null;
}

/** What --json writes and --render reads. */
interface RawResults {
  command: string;
  date: string;
  elapsedS: number;
  machine: ReturnType<typeof machine>;
  loadBefore: number[];
  loadAfter: number[];
  sections: Section[];
}

/** Paths on the command line are relative to where `pnpm bench` was typed (pnpm runs us in backend/). */
const fromCaller = (p: string) => path.resolve(process.env.INIT_CWD ?? process.cwd(), p);

export function parseArgs(argv: string[]): Args {
  const f = flags(argv, {
    only: { type: 'string' },
    tiny: { type: 'boolean' },
    out: { type: 'string' },
    'no-write': { type: 'boolean' },
    json: { type: 'string' },
    'memory-runs': { type: 'string' },
    'repair-bugs': { type: 'string' },
    'repair-modes': { type: 'string' },
    'capacity-sizes': { type: 'string' },
    render: { type: 'string' },
  });
  let only: BenchId[] | null = null;
  if (f.only !== undefined) {
    const ids = f.only.split(',').map((s) => s.trim()).filter(Boolean);
    for (const id of ids) if (!(BENCH_IDS as readonly string[]).includes(id)) throw new Error(`unknown benchmark "${id}"; valid: ${BENCH_IDS.join(', ')}`);
    only = ids as BenchId[];
  }
  return {
    only,
    tiny: f.tiny ?? false,
    out: f.out === undefined ? null : fromCaller(f.out),
    write: !f['no-write'],
    json: f.json === undefined ? null : fromCaller(f.json),
    memoryRuns: f['memory-runs'] === undefined ? null : Number(f['memory-runs']),
    repairBugs: f['repair-bugs'] === undefined ? null : Number(f['repair-bugs']),
    repairModes: f['repair-modes'] === undefined ? null : repairModes(f['repair-modes']),
    capacitySizes: f['capacity-sizes'] === undefined ? null : capacitySizes(f['capacity-sizes']),
    render: f.render === undefined ? null : fromCaller(f.render),
  };
}

function repairModes(text: string): RepairMode[] {
  const modes = text.split(',').map((x) => x.trim()).filter(Boolean);
  const bad = modes.find((m) => !(REPAIR_MODES as readonly string[]).includes(m));
  if (modes.length === 0 || bad !== undefined) throw new Error(`--repair-modes "${text}": give some of ${REPAIR_MODES.join(', ')}, for example on,off`);
  return modes as RepairMode[];
}

function capacitySizes(text: string): number[] {
  const sizes = text.split(',').map((x) => Number(x.trim()));
  if (sizes.length === 0 || sizes.some((n) => !Number.isInteger(n) || n < 1)) throw new Error(`--capacity-sizes "${text}": give organism counts, for example 12,24,48,96`);
  return sizes;
}

/** readFlags, pointing at the options' list on a mistake. */
const flags: typeof readFlags = (argv, options) => {
  try {
    return readFlags(argv, options);
  } catch (err) {
    if (err instanceof UsageError) throw new Error(`${err.message}; see the top of backend/bench/run.ts`);
    throw err;
  }
};

/** Every module, in the order they run: quick ones first, the long memory soak last. */
export const MODULES: { ids: BenchId[]; run: (o: BenchOptions & { memoryRuns?: number; repairBugs?: number; repairModes?: RepairMode[]; capacitySizes?: number[] }) => Promise<Section[]> }[] = [
  { ids: ['growth'], run: (o) => benchGrowth(o) },
  { ids: ['overhead'], run: (o) => benchOverhead(o) },
  { ids: ['detect', 'heal'], run: (o) => benchDetectHeal(o) },
  { ids: ['verify'], run: (o) => benchVerification(o) },
  { ids: ['api'], run: (o) => benchApiLoad(o) },
  { ids: ['promotion'], run: (o) => benchPromotion(o) },
  { ids: ['repair'], run: (o) => benchRepair({ ...o, ...(o.repairBugs ? { organisms: ['bubble-sort', 'json-transform', 'prime-sieve'], perOrganism: o.repairBugs } : {}), ...(o.repairModes ? { modes: o.repairModes } : {}) }) },
  { ids: ['events'], run: (o) => benchEvents(o) },
  { ids: ['capacity'], run: (o) => benchCapacity({ ...o, ...(o.capacitySizes ? { sizes: o.capacitySizes } : {}) }) },
  { ids: ['queue'], run: (o) => benchQueue(o) },
  { ids: ['memory'], run: (o) => benchMemory({ ...o, ...(o.memoryRuns ? { toRuns: o.memoryRuns } : {}) }) },
];

function render(raw: RawResults, out: string | null): void {
  process.stdout.write(`${renderSummary(raw.sections)}\n`);
  const { command, elapsedS, machine: m, loadBefore, loadAfter, sections } = raw;
  const markdown = renderMarkdown(sections, { command, date: new Date(raw.date), elapsedS, machine: m, loadBefore, loadAfter });
  if (out) {
    writeFileSync(out, markdown);
    process.stdout.write(`\nwrote ${out}\n`);
  }
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const args = parseArgs(argv);
  if (args.render) {
    render(JSON.parse(readFileSync(args.render, 'utf8')) as RawResults, args.write ? (args.out ?? path.join(ROOT, 'BENCHMARKS.md')) : null);
    return;
  }
  const started = performance.now();
  const loadBefore = os.loadavg();
  const log = (line: string) => process.stdout.write(`${line}\n`);
  const sections: Section[] = [];
  for (const mod of MODULES) {
    const wanted = args.only ? mod.ids.filter((id) => args.only!.includes(id)) : mod.ids;
    if (wanted.length === 0) continue;
    log(`== ${mod.ids.join(' + ')}`);
    const out = await mod.run({ tiny: args.tiny, log, ...(args.memoryRuns ? { memoryRuns: args.memoryRuns } : {}), ...(args.repairBugs ? { repairBugs: args.repairBugs } : {}), ...(args.repairModes ? { repairModes: args.repairModes } : {}), ...(args.capacitySizes ? { capacitySizes: args.capacitySizes } : {}) });
    sections.push(...out.filter((s) => wanted.includes(s.id)));
  }
  const elapsedS = (performance.now() - started) / 1000;
  const command = `pnpm bench${argv.filter((a) => a !== '--').length ? ` -- ${argv.filter((a) => a !== '--').join(' ')}` : ''}`;
  const raw: RawResults = { command, date: new Date().toISOString(), elapsedS, machine: machine(), loadBefore, loadAfter: os.loadavg(), sections };
  const json = args.json ?? path.join(BENCH_DIR, 'out', 'latest.json');
  mkdirSync(path.dirname(json), { recursive: true });
  writeFileSync(json, JSON.stringify(raw, null, 2));
  log('');
  render(raw, args.write ? (args.out ?? (args.only || args.tiny ? null : path.join(ROOT, 'BENCHMARKS.md'))) : null);
  log(`raw results in ${path.relative(process.cwd(), json)} (${Math.round(elapsedS)} s)`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((err: unknown) => {
    process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  });
}
