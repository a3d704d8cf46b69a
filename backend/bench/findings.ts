/**
 * Why a target was missed: what profiling found, matched on the figure's id. BENCHMARKS.md shows a finding
 * only while its target is missed, so the explanation of a fixed problem disappears with it. Each says when
 * and how it was measured; profile again (`node --cpu-prof`) when a figure moves.
 */
/** What each run's sandbox costs, for the overhead rows that have every layer. */
const SANDBOX_CHAIN =
  'With every layer (the server is root here), each run is a chain of programs, prlimit → setpriv --pdeathsig → unshare --pid --net --fork → setpriv --reuid → node --permission: each exec costs 0.5–1 ms and creating the network namespace ~1.2 ms (timed alone on 2026-11-24, 40 runs each: prlimit +0.88, setpriv +0.54, setpriv with the uid +0.98, unshare --pid +0.56, unshare --net +1.42 ms against `node organism.js` at 25.4 ms), 3.5–4.5 ms in all, 15–18 % of a 25 ms run. The per-layer rows above attribute it in this run. The Docker image has no uid or namespace layers (its server is not root), and its row, on Node 24, is the production figure. To go lower: one small launcher that sets the rlimits, the parent-death signal, the namespaces and the uid itself before exec\'ing node would save three execs (~2 ms); it needs a C compiler in the image\'s build stage.';

const FINDINGS: { match: RegExp; text: string }[] = [
  {
    match: /^detect\..*\.hung$/,
    text:
      'A hang ends when the time limit\'s timer fires and the run is killed. In a PID namespace the organism is PID 1, which only gets SIGTERM if it handles it, and unshare blocks SIGTERM while it waits, so runs there are SIGKILLed at the limit without a grace (`terminate()` in src/spawner/exec-child.ts, formerly src/watcher/child-process.ts, since 2026-11-24; before, every hang waited the 500 ms grace: 2,540 ms). On a quiet machine on 2026-11-24: 2,017 ms median, 2,020 ms p95. A miss now is the limit\'s timer firing late on a busy event loop or machine: compare the crash rows\' baseline, a bare Node start, with the 20–30 ms it takes on a quiet machine.',
  },
  {
    match: /^detect\..*\.crashed$/,
    text:
      'A crash is detected at the end of the first run of the damaged genome: one sandboxed start of Node (see Supervision overhead), the oracle, the watcher\'s bookkeeping and the client\'s 5 ms poll. On a quiet machine on 2026-11-24 every crash type was detected in 41–56 ms at the median and 54–91 ms at p95 (`pnpm bench -- --only detect,heal`). A miss is the machine\'s load: compare this run\'s `node -e \'\'` baseline with the 20–30 ms it takes on a quiet machine.',
  },
  {
    match: /^overhead\.full24$/,
    text: SANDBOX_CHAIN,
  },
  {
    match: /^overhead\.supervised$/,
    text: `On Node 20 this row pays two costs: the heap limit's V8 flag, 4 ms a start (see the row without the sandbox), and the sandbox's chain of programs. ${SANDBOX_CHAIN}`,
  },
  {
    match: /^overhead\.bare$/,
    text:
      'On Node 20 the heap limit costs 4 ms a start: any V8 flag that differs from its default (here `--max-old-space-size=<maxOldSpaceMb>`, which every run needs, src/sandbox/command.ts) changes V8\'s flag hash, and Node then rejects its built-in code cache and compiles its internals again (measured on 2026-11-24, 40 runs each: none 24.7 ms, --max-old-space-size=64 28.4, =4096 28.0, --max-heap-size 27.9, --stack-size 29.0; --no-warnings, a Node flag, 24.6). Node 24 leaves heap-size flags out of that hash: the same runs there were 24.3 ms bare and 24.7 ms with the flag. The heap limit is what turns a memory leak into a prompt `oom` verdict, so it stays; on Node 24 (the Docker image) this row\'s cost is gone, see its rows.',
  },
  {
    match: /^api\.throughput\.status$/,
    text:
      'The load generator (autocannon, one thread) shares the two cores with the server and parses every answer with a JavaScript HTTP parser: at the maximum, the server is far from busy (see the note: CPU time over wall time), so the ratio measures the client\'s cost of a 750-byte JSON body with 11 headers against a 17-byte one with 5 as much as the server\'s. The server\'s CPU per request (the row below) is the figure that does not depend on the client. Done on 2026-11-24, from a CPU profile under this load: the security headers come from one constant instead of helmet\'s eleven middlewares (−600 bytes an answer), each route remembers its last checked answers (zod ran on every /status and was a fifth of its busy time), the p95 is sorted once a run instead of once a request, and read-only routes have no rate-limit hook: 25 k → 37 k req/s against a hello-world at 72 k.',
  },
  {
    match: /^api\.dashboards\./,
    text:
      'The tail is the organism loops\' work on the event loop: each run\'s spawn forks the server (5–12 ms blocked for a 120–160 MB process; libuv forks on Linux), its oracle, its records, and garbage collection. The biggest was fixed on 2026-11-24: before each spawn, the sandbox read /proc/self/fdinfo for every open descriptor, 2,000 reads a run with a thousand dashboards connected (p99 32 ms with the loops on, 4 ms with them stopped; 5 ms with the loops on after the fix). Log entries no longer fsync each. Since 2026-11-28 runs start in a spawner process (src/spawner, see Capacity), so that the fork copies its page tables and not the server\'s.',
  },
  {
    match: /^growth\.(count|http-list)$/,
    text:
      '`countGenomes` was `SELECT COUNT(*)`, a scan of the (organism, generation) index that grew with the store (×20 at 10,000 genomes in the run of 2026-11-24 11:00). Generations are dense per organism (UNIQUE (organism, generation), `promote` takes MAX + 1), so it is now the greatest generation + 1, one index seek. A miss here again means that assumption broke: check `promote` in src/genome/store.ts.',
  },
  {
    match: /^growth\./,
    text:
      'Deep pages use `LIMIT ? OFFSET ?`, which walks every skipped row: the last page of 10,000 costs 2.6× the first (0.355 ms against 0.139 ms). Keyset pagination (`?before=<generation>`: `WHERE organism = ? AND generation < ? ORDER BY generation DESC LIMIT ?`) is flat: 0.139 ms at both sizes.',
  },
  {
    match: /^events\.latency$/,
    text:
      'Measured again on 2026-12-07 on a 2-vCPU VM where a bare `node -e \'\'` takes 74 ms (22.5 ms on the machine of the full run above), nothing else running: p99 98 ms, median 21 ms, p95 58 ms; a second run under a CPU profile gave p99 85 ms. The server is idle 84 % of that run and spends 3.5 % in socket writes: a burst is one write per client, flushed in a microtask. Each chaos sets off a heal whose verification runs a few dozen sandboxed processes on both cores at once, and on this VM a process that only runs a 10 ms timer is late by 50–60 ms at p99 while the cores are full (see Capacity: the kernel is built PREEMPT_NONE, HZ=250); the tail is that wait, and ORGANISM_NICE=10 (now reaching every organism) does not shorten it: p99 101 ms, median 24 ms in the same session. On 2026-11-28 (load 1.3–2): p99 113 ms, median 28 ms. What would move it: fewer processes per verification (worker threads of one process, as the search rung\'s batch proof does), or organism runs on other machines (RUNNER=bullmq) so that the server\'s cores are its own. Measured again on 2026-12-07 after every verification moved into one batch host with a vm context per input (commit 02e8c0c, `pnpm bench -- --only events`), in three runs: p99 72, 126 (load average 5 before, just after the test suite) and 92 ms, medians 18–23 ms. The runs of the latter two delivered twice as many events (500,000 against 213,000–287,000: heals take less time, so the organism runs and publishes more in the same 20 s). With the hub instrumented for one run (not committed), the server\'s own part is small: a fan-out of one burst to the 1,000 streams takes 1.1–2.4 ms at the median and 14–27 ms at p99, and an event leaves the server 1–3 ms after it is published at the median, 15–32 ms at p99; the rest is the delivery into the two client processes, which share the same two cores with the server and the organism\'s runs. A client reading raw TCP instead of node:http changed nothing (p99 74 ms). What would move it: the clients on other machines (as real dashboards are), or the organism\'s runs on workers elsewhere (RUNNER=bullmq). Measured again after routine runs moved into warm hosts (commit 5149a49, `pnpm bench -- --only events`): p99 121 ms, median 19 ms, p95 60 ms, over 507,500 deliveries: the organism\'s own runs no longer start processes, but each chaos\'s detection and heal still do, and the clients\' processes share the same two cores. Measured again on 2026-12-07 in the evening (`pnpm bench -- --only events`, nothing else running): p99 84 and 89 ms, medians 14–15 ms. Three changes were tried and left out, each measured in a full run: a flush held back for 20 ms after the previous one, so that a burst spread over several ticks leaves in one write (p99 105 ms); the stream clients at niceness 10, standing for browsers elsewhere (p99 434 ms: they lose the cores to the organism\'s runs); clients reading raw TCP again (p99 90 ms). Instrumented (not committed): for the slowest events even the first of the 1,000 clients got them 57 ms late, and one write to all the streams took 30–70 ms of wall time for 12–15 ms of CPU (a thousand sockets written with nothing else running: 12–16 ms): the server is descheduled in the middle of its writes, by the client processes each write wakes and by the incidents\' processes.',
  },
  {
    match: /^capacity\.\d+\.status$/,
    text:
      'With warm hosts (ROUTINE_RUNS=contexts, since 2026-12-07), on a 2-vCPU VM where a bare `node -e \'\'` takes 74–78 ms: at 40 organisms the `/status` p95 was 7.4, 10.7 and 7.8 ms in three runs (one of them started at load average 5.9: 29.1 ms), at 48 organisms 10.1 ms measured alone (`--capacity-sizes 48`: 47.7 runs/s, the machine 38 % busy) but 62.3 ms in the run above, where it came right after 40 organisms with a process per run (load average 13 before it). The host\'s work per run (a fresh vm context, Node\'s globals hidden in it, the genome, the report over the spawner\'s pipe) is a few milliseconds of a core, and the incidents\' own processes come after the window. Before warm hosts, with a process per run, the floor was the kernel: this VM\'s kernel is built PREEMPT_NONE with HZ=250, and each run\'s chain of forks and execs (nice, prlimit, setpriv, unshare, setpriv, node) and its exit held a core: 30–39 % of the CPU time in the kernel, a process that only runs a 10 ms timer late by 50–60 ms at p99 beside that load, whatever the organisms\' niceness (the rows "processes from the spawner" show it still).',
  },
  {
    match: /^capacity\.\d+\.detect$/,
    text:
      'A crash is detected when the damaged genome\'s verification fails, and no failure counts from a context or a batch host: the suite\'s first input runs as a real sandboxed process (since 2026-12-07 beside the batch host, no longer after it), so detection is at least one sandboxed start, 90–170 ms on this 2-vCPU VM (a bare `node -e \'\'` 78 ms; 22.5 ms on the machine of the full run, where crashes were detected in 41–48 ms at the median). One organism alone, nothing else running: crashes detected in 129–200 ms with the batch host starting beside the first input, 105–140 ms with HEAL_BATCH_PROOF=0 (seven incidents each, `/status` polled every 5 ms), and `pnpm bench -- --only detect` gave medians of 185–341 ms per crash type. At 40 organisms the warm hosts and each incident\'s heal share the cores with it: median 247 ms, p95 396 ms, against 206 ms and 4,391 ms with a process per run. The target is under one sandboxed start here. Since standby runs (STANDBY_RUNS=1, the default since 2026-12-07: the spawner keeps a process of the run\'s shape started ahead of it, every layer of the sandbox, waiting for its file), that first input no longer waits for a start: 37 ms a run on a standby against 88 ms cold (capacity.standby), and at 40 organisms detection fell to 148 ms at the median and 280 ms at p95, against 228 ms and 398 ms without standbys in the same run (`pnpm bench -- --only capacity --capacity-sizes 40`). One organism alone: 114–184 ms with a standby, 157–244 ms without (eight syntax_error incidents each). The rest was the machine: the batch host of the same verification started beside the first input (a Node start on the same two cores), and a failure waited for that host\'s end. Since 2026-12-08 a new live genome\'s host waits up to 100 ms for the first input and a failure no longer waits for it, and detection is read off the organism\'s event stream (a client polling `/status` every 5 ms read it about 10 ms later, its requests load on the server it measured): at 40 organisms 53–97 ms at the median and 77–182 ms at p95 in five runs (the target met in three: both runs measured a loop interval after the previous heal, 96 and 77 ms, with 95 and 82 ms right after it; one of three earlier runs that injected each chaos right after the previous heal), against 189–243 ms and 283–437 ms without standbys in the same runs. What would move the p95 further: the heal before it (its healed genome\'s warm host and standbys start at once, on the same cores) spread out, or organisms\' runs on workers elsewhere (RUNNER=bullmq).',
  },
  {
    match: /^repair\.on\.time$/,
    text:
      'On a 2-vCPU VM where a bare `node -e \'\'` takes 68–74 ms, nothing else running, the median was 1,200 ms on 2026-12-07 (`pnpm bench -- --only repair --repair-bugs 4`): the proof\'s inputs each in a fresh vm context of one sandboxed batch host (suite 376 ms, held-out set 344 ms at the median), where a worker thread per input took 3,331 ms in all and a process per input 4,860 ms in the same run. A miss is most likely a genome that reaches past what a context offers (require, timers, Node\'s other globals), whose inputs then start a worker thread each, or the machine\'s load: compare the routine run\'s baseline with the 100–110 ms it takes on that VM. The screens of candidates on the failing input are a process each (median 532 ms); the slowest bug, prime-sieve\'s negated condition, tries 28 candidates ranked.',
  },
  {
    match: /^memory\./,
    text: 'Not profiled yet: take two heap snapshots of the server (`node --heapsnapshot-signal=SIGUSR2`) at the two checkpoints and compare the retained sizes by constructor.',
  },
];

export function findingFor(id: string): string {
  return FINDINGS.find((f) => f.match.test(id))?.text ?? 'Not profiled yet: run the benchmark again on a quiet machine, then profile (`node --cpu-prof`).';
}
