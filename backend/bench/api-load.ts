/**
 * The API under dashboard load: `/status` and `/logs?since=` while the organism loop runs, with many
 * simulated dashboards polling once a second (autocannon on loopback), and the maximum throughput of
 * `/status` against a bare Fastify hello-world, both servers in their own process, in the same run.
 */
import type { EventEmitter } from 'node:events';
import autocannon from 'autocannon';
import type { BenchOptions, Figure, Section } from './model.js';
import { cpuSeconds, http, startHelloWorld, startServer, tempDir } from './proc.js';
import { ratio, ratios, since, sleep, summarize, type Summary } from './stats.js';

export interface ApiLoadOptions extends BenchOptions {
  dashboards?: number;
  /** Seconds of each dashboard-load phase. */
  durationS?: number;
  /** Seconds of each maximum-throughput round. */
  throughputS?: number;
  /** Rounds of maximum throughput per target (interleaved). */
  rounds?: number;
}

const P99_TARGET_MS = 20;
const THROUGHPUT_TARGET = 0.5;
/** Dashboards that poll in the same millisecond: one autocannon instance each group, groups evenly phased. */
const GROUP = 10;
const THROUGHPUT_CONNECTIONS = 100;

interface LoadResult {
  latencies: Map<string, number[]>;
  /** Latencies of the first request of each connection (TCP set-up included), kept apart. */
  firstOnConnection: number[];
  non2xx: number;
  errors: number;
  timeouts: number;
  sent: number;
}

/**
 * `dashboards` clients, each polling every path in `paths` once a second on its own keep-alive connection
 * per path (a browser opens several). autocannon's rate limit fires all the connections of one instance in
 * the same tick, so the dashboards are split into groups of GROUP, started evenly across the first second:
 * dashboards that start at different times poll at different phases, as real ones do. `inPhase` starts them
 * all at once instead: the worst case, every dashboard polling in the same millisecond. A path given as
 * `{ path, everyS }` is asked for every `everyS` seconds by each dashboard: one connection in `everyS` polls it
 * once a second (autocannon's rate is whole requests a second).
 */
type PollPath = (() => string) | { path: () => string; everyS: number };

async function dashboardLoad(
  base: string,
  paths: Record<string, PollPath>,
  dashboards: number,
  durationS: number,
  inPhase = false,
): Promise<LoadResult> {
  const groups = inPhase ? 1 : Math.max(1, Math.ceil(dashboards / GROUP));
  const result: LoadResult = { latencies: new Map(), firstOnConnection: [], non2xx: 0, errors: 0, timeouts: 0, sent: 0 };
  const runs: Promise<unknown>[] = [];
  for (let g = 0; g < groups; g++) {
    const size = inPhase ? dashboards : Math.min(GROUP, dashboards - g * GROUP);
    const startIn = inPhase ? 0 : (g * 1000) / groups;
    for (const [name, poll] of Object.entries(paths)) {
      const makePath = typeof poll === 'function' ? poll : poll.path;
      const connections = typeof poll === 'function' ? size : Math.max(1, Math.round(size / poll.everyS));
      const samples = result.latencies.get(name) ?? [];
      result.latencies.set(name, samples);
      runs.push(
        sleep(startIn).then(async () => {
          const instance = autocannon({
            url: base,
            connections,
            connectionRate: 1,
            duration: durationS,
            // Raw latencies: no synthetic samples for coordinated omission (a poll is not sent late, it is
            // sent on its schedule), percentiles computed here.
            ignoreCoordinatedOmission: true,
            requests: [{ method: 'GET', setupRequest: (req) => ({ ...req, path: makePath() }) }],
          }) as unknown as EventEmitter & Promise<autocannon.Result>;
          const connected = new WeakSet<object>();
          instance.on('response', (client: object, statusCode: number, _bytes: number, responseTime: number) => {
            if (statusCode < 200 || statusCode >= 300) result.non2xx++;
            // The first answer on a connection carries its TCP set-up; a dashboard keeps its connection.
            else if (!connected.has(client)) {
              connected.add(client);
              result.firstOnConnection.push(responseTime);
            } else samples.push(responseTime);
          });
          const r = await instance;
          result.errors += r.errors;
          result.timeouts += r.timeouts;
          result.sent += r.requests.sent;
        }),
      );
    }
  }
  await Promise.all(runs);
  return result;
}

/** Requests per second a server answers with THROUGHPUT_CONNECTIONS busy connections. */
/** One value (a median over rounds) against the hello-world's. */
function vsHello(id: string, label: string, unit: string, value: number, hello: number): Figure {
  return { id, label, unit, value, baseline: { label: 'hello-world', value: hello }, ratio: { value: ratio(value, hello) } };
}


/**
 * One round of maximum throughput, and what it cost the server: the load generator shares the machine's two cores,
 * so the server may be waiting for it rather than the other way round. `busy` is the server's CPU time over the
 * round's wall time (1 = one core saturated, the most its event loop can do), `cpuUsPerReq` its CPU per request.
 */
async function maxThroughput(
  base: string,
  path: string,
  durationS: number,
  capRate: number | undefined,
  pid: number,
): Promise<{ rps: number; latency: number; bad: number; busy: number; cpuUsPerReq: number }> {
  const cpu0 = cpuSeconds(pid);
  const t0 = performance.now();
  const r = await autocannon({
    url: `${base}${path}`,
    connections: THROUGHPUT_CONNECTIONS,
    duration: durationS,
    // The test suite's tiny run caps the rate: it checks the plumbing and must not starve the tests beside it.
    ...(capRate ? { overallRate: capRate } : {}),
  });
  const cpu = cpuSeconds(pid) - cpu0;
  const wallS = (performance.now() - t0) / 1000;
  return {
    rps: r.requests.total / r.duration,
    latency: r.latency.p99,
    bad: r.non2xx + r.errors + r.timeouts,
    busy: cpu / wallS,
    cpuUsPerReq: r.requests.total > 0 ? (cpu / r.requests.total) * 1e6 : 0,
  };
}

export async function benchApiLoad(opts: ApiLoadOptions = {}): Promise<Section[]> {
  const started = performance.now();
  const log = opts.log ?? (() => {});
  const tiny = opts.tiny ?? false;
  const dashboards = opts.dashboards ?? (tiny ? 20 : 1000);
  const durationS = opts.durationS ?? (tiny ? 3 : 20);
  const throughputS = opts.throughputS ?? (tiny ? 1 : 5);
  const rounds = opts.rounds ?? (tiny ? 1 : 3);
  const capRate = tiny ? 200 : undefined;

  const dir = tempDir('ouroboros-bench-api-');
  const hello = await startHelloWorld();
  // --tiny runs one organism: the server verifies each one's genome 0 before it listens, seconds apiece.
  const server = await startServer({ DATA_DIR: dir.dir, LOG_LEVEL: 'warn', ...(tiny ? { ORGANISMS: 'bubble-sort' } : {}) });
  try {
    const url = server.url;
    // Let the loop run a little so that /logs has entries to return.
    for (let i = 0; i < 50; i++) {
      const s = await http(url, '/status');
      if (s.stats.totalRuns >= 2) break;
      await sleep(200);
    }

    const organisms = (await http<{ organisms: { name: string }[] }>(url, '/organisms')).organisms.map((o) => o.name);

    // ---- maximum throughput, interleaved ------------------------------------------------------------
    const tp = { hello: [] as number[], status: [] as number[], logs: [] as number[] };
    const busy = { hello: [] as number[], status: [] as number[], logs: [] as number[] };
    const cpuPerReq = { hello: [] as number[], status: [] as number[], logs: [] as number[] };
    let lastSeq = (await http<{ lastSeq: number }>(url, '/logs?limit=1')).lastSeq;
    for (let round = 0; round < rounds; round++) {
      const order: (keyof typeof tp)[] = round % 2 === 0 ? ['hello', 'status', 'logs'] : ['logs', 'status', 'hello'];
      for (const which of order) {
        const r =
          which === 'hello'
            ? await maxThroughput(hello.url, '/', throughputS, capRate, hello.pid)
            : which === 'status'
              ? await maxThroughput(url, '/status', throughputS, capRate, server.child.pid!)
              : await maxThroughput(url, `/logs?since=${Math.max(0, lastSeq - 5)}`, throughputS, capRate, server.child.pid!);
        if (r.bad > 0) log(`  ${which}: ${r.bad} failed requests`);
        tp[which].push(r.rps);
        busy[which].push(r.busy);
        cpuPerReq[which].push(r.cpuUsPerReq);
        log(`  max throughput ${which}: ${Math.round(r.rps)} req/s, server busy ${Math.round(r.busy * 100)} % of a core, ${r.cpuUsPerReq.toFixed(1)} µs CPU a request`);
      }
    }

    // ---- dashboards ------------------------------------------------------------------------------
    // Each dashboard asks for the log entries after the newest one it saw, a second ago.
    lastSeq = (await http<{ lastSeq: number }>(url, '/logs?limit=1')).lastSeq;
    let sinceSeq = lastSeq;
    let runCursor = (await http(url, '/status')).lastRun?.id ?? 0;
    let sinceRun = runCursor;
    const cursor = setInterval(() => {
      void http(url, '/logs?limit=1').then((r) => {
        sinceSeq = lastSeq;
        lastSeq = r.lastSeq;
      }, () => {});
      void http(url, '/status').then((s) => {
        sinceRun = runCursor;
        runCursor = s.lastRun?.id ?? runCursor;
      }, () => {});
    }, 1000);
    try {
      const before = await http(url, '/status');
      const baseline = await dashboardLoad(hello.url, { status: () => '/', logs: () => '/' }, dashboards, durationS);
      log(`  hello-world under ${dashboards} dashboards: done`);
      const mid = await http(url, '/status');
      const real = await dashboardLoad(
        url,
        { status: () => '/status', logs: () => `/logs?since=${sinceSeq}` },
        dashboards,
        durationS,
      );
      const after = await http(url, '/status');
      log(`  /status and /logs under ${dashboards} dashboards: done`);
      const herd = await dashboardLoad(
        url,
        { status: () => '/status', logs: () => `/logs?since=${sinceSeq}` },
        dashboards,
        Math.max(2, Math.round(durationS / 2)),
        true,
      );
      log(`  in phase: done`);
      const full = await dashboardLoad(
        url,
        {
          status: () => '/status',
          runs: () => `/runs?limit=60&since=${sinceRun}`,
          logs: () => `/logs?limit=200&since=${sinceSeq}`,
          organisms: () => '/organisms',
          // The hook asks for the history when the genome or state changed, else every 10 s.
          genomes: { path: () => '/genomes?limit=50', everyS: 10 },
        },
        dashboards,
        Math.max(2, Math.round(durationS / 2)),
      );
      log(`  the dashboard's full poll: done`);

      const lat = (r: LoadResult, name: string) => summarize(r.latencies.get(name) ?? []);
      const helloStatus = lat(baseline, 'status');
      const helloAll = summarize([...(baseline.latencies.get('status') ?? []), ...(baseline.latencies.get('logs') ?? [])]);
      const p99Fig = (id: string, label: string, s: Summary, base: Summary, target: boolean): Figure => ({
        id,
        label,
        unit: 'ms',
        value: s,
        baseline: { label: 'hello-world, same load', value: base },
        ratio: ratios(s, base, true),
        ...(target ? { target: { text: `p99 < ${P99_TARGET_MS} ms`, met: s.p99 < P99_TARGET_MS } } : {}),
      });
      const failed = (r: LoadResult) => r.non2xx + r.errors + r.timeouts;
      const tpHello = summarize(tp.hello);
      const tpStatus = summarize(tp.status);
      const tpLogs = summarize(tp.logs);
      const pct = (xs: number[]) => `${Math.round(summarize(xs).median * 100)} %`;
      const runsDuring = after.stats.totalRuns - mid.stats.totalRuns;
      const figures: Figure[] = [
        p99Fig('api.dashboards.status', `**/status**, ${dashboards} dashboards`, lat(real, 'status'), helloStatus, true),
        p99Fig('api.dashboards.logs', `**/logs?since=**, ${dashboards} dashboards`, lat(real, 'logs'), lat(baseline, 'logs'), true),
        p99Fig('api.herd.status', `/status, ${dashboards} dashboards all in phase`, lat(herd, 'status'), helloStatus, false),
        p99Fig('api.herd.logs', `/logs?since=, ${dashboards} dashboards all in phase`, lat(herd, 'logs'), lat(baseline, 'logs'), false),
        ...Object.entries({ status: '/status', runs: '/runs?since=', logs: '/logs?since=', organisms: '/organisms', genomes: '/genomes?limit=50 (every 10 s)' }).map(([name, label]) =>
          p99Fig(`api.full.${name}`, `full dashboard poll: ${label}`, lat(full, name), helloAll, false),
        ),
        {
          ...vsHello('api.throughput.status', '**/status maximum throughput**', 'req/s', tpStatus.median, tpHello.median),
          target: { text: `≥ ${THROUGHPUT_TARGET} × hello-world`, met: ratio(tpStatus.median, tpHello.median) >= THROUGHPUT_TARGET },
          note: `median of ${rounds} rounds; /status rounds: ${tp.status.map(Math.round).join(', ')}; hello-world: ${tp.hello.map(Math.round).join(', ')}. Server busy (CPU time over wall time, median): /status ${pct(busy.status)}, hello-world ${pct(busy.hello)} of a core${summarize(busy.status).median < 0.85 ? ': well below one core, so the load generator, not the server, set the pace' : ''}`,
        },
        {
          ...vsHello('api.cpu.status', "/status: the server's CPU per request", 'µs', summarize(cpuPerReq.status).median, summarize(cpuPerReq.hello).median),
          note: "user + system CPU of the server process over a throughput round, divided by the requests answered (includes the organism loops' own work on the server during the round); its inverse is the throughput one core could reach with a load generator that kept up",
        },
        vsHello('api.throughput.logs', '/logs?since= maximum throughput', 'req/s', tpLogs.median, tpHello.median),
      ];
      return [
        {
          id: 'api',
          title: 'API under dashboard load',
          params: {
            dashboards,
            'seconds per load phase': durationS,
            'dashboards phased in groups of': GROUP,
            'throughput connections': THROUGHPUT_CONNECTIONS,
            'seconds per throughput round': throughputS,
            'throughput rounds': rounds,
            ...(capRate ? { 'throughput capped at req/s (tiny run)': capRate } : {}),
            'load generator': 'autocannon 9 (in the benchmark process, loopback)',
          },
          method: [
            'The real server (`node --import tsx src/server.ts`, default settings: every organism\'s loop runs, one run a second each, in the sandbox) and a bare Fastify hello-world, each in its own process, started the same way.',
            `A dashboard = one keep-alive connection per endpoint, one request a second on each: \`/status\` and \`/logs?since=<the newest seq it saw a second ago>\`. ${dashboards} dashboards in groups of ${GROUP} (one autocannon instance each, with \`connectionRate: 1\`), the groups started evenly over the first second so that they poll at different phases. Latencies are autocannon's raw per-response times (coordinated-omission correction off), percentiles computed here. Baseline: the same load against the hello-world.`,
            'Also: all dashboards in phase (the worst case: every one polls in the same millisecond), and the real dashboard\'s poll (`/status`, `/runs?since=`, `/logs?since=` and `/organisms` each second, `/genomes?limit=50` every ten seconds when nothing changes: frontend/lib/query/), against the hello-world baseline.',
            `Maximum throughput: autocannon with ${THROUGHPUT_CONNECTIONS} connections for ${throughputS} s, hello-world and \`/status\` interleaved, ${rounds} rounds each, median.`,
          ],
          figures,
          notes: [
            ...(lat(baseline, 'status').p99 >= P99_TARGET_MS
              ? [`The hello-world itself answers the same load with a p99 of ${Math.round(lat(baseline, 'status').p99)} ms, at or above the ${P99_TARGET_MS} ms target: in this run the machine (its load, the load generator sharing its cores) accounts for the tail as much as the server does; read the ratios.`]
              : []),
            `Organisms running (${tiny ? '--tiny: one' : 'the default: every folder in organisms/'}): ${organisms.join(', ')}.`,
            `First request on each new connection (TCP set-up, kept out of the figures above): p99 ${Math.round(summarize(real.firstOnConnection).p99)} ms under the phased load, ${Math.round(summarize(herd.firstOnConnection).p99)} ms in phase, ${Math.round(summarize(baseline.firstOnConnection).p99)} ms against the hello-world.`,
            `Failed requests: hello-world ${failed(baseline)}, dashboards ${failed(real)}, in phase ${failed(herd)}, full poll ${failed(full)}. Requests sent under the ${dashboards}-dashboard load: ${real.sent} in ${durationS} s.`,
            `The organism loop ran ${runsDuring} times during the ${durationS} s load (${(after.stats.totalRuns - before.stats.totalRuns)} over both phases); its state stayed ${after.state}.`,
          ],
          elapsedS: since(started) / 1000,
        },
      ];
    } finally {
      clearInterval(cursor);
    }
  } finally {
    await server.stop();
    await hello.stop();
    dir.cleanup();
  }
}
