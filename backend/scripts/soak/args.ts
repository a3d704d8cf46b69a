/** The soak's command line. */
import { eachFlag, list, UsageError } from '../cli.js';

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
  const o: SoakOptions = {
    minutes: 5,
    seed: 1,
    dashboards: 1000,
    chaosEveryMs: 100,
    editsEveryMs: 3000,
    organisms: null,
    types: null,
    settleS: 60,
    maxRssGrowthMb: 64,
    healMaxTrials: 16,
    json: null,
    quiet: false,
    help: false,
  };
  eachFlag(argv, (flag, take) => {
    switch (flag) {
      case '--minutes': o.minutes = num(flag, take(), 0.05, 24 * 60, false); break;
      case '--seed': o.seed = num(flag, take(), 0, 0xffffffff); break;
      case '--dashboards': o.dashboards = num(flag, take(), 0, 20_000); break;
      case '--chaos-every-ms': o.chaosEveryMs = num(flag, take(), 10, 60_000); break;
      case '--edits-every-ms': o.editsEveryMs = num(flag, take(), 0, 600_000); break;
      case '--organisms': o.organisms = list(take()); break;
      case '--types': o.types = list(take()); break;
      case '--settle-s': o.settleS = num(flag, take(), 1, 3600); break;
      case '--max-rss-growth-mb': o.maxRssGrowthMb = num(flag, take(), 1, 100_000); break;
      case '--heal-max-trials': {
        const v = take();
        o.healMaxTrials = v === 'default' ? null : num(flag, v, 1, 10_000);
        break;
      }
      case '--json': o.json = take(); break;
      case '--quiet': o.quiet = true; break;
      case '-h':
      case '--help': o.help = true; break;
      default: throw new UsageError(`unknown option "${flag}"`);
    }
  });
  if (o.organisms?.length === 0) throw new UsageError('--organisms needs at least one organism');
  if (o.types?.length === 0) throw new UsageError('--types needs at least one type');
  return o;
}
