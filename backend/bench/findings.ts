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
      'Measured on 2026-11-28 with the streams alone (no polling dashboards at the same time) and their clients in two processes of their own: p99 113 ms, median 28 ms, p95 81 ms (load average 1.3–2), against p99 128 ms and median 33 ms with the clients on the benchmark\'s own event loop beside the pollers. A CPU profile of the server under 1,000 streams and a chaos a second shows it idle 68 % of the time and 6 % in socket writes: the tail is not the hub (a burst now costs one write per client, flushed in a microtask). Each chaos sets off a heal whose verification suite runs a few dozen sandboxed processes on both cores at once, and the events of that second wait for a core; `ORGANISM_NICE=10` moved the median to 24 ms and p95 to 67 ms but not the p99 (143 ms). Next: measure the tail against the verification bursts (events timed against the heal phases), and the fsync of each run record on the event loop (a FULL commit: 2–4 ms median, up to 16 ms here).',
  },
  {
    match: /^capacity\.\d+\.status$/,
    text:
      'On the quiet machine (2026-11-28, load 1.0 before the organisms started) the organisms themselves fill both cores from about 24 of them: runs/s levels off at 7–8 whatever N, each sandboxed bubble-sort run costing about a quarter of a core-second. The server uses 0.08 of a core, yet its event-loop delay p99 is 120 ms at 48 organisms: it waits, not works. Two suspects measured since: the CPU share (`ORGANISM_NICE=10` made no clear difference at 48 organisms: p95 165 ms against 144 ms, on a machine loaded by other work) and the fsync of each run record, a FULL commit on the event loop (2–4 ms median, up to 16 ms on this disk, 7 a second; relaxing it gave p95 126 ms in one loaded run, inconclusive). Next: the same comparison on a quiet machine, then group the run records\' commits.',
  },
  {
    match: /^memory\./,
    text: 'Not profiled yet: take two heap snapshots of the server (`node --heapsnapshot-signal=SIGUSR2`) at the two checkpoints and compare the retained sizes by constructor.',
  },
];

export function findingFor(id: string): string {
  return FINDINGS.find((f) => f.match.test(id))?.text ?? 'Not profiled yet: run the benchmark again on a quiet machine, then profile (`node --cpu-prof`).';
}
