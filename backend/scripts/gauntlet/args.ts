/** The gauntlet's command line. */
import { list, readFlags, UsageError } from '../cli.js';

export interface GauntletOptions {
  seed: number;
  rounds: number;
  /** Chaos types to inject; null: every type the server lists except 'random'. */
  types: string[] | null;
  /** Organisms to attack; null: every organism the server runs. */
  organisms: string[] | null;
  /** A running server to attack instead of starting one. */
  url: string | null;
  loopIntervalMs: number;
  /** This many passing runs of a chaos generation before any failing one make it an equivalent mutant. */
  equivalentAfter: number;
  /** Time allowed to one injection, from the chaos to the first passing run after the heal. */
  deadlineMs: number;
  /** How long to wait for an organism to be healthy before an injection. */
  settleMs: number;
  /** Write every injection's record as JSON to this file. */
  json: string | null;
  /** Latent mutants (found by measurement) injected per organism as outside edits; 0: none. */
  latent: number;
  quiet: boolean;
  help: boolean;
}

export const USAGE = `Usage: pnpm gauntlet [options]

Runs a seeded series of chaos injections across every organism and chaos type against a real server, and
prints per type and organism: injected, detected, equivalent, healed, time to detect and time to heal
(median and p95), and the genomes left behind. Exits 1 when a detected failure was not healed.

Options:
  --seed N               seed of the series (default 1): the same seed injects the same corruptions
  --rounds N             times every type is injected into every organism (default 2)
  --types a,b            chaos types to inject (default: every type but random)
  --organisms a,b        organisms to attack (default: all)
  --url URL              attack a running server instead of starting one (its data is changed!)
  --loop-interval-ms N   LOOP_INTERVAL_MS of the server started (default 100)
  --equivalent-after K   K passing runs of a chaos generation before any failure: equivalent (default 3)
  --deadline-ms N        time allowed to one injection to be detected and healed (default 17000)
  --settle-ms N          time allowed to an organism to be healthy before an injection (default 30000)
  --latent N             latent mutants per organism, found by running every single-site logic mutant against
                         the suite and random inputs, injected as outside edits of live.js (default 2; 0: none;
                         needs the server this gauntlet starts)
  --json FILE            also write every injection's record to FILE
  --quiet                no progress lines, only the table
  -h, --help             this help

The server started inherits the environment (HEAL_LADDER, LLM_BASE_URL...); OUROBOROS_TOKEN, when set, is
sent as a bearer token.
`;

export { UsageError };

function int(flag: string, v: string, min: number): number {
  if (!/^\d+$/.test(v) || Number(v) < min) throw new UsageError(`${flag} needs a whole number of at least ${min}, got "${v}"`);
  return Number(v);
}

export function parseArgs(argv: readonly string[]): GauntletOptions {
  const f = readFlags(argv, {
    seed: { type: 'string' },
    rounds: { type: 'string' },
    types: { type: 'string' },
    organisms: { type: 'string' },
    url: { type: 'string' },
    'loop-interval-ms': { type: 'string' },
    'equivalent-after': { type: 'string' },
    'deadline-ms': { type: 'string' },
    'settle-ms': { type: 'string' },
    json: { type: 'string' },
    latent: { type: 'string' },
    quiet: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  const whole = (name: string, min: number, fallback: number) => {
    const v = (f as Record<string, string | boolean | undefined>)[name];
    return typeof v === 'string' ? int(`--${name}`, v, min) : fallback;
  };
  const o: GauntletOptions = {
    seed: whole('seed', 0, 1),
    rounds: whole('rounds', 1, 2),
    types: f.types === undefined ? null : list(f.types),
    organisms: f.organisms === undefined ? null : list(f.organisms),
    url: f.url === undefined ? null : f.url.replace(/\/+$/, ''),
    loopIntervalMs: whole('loop-interval-ms', 10, 100),
    equivalentAfter: whole('equivalent-after', 1, 3),
    deadlineMs: whole('deadline-ms', 1000, 17_000),
    settleMs: whole('settle-ms', 1000, 30_000),
    json: f.json ?? null,
    latent: whole('latent', 0, 2),
    quiet: f.quiet ?? false,
    help: f.help ?? false,
  };
  if (o.seed > 0xffffffff) throw new UsageError('--seed must fit in 32 bits');
  if (o.types?.length === 0) throw new UsageError('--types needs at least one type');
  if (o.organisms?.length === 0) throw new UsageError('--organisms needs at least one organism');
  return o;
}
