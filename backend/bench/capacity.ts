/**
 * Capacity: how many organisms one server keeps running at LOOP_INTERVAL_MS=1000, and what its API costs meanwhile,
 * in three ways measured in the same run: routine runs in vm contexts of each organism's warm host (ROUTINE_RUNS=
 * contexts, the default), each a process started by the spawner (ROUTINE_RUNS=processes, SPAWNERS=1), and each a
 * process forked by the server itself (SPAWNERS=0, every run a fork of the whole server on its event loop, as before
 * the spawner). Standby runs are on in all three; a fourth server, warm hosts without them (STANDBY_RUNS=0), is
 * measured for detection only: the baseline of what a run's process started ahead of it saves a failure's verdict.
 */
import { chmodSync, cpSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import nodeHttp from 'node:http';
import path from 'node:path';
import { loadOrganism } from '../src/organism/manifest.js';
import { DirectRunner } from '../src/runner/direct.js';
import { EmbeddedRunner } from '../src/runner/embedded.js';
import type { Runner } from '../src/runner/runner.js';
import { procStat } from '../src/sandbox/pidfile.js';
import type { BenchOptions, Figure, Section } from './model.js';
import { cpuSeconds, FIXTURE_ORGANISMS, http, REAL_ORGANISMS, rssMb, startServer, tempDir } from './proc.js';
import { interleaved, ratio, since, sleep, summarize, type Summary } from './stats.js';

export interface CapacityOptions extends BenchOptions {
  /** Organism counts to measure (default 12, 24, 48). */
  sizes?: number[];
  /** Seconds of each measurement, after the warm-up. */
  windowS?: number;
  warmupS?: number;
}

const LOOP_INTERVAL_MS = 1000;
/** A dashboard's poll of /status during the measurement: ten a second, so that its p95 rests on hundreds of answers. */
const POLL_MS = 100;
const STATUS_P95_TARGET_MS = 20;
const DETECT_P95_TARGET_MS = 150;
/**
 * Chaos incidents per mode after the window, each on another organism: the crash detection the issue targets. Twenty,
 * so that its p95 (nearest rank) is the second slowest: of twelve it was the slowest.
 */
const INCIDENTS = 20;
/** The issue's target: 40 organisms at 1 Hz on two cores with /status p95 under 20 ms. */
const TARGET_ORGANISMS = 40;

const MODES = [
  { key: 'warm', label: 'warm hosts (ROUTINE_RUNS=contexts)', env: { SPAWNERS: '1', ROUTINE_RUNS: 'contexts', STANDBY_RUNS: '1' }, detectOnly: false },
  { key: 'spawner', label: 'processes, spawner (SPAWNERS=1)', env: { SPAWNERS: '1', ROUTINE_RUNS: 'processes', STANDBY_RUNS: '1' }, detectOnly: false },
  { key: 'direct', label: 'processes, in the server (SPAWNERS=0)', env: { SPAWNERS: '0', ROUTINE_RUNS: 'processes', STANDBY_RUNS: '1' }, detectOnly: false },
  // Detection's baseline only (a short window): warm hosts, and every process run started when it begins.
  { key: 'cold', label: 'warm hosts without standbys (STANDBY_RUNS=0)', env: { SPAWNERS: '1', ROUTINE_RUNS: 'contexts', STANDBY_RUNS: '0' }, detectOnly: true },
] as const;
type Mode = (typeof MODES)[number]['key'];
/** The window of a mode measured for its detection only: its other figures are not reported. */
const DETECT_ONLY_WINDOW_S = 5;

/** `count` copies of bubble-sort (the organism of the issue's measurements), named cap-1, cap-2... */
function copies(dir: string, count: number): string[] {
  const from = path.join(REAL_ORGANISMS, 'bubble-sort');
  const manifest = JSON.parse(readFileSync(path.join(from, 'manifest.json'), 'utf8')) as Record<string, unknown>;
  const names: string[] = [];
  for (let i = 1; i <= count; i++) {
    const name = `cap-${i}`;
    const to = path.join(dir, name);
    cpSync(from, to, { recursive: true });
    // Each its own source (a genome's id hashes its source), and limits a loaded machine cannot turn into verdicts:
    // a slow or hung run would start a heal, and this measures routine runs.
    writeFileSync(path.join(to, 'genome.js'), `${readFileSync(path.join(from, 'genome.js'), 'utf8')}// ${name}\n`);
    writeFileSync(path.join(to, 'manifest.json'), JSON.stringify({ ...manifest, name, timeLimitMs: 20_000, slowMs: 10_000 }, null, 2));
    names.push(name);
  }
  writeFileSync(path.join(dir, 'package.json'), '{ "type": "commonjs" }\n');
  return names;
}

/** The event-loop delay since the last scrape (prom-client resets its histogram at each), in ms. */
async function loopDelayMs(url: string): Promise<{ p99: number; max: number }> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const read = (name: string) => Number(new RegExp(`^${name}(?:\\{[^}]*\\})? ([0-9.e+-]+)$`, 'm').exec(text)?.[1] ?? NaN) * 1000;
  return { p99: read('nodejs_eventloop_lag_p99_seconds'), max: read('nodejs_eventloop_lag_max_seconds') };
}

function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return '';
  }
}

/** Processes whose command line names a file under DATA_DIR/organisms: organism runs and warm hosts. */
function organismPids(dataDir: string): number[] {
  const under = path.join(dataDir, 'organisms');
  return readdirSync('/proc')
    .filter((n) => /^\d+$/.test(n))
    .map(Number)
    .filter((p) => cmdline(p).includes(under));
}

/** A process's RSS in MB, 0 when it ended meanwhile (a run's process lives for a tenth of a second). */
function rssIfAlive(pid: number): number {
  try {
    return rssMb(pid);
  } catch {
    return 0;
  }
}

async function fleetRuns(url: string): Promise<number> {
  const r = await http<{ organisms: { totalRuns: number }[] }>(url, '/organisms');
  return r.organisms.reduce((n, o) => n + o.totalRuns, 0);
}

interface Point {
  organisms: number;
  mode: Mode;
  runsPerS: number;
  /** N / (1 s + the mean run): what N loops achieve when nothing waits. */
  idealPerS: number;
  status: Summary;
  loopP99Ms: number;
  loopMaxMs: number;
  /** CPU of the server's process (and of its spawners) over the window, in cores. */
  serverCores: number;
  spawnerCores: number;
  /** Resident memory of the server and of its spawners at the end of the window, in MB. */
  serverRssMb: number;
  spawnerRssMb: number;
  /** Resident memory of the organisms' processes alive at the end of the window (the warm hosts, or runs in flight). */
  organismRssMb: number;
  loadAvg: number;
  /** The machine's CPU in use over the window (all cores, /proc/stat), as a fraction of all of it. */
  machineBusy: number;
  /** Chaos response to the first failing run of that organism, per incident, while the others run on. */
  detectMs: number[];
  /** The same, each chaos injected as soon as the previous organism is healthy (warm hosts only; else empty). */
  burstMs: number[];
}

type OrganismStatus = { state: string };

/**
 * The organism's event stream, open until `close`: `ready` once the server has sent its ready event, then `failed`
 * resolves with the arrival time (performance.now()) of the first run event whose verdict is not ok.
 */
function watchRuns(url: string, name: string): Promise<{ failed: Promise<number>; close: () => void }> {
  return new Promise((resolve, reject) => {
    let onFailed: (at: number) => void = () => {};
    const failed = new Promise<number>((r) => (onFailed = r));
    const req = nodeHttp.get(`${url}/organisms/${name}/events`, (res) => {
      if (res.statusCode !== 200) return reject(new Error(`GET /organisms/${name}/events -> ${res.statusCode}`));
      res.setEncoding('utf8');
      let buffer = '';
      res.on('data', (chunk: string) => {
        const at = performance.now();
        buffer += chunk;
        for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
          const frame = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          if (/^event: ready$/m.test(frame)) resolve({ failed, close: () => req.destroy() });
          else if (/^event: run$/m.test(frame)) {
            const data = JSON.parse(/^data: (.*)$/m.exec(frame)![1]!) as { run: { verdict: string } };
            if (data.run.verdict !== 'ok') onFailed(at);
          }
        }
      });
    });
    req.on('error', reject);
  });
}

/**
 * A syntax error injected into `count` organisms in turn (each healed before the next), while every other loop runs
 * on: the time from the chaos's answer to the organism's first failing run reaching a client of its event stream, as
 * the God View sees it (a client polling its status every few milliseconds added its own load to the server's).
 * `settleMs` after each heal before the next chaos: a loop interval lets the heal's own aftermath end (the healed
 * genome's warm host starting, standbys made again), 0 measures the next chaos in the middle of it.
 */
async function detections(url: string, names: string[], o: { from: number; count: number; settleMs: number; seed: number }): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < o.count; i++) {
    const name = names[(o.from + i) % names.length]!;
    const status = () => http<OrganismStatus>(url, `/organisms/${name}/status`);
    const stream = await watchRuns(url, name);
    try {
      const res = await fetch(`${url}/organisms/${name}/chaos`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ chaos_type: 'syntax_error', seed: o.seed }) });
      await res.arrayBuffer();
      const t0 = performance.now();
      if (res.status !== 200) continue;
      // Routine runs that passed before the chaos's genome went live may still arrive: only a failure counts.
      const at = await Promise.race([stream.failed, sleep(30_000).then(() => null)]);
      if (at !== null) out.push(Math.max(0, at - t0));
    } finally {
      stream.close();
    }
    // Healed before the next one: incidents do not overlap.
    const deadline = performance.now() + 60_000;
    while ((await status()).state !== 'healthy' && performance.now() < deadline) await sleep(50);
    await sleep(o.settleMs);
  }
  return out;
}

/** Busy and total jiffies of all cores (/proc/stat's first line). */
function machineJiffies(): { busy: number; total: number } {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const total = f.reduce((a, b) => a + b, 0);
  // idle and iowait
  return { busy: total - (f[3] ?? 0) - (f[4] ?? 0), total };
}

async function measure(organisms: number, mode: (typeof MODES)[number], o: { windowS: number; warmupS: number; incidents: number; log: (l: string) => void }): Promise<Point> {
  const dir = tempDir('ouroboros-bench-capacity-');
  // Searchable by others, as a real DATA_DIR's parent is: else the sandbox's uid layer turns itself off.
  chmodSync(dir.dir, 0o711);
  const organismsDir = path.join(dir.dir, 'organisms');
  const names = copies(organismsDir, organisms);
  const server = await startServer({
    DATA_DIR: path.join(dir.dir, 'data'),
    ORGANISMS_DIR: organismsDir,
    ORGANISM: names[0]!,
    ORGANISMS: names.join(','),
    LOOP_INTERVAL_MS: String(LOOP_INTERVAL_MS),
    // The seeds' suites run before the server listens: a few inputs each, or N copies take minutes to start.
    VERIFY_PROPERTY_INPUTS: '2',
    EVOLVE_FITNESS: 'false',
    LOG_LEVEL: 'warn',
    ...mode.env,
  }, { startTimeoutMs: 120_000 + organisms * 5_000 }); // with dozens of seeds to verify on a loaded machine, minutes
  const pid = server.child.pid!;
  // The spawners: the server's children that run src/spawner/main.
  const spawners = () =>
    readdirSync('/proc')
      .filter((n) => /^\d+$/.test(n))
      .map(Number)
      .filter((c) => procStat(c)?.ppid === pid && cmdline(c).includes('spawner/main'));
  try {
    await sleep(o.warmupS * 1000);
    await loopDelayMs(server.url); // resets the histogram: the window's delay only
    const runs0 = await fleetRuns(server.url);
    const cpu0 = cpuSeconds(pid);
    const spawnerPids = spawners();
    const spawnerCpu0 = spawnerPids.reduce((s, p) => s + cpuSeconds(p), 0);
    const machine0 = machineJiffies();
    const t0 = performance.now();
    const latencies: number[] = [];
    const windowS = mode.detectOnly ? Math.min(o.windowS, DETECT_ONLY_WINDOW_S) : o.windowS;
    while (since(t0) < windowS * 1000) {
      const a = performance.now();
      await (await fetch(`${server.url}/status`)).arrayBuffer();
      latencies.push(since(a));
      await sleep(Math.max(0, POLL_MS - since(a)));
    }
    const elapsedS = since(t0) / 1000;
    const runs = (await fleetRuns(server.url)) - runs0;
    const cpu = cpuSeconds(pid) - cpu0;
    const spawnerCpu = spawnerPids.reduce((s, p) => s + cpuSeconds(p), 0) - spawnerCpu0;
    const machine1 = machineJiffies();
    const delay = await loopDelayMs(server.url);
    // The mean run over every organism (each /status keeps its own).
    let avgSum = 0;
    for (const name of names) avgSum += (await http<{ stats: { avgMs: number | null } }>(server.url, `/organisms/${name}/status`)).stats.avgMs ?? 0;
    const avgMs = avgSum / names.length;
    const count = Math.min(organisms, o.incidents);
    const detectMs = await detections(server.url, names, { from: 0, count, settleMs: LOOP_INTERVAL_MS, seed: 1 });
    // The target's mode only: the same on other organisms, each chaos as soon as the previous one is healed.
    const burstMs = mode.key === 'warm' ? await detections(server.url, names, { from: count, count, settleMs: 0, seed: 2 }) : [];
    const point: Point = {
      organisms,
      mode: mode.key,
      runsPerS: runs / elapsedS,
      idealPerS: organisms / (1 + avgMs / 1000),
      status: summarize(latencies),
      loopP99Ms: delay.p99,
      loopMaxMs: delay.max,
      serverCores: cpu / elapsedS,
      spawnerCores: spawnerCpu / elapsedS,
      serverRssMb: rssMb(pid),
      spawnerRssMb: spawnerPids.reduce((s, p) => s + rssMb(p), 0),
      organismRssMb: organismPids(path.join(dir.dir, 'data')).reduce((s, p) => s + rssIfAlive(p), 0),
      loadAvg: Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]),
      machineBusy: (machine1.busy - machine0.busy) / Math.max(1, machine1.total - machine0.total),
      detectMs,
      burstMs,
    };
    o.log(
      `  ${organisms} organisms, ${mode.label}: ${point.runsPerS.toFixed(1)} runs/s (ideal ${point.idealPerS.toFixed(1)}), /status p95 ${point.status.p95.toFixed(1)} ms, ` +
        `detect p95 ${summarize(point.detectMs).p95.toFixed(0)} ms (${point.detectMs.length}${burstMs.length ? `; right after a heal ${summarize(burstMs).p95.toFixed(0)} ms` : ''}), loop delay p99 ${point.loopP99Ms.toFixed(1)} ms, server ${point.serverCores.toFixed(2)} cores, spawner ${point.spawnerCores.toFixed(2)}, machine ${(100 * point.machineBusy).toFixed(0)} % busy, load ${point.loadAvg}`,
    );
    return point;
  } finally {
    await server.stop();
    dir.cleanup();
  }
}

/**
 * One run's wall time as its caller sees it (from the call to the outcome), through a spawner and from this process,
 * interleaved: what the hop over the pipe adds to every run; and through a spawner that keeps a standby of the run's
 * shape (STANDBY_RUNS), each run a fresh copy of the genome in a directory of its own, as a server's scratch copies are.
 */
async function runLatency(reps: number): Promise<{ spawner: number[]; direct: number[]; standby: number[] }> {
  const organism = await loadOrganism(FIXTURE_ORGANISMS, 'good');
  const spawner = new EmbeddedRunner({ spawners: 1 });
  const withStandbys = new EmbeddedRunner({ spawners: 1 });
  const direct = new DirectRunner();
  const scratch = tempDir('ouroboros-bench-standby-');
  const source = readFileSync(path.join(organism.dir, 'genome.js'), 'utf8');
  let copies = 0;
  const once = async (runner: Runner, standby = false) => {
    let file = path.join(organism.dir, 'genome.js');
    if (standby) {
      file = path.join(scratch.dir, `g${++copies}.js`);
      writeFileSync(file, source);
    }
    const t0 = performance.now();
    await runner.run({
      file,
      cwd: path.dirname(file),
      stdin: JSON.stringify({ n: 21 }),
      timeLimitMs: 20_000,
      maxOldSpaceMb: organism.manifest.maxOldSpaceMb,
      outputCapBytes: 64 * 1024,
      outputKillBytes: 64 * 64 * 1024,
      killGraceMs: 500,
      ...(standby ? { standby: true } : {}),
    });
    return since(t0);
  };
  try {
    await once(spawner); // the spawner's own start is not a run's cost
    // Two runs of the shape before its first standby (a shape seen once gets none).
    await once(withStandbys, true);
    await once(withStandbys, true);
    return await interleaved(reps, { spawner: () => once(spawner), direct: () => once(direct), standby: () => once(withStandbys, true) });
  } finally {
    await spawner.close();
    await withStandbys.close();
    scratch.cleanup();
  }
}

export async function benchCapacity(opts: CapacityOptions = {}): Promise<Section[]> {
  const started = performance.now();
  const log = opts.log ?? (() => {});
  const tiny = opts.tiny ?? false;
  const sizes = opts.sizes ?? (tiny ? [2] : [12, 24, 48]);
  const windowS = opts.windowS ?? (tiny ? 3 : 30);
  // Longer for more organisms: every loop's first runs are processes while its warm host starts (and the same
  // starts in process mode), and the window measures the steady state.
  const warmupFor = (n: number) => opts.warmupS ?? (tiny ? 1 : 10 + Math.ceil(n / 4));
  const incidents = tiny ? 1 : INCIDENTS;
  const points: Point[] = [];
  for (const [i, n] of sizes.entries()) {
    // Rotating which mode goes first, so that a machine's drift does not always favour the same one.
    const order = [...MODES.slice(i % MODES.length), ...MODES.slice(0, i % MODES.length)];
    for (const mode of order) points.push(await measure(n, mode, { windowS, warmupS: warmupFor(n), incidents, log }));
  }
  const at = (n: number, m: Mode) => points.find((p) => p.organisms === n && p.mode === m)!;
  const latency = await runLatency(tiny ? 3 : 40);
  const hop = summarize(latency.spawner);
  const inProcess = summarize(latency.direct);
  const onStandby = summarize(latency.standby);
  log(`  one run: ${hop.median.toFixed(1)} ms through the spawner, ${inProcess.median.toFixed(1)} ms from this process, ${onStandby.median.toFixed(1)} ms on a standby (medians)`);
  const figures: Figure[] = [
    {
      id: 'capacity.run',
      label: 'One run as its caller sees it, through the spawner',
      unit: 'ms',
      value: hop,
      baseline: { label: 'spawned from the caller', value: inProcess },
      ratio: { median: ratio(hop.median, inProcess.median), p95: ratio(hop.p95, inProcess.p95) },
      note: 'the fixture organism `good`, without the sandbox, from the benchmark process (not a server): the pipe\'s cost per run, without the fork of a large process that it saves',
    },
    {
      id: 'capacity.standby',
      label: 'One run as its caller sees it, on a standby (STANDBY_RUNS)',
      unit: 'ms',
      value: onStandby,
      baseline: { label: 'through the spawner, started cold', value: hop },
      ratio: { median: ratio(onStandby.median, hop.median), p95: ratio(onStandby.p95, hop.p95) },
      note: 'the same runs, each on a fresh copy of the genome; the spawner keeps one process of the run\'s shape started ahead of it, and starts the next after each run',
    },
  ];
  const pct = (p: Point) => `${(100 * p.runsPerS / p.idealPerS).toFixed(0)} %`;
  for (const n of sizes) {
    const w = at(n, 'warm');
    const s = at(n, 'spawner');
    const d = at(n, 'direct');
    const c = at(n, 'cold');
    figures.push(
      {
        id: `capacity.${n}.runs`,
        label: `**${n} organisms: runs/s**, warm hosts`,
        unit: 'runs/s',
        value: w.runsPerS,
        baseline: { label: 'processes (spawner)', value: s.runsPerS },
        ratio: { value: ratio(w.runsPerS, s.runsPerS) },
        note: `ideal N / (1 s + mean run): ${w.idealPerS.toFixed(1)} with warm hosts, ${s.idealPerS.toFixed(1)} and ${d.idealPerS.toFixed(1)} with processes; achieved ${pct(w)} with warm hosts, ${pct(s)} with processes from the spawner, ${pct(d)} from the server (${d.runsPerS.toFixed(2)} runs/s); the machine's CPU ${(100 * w.machineBusy).toFixed(0)} % busy with warm hosts, ${(100 * s.machineBusy).toFixed(0)} % and ${(100 * d.machineBusy).toFixed(0)} % with processes`,
      },
      {
        id: `capacity.${n}.status`,
        label: `${n} organisms: \`/status\` latency, warm hosts`,
        unit: 'ms',
        value: w.status,
        baseline: { label: 'processes (spawner)', value: s.status },
        ratio: { median: ratio(w.status.median, s.status.median), p95: ratio(w.status.p95, s.status.p95) },
        ...(n >= TARGET_ORGANISMS ? { target: { text: `p95 < ${STATUS_P95_TARGET_MS} ms`, met: w.status.p95 < STATUS_P95_TARGET_MS } } : {}),
      },
      {
        id: `capacity.${n}.spawner`,
        label: `${n} organisms: \`/status\` latency, processes from the spawner`,
        unit: 'ms',
        value: s.status,
        baseline: { label: 'in the server', value: d.status },
        ratio: { median: ratio(s.status.median, d.status.median), p95: ratio(s.status.p95, d.status.p95) },
      },
      {
        id: `capacity.${n}.detect`,
        label: `${n} organisms: crash detected, warm hosts`,
        unit: 'ms',
        value: summarize(w.detectMs),
        baseline: { label: 'warm hosts without standbys (STANDBY_RUNS=0)', value: summarize(c.detectMs) },
        ratio: { median: ratio(summarize(w.detectMs).median, summarize(c.detectMs).median), p95: ratio(summarize(w.detectMs).p95, summarize(c.detectMs).p95) },
        note: `a syntax_error injected into ${w.detectMs.length} organisms in turn (each healed, and a loop interval over, before the next) while the others run on; from the chaos's answer to that organism's first failing run on its event stream (\`/organisms/:name/events\`); with a process per routine run (and standbys): median ${summarize(s.detectMs).median.toFixed(0)} ms, p95 ${summarize(s.detectMs).p95.toFixed(0)} ms`,
        ...(n >= TARGET_ORGANISMS ? { target: { text: `p95 < ${DETECT_P95_TARGET_MS} ms`, met: summarize(w.detectMs).p95 < DETECT_P95_TARGET_MS } } : {}),
      },
      {
        id: `capacity.${n}.detect.burst`,
        label: `${n} organisms: crash detected right after another organism's heal, warm hosts`,
        unit: 'ms',
        value: summarize(w.burstMs),
        baseline: { label: 'a loop interval after it', value: summarize(w.detectMs) },
        ratio: { median: ratio(summarize(w.burstMs).median, summarize(w.detectMs).median), p95: ratio(summarize(w.burstMs).p95, summarize(w.detectMs).p95) },
        note: `a syntax_error (another seed) injected into ${w.burstMs.length} other organisms in turn, each as soon as the previous one is \`healthy\` again: in the middle of that heal's aftermath (the healed genome's warm host starting, standbys made again)`,
      },
      {
        id: `capacity.${n}.loop`,
        label: `${n} organisms: event-loop delay p99, warm hosts`,
        unit: 'ms',
        value: w.loopP99Ms,
        baseline: { label: 'processes (spawner)', value: s.loopP99Ms },
        ratio: { value: ratio(w.loopP99Ms, s.loopP99Ms) },
        note: `max ${w.loopMaxMs.toFixed(1)} ms (processes: ${s.loopMaxMs.toFixed(1)} ms from the spawner, ${d.loopMaxMs.toFixed(1)} ms from the server, p99 ${d.loopP99Ms.toFixed(1)} ms); server CPU ${w.serverCores.toFixed(2)} cores + spawner ${w.spawnerCores.toFixed(2)} (processes: ${s.serverCores.toFixed(2)} + ${s.spawnerCores.toFixed(2)}; from the server ${d.serverCores.toFixed(2)}); RSS ${w.serverRssMb.toFixed(0)} MB + spawner ${w.spawnerRssMb.toFixed(0)} MB + warm hosts ${w.organismRssMb.toFixed(0)} MB (processes: ${s.serverRssMb.toFixed(0)} + ${s.spawnerRssMb.toFixed(0)} MB; from the server ${d.serverRssMb.toFixed(0)} MB); load average ${w.loadAvg} / ${s.loadAvg} / ${d.loadAvg}`,
      },
    );
  }
  return [
    {
      id: 'capacity',
      title: 'Capacity: organisms at 1 Hz',
      params: { organisms: sizes.join(', '), LOOP_INTERVAL_MS, 'window (s)': windowS, 'warm-up (s)': sizes.map(warmupFor).join(', '), '/status poll (ms)': POLL_MS },
      method: [
        `For each size N, the real server process (\`node --import tsx src/server.ts\`, sandbox as detected) runs N copies of bubble-sort, each in its own loop at LOOP_INTERVAL_MS=${LOOP_INTERVAL_MS} (time limit 20 s and performance budget 10 s, so that load never turns into verdicts and heals; 2 property inputs per seed's suite and EVOLVE_FITNESS=false, so that the start measures nothing but is quick), three times: with each routine run in a vm context of its organism's warm host (ROUTINE_RUNS=contexts, the default: one sandboxed host process per organism, started by the spawner), with each a process started by the spawner (ROUTINE_RUNS=processes, SPAWNERS=1), and with each a process forked by the server itself (SPAWNERS=0: the whole server forked on its event loop, as before the spawner); standby runs on in all three (STANDBY_RUNS=1, the default). A fourth server, warm hosts with STANDBY_RUNS=0, is measured for detection only (a ${DETECT_ONLY_WINDOW_S} s window, its other figures not reported). The order rotates with N.`,
        `After a warm-up (${tiny ? '1 s' : '10 s and a quarter of a second per organism'}), for ${windowS} s: runs/s from the sum of \`/organisms\` totalRuns, against the ideal N / (1 s + the mean run); one client polls \`/status\` every ${POLL_MS} ms (latency from request to the last byte); the server's event-loop delay p99 and max over the window from its \`/metrics\` (prom-client's histogram, reset at each scrape); CPU of the server and of its spawner from /proc/<pid>/stat, and the whole machine's from /proc/stat. Then a syntax_error is injected into ${tiny ? 1 : INCIDENTS} of the organisms in turn, each healed and a loop interval over before the next, while the others run on: detection is the time from the chaos's answer to the arrival of that organism's first failing run on its event stream (\`/organisms/:name/events\`, opened before the chaos), as the God View sees it. With warm hosts, as many other organisms then get one each as soon as the previous one is healthy again (\"right after another organism's heal\").`,
        `One run's latency: the fixture organism \`good\` run ${tiny ? 3 : 40} times through an EmbeddedRunner (one spawner), through the DirectRunner (spawned by the benchmark's own process) and through an EmbeddedRunner that keeps a standby of the run's shape (each run a fresh copy of the genome), interleaved, timed from the call to the outcome.`,
      ],
      figures,
      notes: [],
      elapsedS: since(started) / 1000,
    },
  ];
}
