/**
 * Time to detect and time to heal, as a client of a real server process sees them: from the answer to
 * POST /chaos to the first verdict that is not `ok` (detect), then to `healthy` again with a promoted genome
 * (heal), per chaos type and per rung of the repair ladder. The server's own records (run timestamps, the
 * heal's healMs, the incident's timeToHealMs) are read back for the same incidents.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { CHAOS_OPERATORS } from '../src/chaos/index.js';
import type { BenchOptions, Figure, Section } from './model.js';
import { http, nodeStartMs, REAL_ORGANISMS, startServer, tempDir, type ServerProcess } from './proc.js';
import { ratio, ratios, since, sleep, summarize } from './stats.js';

export const CORE_TYPES = ['delete_line', 'syntax_error', 'division_by_zero'] as const;
const HANG_TYPES = new Set(['infinite_loop']);
const POLL_MS = 5;
const CRASH_TARGET_MS = 150;
const HEAL_TARGET_P95_MS = 1000;

export interface DetectHealOptions extends BenchOptions {
  /** Incidents per core chaos type and per rung. */
  coreReps?: number;
  /** Incidents per other chaos type (the default ladder). */
  otherReps?: number;
  /** Incidents per hanging chaos type (each costs the time limit three times, with the retries). */
  hangReps?: number;
  /** Chaos types besides the core three; all operators by default. */
  otherTypes?: string[];
}

interface Status {
  state: string;
  generation: number;
  genomeId: string;
  lastRun: { id: number; genomeId: string; generation: number; verdict: string; startedAt: string; durationMs: number } | null;
  lastMutation: { cause: string } | null;
  lastIncident: { timeToHealMs: number | null } | null;
}

export interface Incident {
  type: string;
  ladder: string;
  seed: number;
  /** `node -e ''` measured just before this incident. */
  nodeStartMs: number;
  verdict: string | null;
  /** Client: chaos response to the first non-ok verdict seen. */
  detectMs: number | null;
  /** Client: detection to status healthy with the promoted genome live. */
  healMs: number | null;
  /** Client: detection to the promoted genome's first passing run. */
  healConfirmedMs: number | null;
  /** The rung that healed, from the promoted genome's record. */
  strategy: string | null;
  /** Server: end of the failing run minus the chaos genome's creation. */
  serverDetectMs: number | null;
  /** Server: the ladder's own healMs. */
  serverLadderMs: number | null;
  /** Server: the incident's timeToHealMs (failing run's end to the next passing run's end). */
  serverIncidentMs: number | null;
  /** The promoted candidate's verification: runs, and whether its source's outcome was remembered. */
  verification: { runs: number; reused: boolean; size: number } | null;
  outcome: 'healed' | 'undetected' | 'not-healed' | 'not-applicable';
  note?: string;
}

async function status(url: string): Promise<Status> {
  return http<Status>(url, '/status');
}

const healthyAndRan = (s: Status) =>
  s.state === 'healthy' && s.lastRun !== null && s.lastRun.genomeId === s.genomeId && s.lastRun.verdict === 'ok';

async function waitHealthy(url: string, timeoutMs = 30_000): Promise<Status> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const s = await status(url);
    if (healthyAndRan(s)) return s;
    if (Date.now() > deadline) throw new Error(`not healthy after ${timeoutMs} ms: ${JSON.stringify(s).slice(0, 400)}`);
    await sleep(20);
  }
}

/** Brings a server that failed to heal back: restore the last healthy genome and resume. */
async function recover(url: string): Promise<void> {
  await http(url, '/emergency-stop', { method: 'POST' }).catch(() => {});
  await http(url, '/resume', { method: 'POST' }).catch(() => {});
  await waitHealthy(url, 60_000);
}

/** One incident: chaos, detection, healing, each timed by polling /status every few milliseconds. */
async function incident(
  server: ServerProcess,
  type: string,
  seed: number,
  ladder: string,
  timeLimitMs: number,
): Promise<Incident> {
  const url = server.url;
  const before = await waitHealthy(url);
  const base: Incident = {
    type,
    ladder,
    seed,
    nodeStartMs: await nodeStartMs(),
    verdict: null,
    detectMs: null,
    healMs: null,
    healConfirmedMs: null,
    strategy: null,
    serverDetectMs: null,
    serverLadderMs: null,
    serverIncidentMs: null,
    verification: null,
    outcome: 'not-healed',
  };
  const lastRunId = before.lastRun!.id;
  const res = await fetch(`${url}/chaos`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ chaos_type: type, seed }),
  });
  const chaos = (await res.json()) as { generation: number; genomeId: string; code?: string };
  const t0 = performance.now();
  if (res.status !== 200) return { ...base, outcome: 'not-applicable', note: chaos.code ?? String(res.status) };

  // Retries of a hang, then the ladder, then a confirming run: allow for all of it.
  const detectDeadline = t0 + 3 * timeLimitMs + 5000;
  let healDeadline = Infinity;
  let detectRun: NonNullable<Status['lastRun']> | null = null;
  let tDetect = 0;
  let last: Status = before;
  for (;;) {
    const s = await status(url);
    last = s;
    const now = performance.now();
    if (!detectRun && s.lastRun && s.lastRun.id > lastRunId) {
      if (s.lastRun.verdict !== 'ok') {
        detectRun = s.lastRun;
        tDetect = now;
        base.detectMs = now - t0;
        base.verdict = s.lastRun.verdict;
        healDeadline = now + 60_000;
      } else if (s.lastRun.generation === chaos.generation) {
        // The damaged genome passed: this corruption is not observable on this input.
        return { ...base, outcome: 'undetected', note: 'the corrupted genome passed its run' };
      }
    }
    if (detectRun) {
      const promoted = s.generation > chaos.generation && s.lastMutation?.cause === 'heal';
      if (promoted && s.state === 'healthy' && base.healMs === null) base.healMs = now - tDetect;
      if (promoted && healthyAndRan(s)) {
        base.healConfirmedMs = now - tDetect;
        break;
      }
      if (s.generation > chaos.generation && !promoted) {
        return { ...base, outcome: 'not-healed', note: `replaced by ${s.lastMutation?.cause}` };
      }
      if (now > healDeadline || s.state === 'quarantined') {
        await recover(url);
        return { ...base, outcome: 'not-healed', note: `state ${s.state} after ${Math.round(now - tDetect)} ms` };
      }
    } else if (now > detectDeadline) {
      return { ...base, outcome: 'undetected', note: `no failing run within ${Math.round(now - t0)} ms` };
    }
    await sleep(POLL_MS);
  }

  // The server's side of the same incident.
  const [chaosGenome, healGenome] = await Promise.all([
    http<{ createdAt: string }>(url, `/genomes/${chaos.genomeId}`),
    http<{ detail: { strategy?: string; healMs?: number; verification?: { runs: number; reused: boolean; size: number } } }>(url, `/genomes/${last.genomeId}`),
  ]);
  base.strategy = healGenome.detail.strategy ?? null;
  base.verification = healGenome.detail.verification ?? null;
  base.serverLadderMs = healGenome.detail.healMs ?? null;
  base.serverDetectMs = Date.parse(detectRun.startedAt) + detectRun.durationMs - Date.parse(chaosGenome.createdAt);
  base.serverIncidentMs = last.lastIncident?.timeToHealMs ?? null;
  return { ...base, outcome: 'healed' };
}

interface Plan {
  ladder: string;
  types: { type: string; reps: number }[];
}

export async function benchDetectHeal(opts: DetectHealOptions = {}): Promise<Section[]> {
  const log = opts.log ?? (() => {});
  const started = performance.now();
  const tiny = opts.tiny ?? false;
  const coreReps = opts.coreReps ?? (tiny ? 1 : 20);
  const otherReps = opts.otherReps ?? (tiny ? 1 : 3);
  const hangReps = opts.hangReps ?? (tiny ? 0 : 3);
  const others =
    opts.otherTypes ??
    (tiny ? ['throw'] : CHAOS_OPERATORS.map((op) => op.type).filter((t) => !(CORE_TYPES as readonly string[]).includes(t)));
  const manifest = JSON.parse(readFileSync(path.join(REAL_ORGANISMS, 'bubble-sort', 'manifest.json'), 'utf8')) as {
    timeLimitMs: number;
  };
  const seedLines = readFileSync(path.join(REAL_ORGANISMS, 'bubble-sort', 'genome.js'), 'utf8').trimEnd().split('\n').length;

  const plans: Plan[] = [
    {
      ladder: 'minimal-revert,rollback',
      types: [
        ...CORE_TYPES.map((type) => ({ type, reps: coreReps })),
        ...others.map((type) => ({ type, reps: HANG_TYPES.has(type) ? hangReps : otherReps })),
      ],
    },
    { ladder: 'rollback', types: CORE_TYPES.map((type) => ({ type, reps: coreReps })) },
  ];

  const incidents: Incident[] = [];
  const runDurations: number[] = [];
  for (const plan of plans) {
    const dir = tempDir('ouroboros-bench-');
    // One organism (the seed's), and no rate limit on chaos: the benchmark injects it ~3 times a second.
    const server = await startServer({ DATA_DIR: dir.dir, ORGANISMS: 'bubble-sort', HEAL_LADDER: plan.ladder, RATE_LIMIT_PER_MINUTE: '1000000', LOG_LEVEL: 'warn' });
    try {
      await waitHealthy(server.url);
      // Interleave the types (a, b, c, a, b, c...) so the machine's drift hits each alike.
      const maxReps = Math.max(...plan.types.map((t) => t.reps));
      for (let rep = 0; rep < maxReps; rep++) {
        for (const { type, reps } of plan.types) {
          if (rep >= reps) continue;
          const inc = await incident(server, type, 1000 + rep, plan.ladder, manifest.timeLimitMs);
          incidents.push(inc);
          log(
            `  ${plan.ladder.padEnd(24)} ${type.padEnd(20)} seed ${inc.seed}: ${inc.outcome} ${inc.verdict ?? ''} detect ${fmtMs(inc.detectMs)} heal ${fmtMs(inc.healMs)} (${inc.strategy ?? inc.note ?? ''})`,
          );
        }
      }
      const runs = await http<{ runs: { verdict: string; durationMs: number }[] }>(server.url, '/runs?limit=1000');
      runDurations.push(...runs.runs.filter((r) => r.verdict === 'ok').map((r) => r.durationMs));
    } finally {
      await server.stop();
      dir.cleanup();
    }
  }
  const elapsedS = since(started) / 1000;
  return buildSections(incidents, runDurations, { coreReps, otherReps, hangReps, timeLimitMs: manifest.timeLimitMs, seedLines, elapsedS });
}

const fmtMs = (v: number | null) => (v === null ? '-' : `${Math.round(v)} ms`);

export function buildSections(
  incidents: Incident[],
  runDurations: number[],
  p: { coreReps: number; otherReps: number; hangReps: number; timeLimitMs: number; seedLines: number; elapsedS: number },
): Section[] {
  const nodeStart = summarize(incidents.map((i) => i.nodeStartMs));
  const run = summarize(runDurations);
  const detected = incidents.filter((i) => i.detectMs !== null);

  // ---- detect: per chaos type and verdict -------------------------------------------------------------
  const detectFigures: Figure[] = [];
  const groups = groupBy(detected, (i) => `${i.type}|${i.verdict}`);
  for (const [key, list] of groups) {
    const [type, verdict] = key.split('|') as [string, string];
    const client = summarize(list.map((i) => i.detectMs as number));
    const server = summarize(list.filter((i) => i.serverDetectMs !== null).map((i) => i.serverDetectMs as number));
    const hang = verdict === 'hung';
    const fig: Figure = {
      id: `detect.${type}.${verdict}`,
      label: `${type} → ${verdict}`,
      unit: 'ms',
      value: client,
      baseline: hang
        ? { label: 'time limit', value: p.timeLimitMs }
        : { label: "node -e ''", value: nodeStart },
      ratio: hang
        ? { median: ratio(client.median, p.timeLimitMs), p95: ratio(client.p95, p.timeLimitMs) }
        : { median: ratio(client.median, nodeStart.median), p95: ratio(client.p95, nodeStart.p95) },
      note: `server-recorded: median ${Math.round(server.median)} ms, p95 ${Math.round(server.p95)} ms`,
    };
    if (verdict === 'crashed') fig.target = { text: `p95 < ${CRASH_TARGET_MS} ms`, met: client.p95 < CRASH_TARGET_MS };
    if (hang) fig.target = { text: `p95 ≤ time limit + 100 ms (${p.timeLimitMs + 100} ms)`, met: client.p95 <= p.timeLimitMs + 100 };
    detectFigures.push(fig);
  }
  const undetected = incidents.filter((i) => i.outcome === 'undetected' || i.outcome === 'not-applicable');

  const detect: Section = {
    id: 'detect',
    title: 'Time to detect',
    params: { organism: `bubble-sort (${p.seedLines} lines)`, 'incidents per core type and rung': p.coreReps, 'incidents per other type': p.otherReps, 'incidents per hanging type': p.hangReps, 'poll interval ms': POLL_MS, 'LOOP_INTERVAL_MS': 1000 },
    method: [
      'A real server process (`node --import tsx src/server.ts`, fresh DATA_DIR, default settings) runs the seed organism; the benchmark is its HTTP client on loopback.',
      `Per incident: wait until \`/status\` is healthy with a passing run of the live genome, time \`node -e ''\` (the baseline), POST /chaos with a fixed seed, then poll \`/status\` every ${POLL_MS} ms. Detect = chaos response received → first \`lastRun\` newer than the chaos whose verdict is not \`ok\`.`,
      'Grouped by chaos type and the verdict it produced. The baseline of a crash is a bare Node start; of a hang, the organism\'s time limit. "server-recorded" is the failing run\'s end minus the chaos genome\'s creation, from the server\'s own records.',
    ],
    figures: detectFigures,
    notes: undetected.length
      ? [
          `Not detected (the corruption did not change the answer, or found no place in the source): ${[...groupBy(undetected, (i) => `${i.type}|${i.note}`)]
            .map(([k, list]) => `${k.split('|')[0]} with seed${list.length > 1 ? 's' : ''} ${list.map((i) => i.seed).join(', ')} (${k.split('|')[1]})`)
            .join('; ')}.`,
        ]
      : [],
    elapsedS: p.elapsedS / 2,
  };

  // ---- heal: per chaos type and rung ------------------------------------------------------------------
  const healFigures: Figure[] = [];
  const healed = incidents.filter((i) => i.outcome === 'healed' && i.healMs !== null);
  const healGroups = groupBy(healed, (i) => `${i.type}|${i.strategy}`);
  for (const [key, list] of healGroups) {
    const [type, strategy] = key.split('|') as [string, string];
    const client = summarize(list.map((i) => i.healMs as number));
    const confirmed = summarize(list.map((i) => i.healConfirmedMs as number));
    const ladder = summarize(list.filter((i) => i.serverLadderMs !== null).map((i) => i.serverLadderMs as number));
    const incidentMs = summarize(list.filter((i) => i.serverIncidentMs !== null).map((i) => i.serverIncidentMs as number));
    const core = (CORE_TYPES as readonly string[]).includes(type);
    const verdicts = [...new Set(list.map((i) => i.verdict))].join(', ');
    const verified = list.filter((i) => i.verification !== null);
    const reused = verified.filter((i) => i.verification!.reused).length;
    const suiteRuns = summarize(verified.filter((i) => !i.verification!.reused).map((i) => i.verification!.runs));
    healFigures.push({
      id: `heal.${type}.${strategy}`,
      label: `${type} (${verdicts}) by ${strategy}`,
      unit: 'ms',
      value: client,
      baseline: { label: 'one organism run', value: run },
      ratio: ratios(client, run),
      ...(core ? { target: { text: `p95 < ${HEAL_TARGET_P95_MS} ms`, met: client.p95 < HEAL_TARGET_P95_MS } } : {}),
      note:
        `until the healed genome's first passing run: median ${Math.round(confirmed.median)}, p95 ${Math.round(confirmed.p95)} ms; server: ladder ${Math.round(ladder.median)} / ${Math.round(ladder.p95)} ms, incident ${Math.round(incidentMs.median)} / ${Math.round(incidentMs.p95)} ms (median / p95); ` +
        `verification: ${reused} of ${verified.length} candidate(s) restored verified code (only the failing input ran)${suiteRuns.n ? `, the others ran the whole suite (median ${suiteRuns.median} runs)` : ''}`,
    });
  }
  // Per rung over the three core types together: the figure the target names.
  for (const strategy of ['minimal-revert', 'rollback']) {
    const list = healed.filter((i) => i.strategy === strategy && (CORE_TYPES as readonly string[]).includes(i.type));
    if (list.length === 0) continue;
    const client = summarize(list.map((i) => i.healMs as number));
    const confirmed = summarize(list.map((i) => i.healConfirmedMs as number));
    healFigures.push({
      id: `heal.core.${strategy}`,
      label: `**the three core types by ${strategy}**`,
      unit: 'ms',
      value: client,
      baseline: { label: 'one organism run', value: run },
      ratio: ratios(client, run),
      target: { text: `p95 < ${HEAL_TARGET_P95_MS} ms`, met: client.p95 < HEAL_TARGET_P95_MS },
      note: `until the healed genome's first passing run: median ${Math.round(confirmed.median)}, p95 ${Math.round(confirmed.p95)} ms`,
    });
  }
  const notHealed = incidents.filter((i) => i.outcome === 'not-healed');
  const heal: Section = {
    id: 'heal',
    title: 'Time to heal',
    params: { ladders: 'minimal-revert,rollback (all types); rollback (core types)', 'TRANSIENT_RETRIES': 2 },
    method: [
      'The same incidents as time to detect. Heal = detection seen by the client → first `/status` that is `healthy` with a promoted genome (cause `heal`) live. The note adds the time until that genome\'s first passing run, and the server\'s own figures (the ladder\'s healMs, and the incident\'s timeToHealMs).',
      'Per rung: a server with `HEAL_LADDER=minimal-revert,rollback` (the rung that healed is read from the promoted genome\'s record) and one with `HEAL_LADDER=rollback`. Baseline: the median duration of a passing run of the organism on the same servers (a heal needs at least one trial run).',
      'Hangs are retried twice with backoff before the ladder (TRANSIENT_RETRIES=2), so their heal includes two more time limits.',
      'Verification is included: the ladder promotes a candidate only once it passes the whole verification suite (the failing input first), and `healthy` needs a passing run of the promoted genome. A candidate whose source was verified against the same suite before (a revert to a verified baseline) runs only the failing input; its suite is not shrunk for speed.',
    ],
    figures: healFigures,
    notes: [
      `Median organism run ${Math.round(run.median)} ms, median \`node -e ''\` ${Math.round(nodeStart.median)} ms in this run.`,
      ...(notHealed.length ? [`Not healed: ${notHealed.map((i) => `${i.type} seed ${i.seed} (${i.note})`).join('; ')}.`] : []),
    ],
    elapsedS: p.elapsedS / 2,
  };
  return [detect, heal];
}

function groupBy<T>(list: T[], key: (t: T) => string): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const t of list) {
    const k = key(t);
    const g = m.get(k);
    if (g) g.push(t);
    else m.set(k, [t]);
  }
  return m;
}
