/** The soak's command line. */
import { list, readFlags, UsageError } from '../cli.js';

export interface SoakOptions {
  /** Length of the chaos phase; the settle period and the final checks come after it. */
  minutes: number;
  seed: number;
  /** Dashboards that poll /status and /logs?since= once a second each. */
  dashboards: number;
  chaosEveryMs: number;
  /** Pause between two outside edits of an organism's live.js (round robin); 0: none. */
  editsEveryMs: number;
  /** Organisms to run; null: every organism of the organisms folder. */
  organisms: string[] | null;
  /** Chaos types to inject, round robin; null: the default set (see DEFAULT_TYPES), 'all' in the list: every type. */
  types: string[] | null;
  /** Longest wait, chaos stopped, for every organism to be healthy or quarantined. */
  settleS: number;
  /** RSS the server's troughs may gain between the first and the last third of the load (judged from 2 min on). */
  maxRssGrowthMb: number;
  /**
   * HEAL_MAX_TRIALS of the server under soak. A minute of chaos every 100 ms stacks dozens of mutations on each
   * organism, and minimal revert may spend up to this many sandboxed trial runs on the last of them before the
   * ladder falls back to rollback; 16 (the server's default is 64) keeps the final heal within the settle period
   * on two busy cores. null: the server's default.
   */
  healMaxTrials: number | null;
  /** Write the whole record as JSON to this file. */
  json: string | null;
  quiet: boolean;
  help: boolean;
}

/**
 * The chaos types the soak injects by default: every type except the three that exist to exhaust a time or memory
 * budget (infinite_loop, memory_leak, slowdown). Their runs last the whole time limit (2 s), and on two cores
 * saturated by 1,000 dashboards a heal made of such trials takes longer than the settle period; they are covered by
 * the gauntlet and the crash test instead. `--types all` puts them back.
 */
export const SLOW_TYPES = ['infinite_loop', 'memory_leak', 'slowdown'] as const;

export const USAGE = `Usage: pnpm soak [options]

Starts a server (fresh DATA_DIR, LOOP_INTERVAL_MS=100, no limit on changes a minute), injects chaos every 100 ms
round robin over every organism and chaos type while 1,000 simulated dashboards poll /status and /logs?since=
once a second each, all on loopback, and edits the organisms' live.js from outside now and then (harmless edits and
logic mutants, as an editor would). Then stops the chaos, lets the organisms settle and checks: the server never
crashed or restarted, every chaos answer's genome is in the store, every organism is healthy or quarantined with a
reason, the dashboards were all answered, the server's memory stayed bounded, and, re-verified outside the server,
no heal promoted a genome that fails its own verification suite and no heal used a baseline that fails it. Prints a
summary; exits 1 when a check fails, 2 on an error.

Options:
  --minutes N            length of the chaos phase, in minutes (default 5; fractions allowed)
  --seed N               seed of the chaos series (default 1)
  --dashboards N         simulated dashboards (default 1000)
  --chaos-every-ms N     pause between two injections (default 100)
  --edits-every-ms N     pause between two outside edits of live.js, round robin (default 3000; 0: none)
  --organisms a,b        organisms to run (default: all)
  --types a,b|all        chaos types (default: all but ${SLOW_TYPES.join(', ')})
  --settle-s N           longest wait after the chaos for every organism to settle (default 60)
  --max-rss-growth-mb N  growth of the server's RSS troughs under load (default 64)
  --heal-max-trials N    HEAL_MAX_TRIALS of the server (default 16, so the last heal of stacked damage fits
                         the settle period; 'default' for the server's own, 64)
  --json FILE            also write the whole record to FILE
  --quiet                no progress lines
  -h, --help             this help
`;

export { UsageError };

function num(flag: string, v: string, min: number, max: number, integer = true): number {
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || (integer && !Number.isInteger(n)) || n < min || n > max) {
    throw new UsageError(`${flag} needs ${integer ? 'a whole number' : 'a number'} from ${min} to ${max}, got "${v}"`);
  }
  return n;
}

export function parseArgs(argv: readonly string[]): SoakOptions {
  const f = readFlags(argv, {
    minutes: { type: 'string' },
    seed: { type: 'string' },
    dashboards: { type: 'string' },
    'chaos-every-ms': { type: 'string' },
    'edits-every-ms': { type: 'string' },
    organisms: { type: 'string' },
    types: { type: 'string' },
    'settle-s': { type: 'string' },
    'max-rss-growth-mb': { type: 'string' },
    'heal-max-trials': { type: 'string' },
    json: { type: 'string' },
    quiet: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  const o: SoakOptions = {
    minutes: f.minutes === undefined ? 5 : num('--minutes', f.minutes, 0.05, 24 * 60, false),
    seed: f.seed === undefined ? 1 : num('--seed', f.seed, 0, 0xffffffff),
    dashboards: f.dashboards === undefined ? 1000 : num('--dashboards', f.dashboards, 0, 20_000),
    chaosEveryMs: f['chaos-every-ms'] === undefined ? 100 : num('--chaos-every-ms', f['chaos-every-ms'], 10, 60_000),
    editsEveryMs: f['edits-every-ms'] === undefined ? 3000 : num('--edits-every-ms', f['edits-every-ms'], 0, 600_000),
    organisms: f.organisms === undefined ? null : list(f.organisms),
    types: f.types === undefined ? null : list(f.types),
    settleS: f['settle-s'] === undefined ? 60 : num('--settle-s', f['settle-s'], 1, 3600),
    maxRssGrowthMb: f['max-rss-growth-mb'] === undefined ? 64 : num('--max-rss-growth-mb', f['max-rss-growth-mb'], 1, 100_000),
    healMaxTrials: healMaxTrials(f['heal-max-trials']),
    json: f.json ?? null,
    quiet: f.quiet ?? false,
    help: f.help ?? false,
  };
  if (o.organisms?.length === 0) throw new UsageError('--organisms needs at least one organism');
  if (o.types?.length === 0) throw new UsageError('--types needs at least one type');
  return o;
}

function healMaxTrials(v: string | undefined): number | null {
  if (v === undefined) return 16;
  return v === 'default' ? null : num('--heal-max-trials', v, 1, 10_000);
}
