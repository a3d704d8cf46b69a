/**
 * Why a target was missed: what profiling found, matched on the figure's id. BENCHMARKS.md shows a finding
 * only while its target is missed, so the explanation of a fixed problem disappears with it. Each says when
 * and how it was measured; profile again (`node --cpu-prof`) when a figure moves.
 */
const FINDINGS: { match: RegExp; text: string }[] = [
  {
    match: /^detect\..*\.hung$/,
    text:
      'A hang is killed at the time limit plus the kill grace, not at the limit. With the sandbox\'s PID namespace (`unshare --pid --fork --kill-child`) the organism is PID 1 of its namespace, which ignores SIGTERM when it has no handler, and unshare itself blocks SIGTERM while it waits for its child: only the SIGKILL sent `killGraceMs` (500 ms) later ends the run, so detection takes 2,000 + 500 + ~10 ms (2,008–2,013 ms before the sandbox, on 2026-11-24). ' +
      'Fix (src/watcher/child-process.ts, `terminate()`): when `sandbox?.namespaces?.pid` is on, send SIGKILL at the limit as the output-flood path already does (a PID 1 without a handler cannot act on SIGTERM anyway), or use a grace of a few tens of ms for namespaced runs.',
  },
  {
    match: /^detect\..*\.crashed$/,
    text:
      'A crash is detected at the end of the first run of the damaged genome, so detection is one sandboxed start of Node plus the watcher\'s bookkeeping and the client\'s poll (5 ms). Two things add to a bare Node start: the sandbox chain every run goes through (see Supervision overhead: the supervised run against `node organism.js`, and what each layer costs), and the machine\'s load (compare this run\'s `node -e \'\'` with the 20–30 ms it takes on a quiet machine). Before the sandbox, on a quiet machine, crashes were detected in 30–40 ms at the median and 40–75 ms at p95 (2026-11-24). The fixes of the sandbox\'s cost (one helper exec instead of a chain, namespaces per organism rather than per run) bring this figure down with it. ' +
      'A smaller one: src/watcher/supervisor.ts writes each run\'s private copy of the genome with `writeFileAtomic` (fsync of the file, rename, fsync of the directory: lines 384 and 509, live runs and heal trials). Measured on 2026-11-24 under I/O load: writing the copy that way and running it costs 18–27 ms more at the median than running an existing file, a plain `writeFile` 1–2 ms. The copy is private, deleted after the run and swept at start, so it needs no durability: `writeFile` there saves that on every run and every trial (the live file keeps `writeFileAtomic`).',
  },
  {
    match: /^overhead\.supervised$/,
    text:
      'The sandbox wraps every run in a chain of programs (prlimit → setpriv → unshare → setpriv → node --experimental-permission), and each optional layer adds to every start; the per-layer rows of this section show what each costs in this run (full sandbox against the sandbox without that layer, interleaved). A longer attribution on 2026-11-24 (80 runs per variant, load average ~8) found: pid-namespace +11.6 ms a run at the median (`unshare --pid --fork --mount-proc`: a fork and a mount of /proc), parent-death +8.1 ms (its own `setpriv` exec), rlimits +4.5 ms (the `prlimit` exec); permission, pidfile, uid and net-namespace within ±1 ms. The supervised run without the sandbox is the row below it. ' +
      'What to do is a trade of isolation against latency, for the lead: the layers that each cost an exec (rlimits via prlimit, parent-death and uid via setpriv) can be folded into one helper exec (or set in the child with `prlimit(2)`/`setrlimit` before exec from a small launcher), and the namespaces can be created once per organism rather than once per run (a long-lived `unshare` holding the namespaces, runs entered with `nsenter`).',
  },
  {
    match: /^overhead\.bare$/,
    text:
      'Almost all of the difference is the V8 flag `--max-old-space-size=<maxOldSpaceMb>` that every run gets (src/sandbox/command.ts): any V8 flag that differs from its default costs 4–5 ms on each start of the organism (measured on 2026-11-24: none 23.8 ms, --max-old-space-size=64 28.0 ms; --max-old-space-size=2048 and --stack-size=900 cost the same; --no-warnings, a Node flag, costs nothing), most likely because Node\'s built-in code cache is checked against V8\'s flag hash and rejected, so the internal modules a run loads (streams for stdin) compile from source. `detached`, the pipes, the timer and the oracle cost under 1 ms. The flag is what makes `oom` a verdict, so keeping it is a choice; the rest of the supervision is within the target.',
  },
  {
    match: /^api\.throughput\.status$/,
    text:
      'CPU profile of the server answering /status at full speed (autocannon, 100 connections, 2026-11-24; shares of the busy time): Node\'s HTTP and the socket writes 54 % (the `writev` system call alone 21 µs a response against 9 µs for the hello-world: 14 headers, 11 of them from helmet, and a 750-byte body), zod 19 % (fastify-type-provider-zod\'s serializer validates every response against the Status schema with zod before `JSON.stringify`), garbage collection 8 %, helmet 5 %, Fastify 5 %, `Supervisor.status()` 2 %, rate-limit and CORS 1 %. The same layers added one by one to a hello-world (standalone, same machine): 86 k req/s bare, 49 k with CORS + helmet + rate-limit + the two hooks, 23–34 k with the status body and its zod schema, 14–23 k with both. ' +
      'Fixes, biggest first: (1) cache the serialised /status of each supervisor and rebuild it only when something changes (a run, a state change, a promotion; `uptimeS` rounded to a second or moved out of the body), so a thousand polls cost one serialisation; (2) do not validate responses in production: a serializer compiled from the zod schema\'s JSON Schema (fast-json-stringify, Fastify\'s default) instead of zod parse + JSON.stringify, keeping zod validation in tests; (3) register @fastify/rate-limit on the mutating routes only (route-level `config.rateLimit`) instead of globally with an allow-list evaluated on every GET; (4) for a JSON API, send only the security headers that matter (nosniff, frame-ancestors/X-Frame-Options, CORP, no-referrer) from one constant object.',
  },
  {
    match: /^api\.dashboards\./,
    text:
      'The server shares the 2 cores with the load generator, the organism loops and their sandboxes, so the tail is requests queued behind a burst of polls or behind a run being spawned and judged on the event loop; compare the hello-world\'s own p99 under the same load in this table. Each request\'s cost sets the queue: /status is ~3× a hello-world request (see its maximum throughput). The real dashboard\'s poll (the "full dashboard poll" rows: /status, /runs, /logs and /genomes?limit=50 each second) saturates the server at 1,000 dashboards, all four endpoints waiting alike: GET /genomes?limit=50 costs 0.6–0.9 ms of CPU a request (Cost of growth, through inject), ~0.2 ms of it `listGenomes` (`SELECT *` reads 50 sources of 2 KB and parses 50 `detail` JSONs that a summary does not show) and the rest zod\'s validation and serialisation of 50 summaries, so 1,000 polls a second need most of a core for that route alone. ' +
      'Fixes: the /status ones under its throughput below (a cached body, no zod validation of responses, rate-limit on mutations only); for /genomes, select only the summary\'s columns in `listGenomes` (src/genome/store.ts) and cache the first page until the next promotion; in the dashboard (frontend/lib/useOuroboros.ts), fetch /genomes only when `status.generation` changed since the last poll.',
  },
  {
    match: /^growth\.(count|http-list)$/,
    text:
      '`countGenomes` is `SELECT COUNT(*) FROM genomes WHERE organism = ?`, a scan of the (organism, generation) index: 0.005 ms at 100 genomes, 0.18 ms at 10,000 (×39), and GET /genomes runs it on every call (each dashboard polls it every second). Generations are dense per organism (UNIQUE (organism, generation), `promote` takes MAX + 1), so the count is `SELECT COALESCE(MAX(generation) + 1, 0) FROM genomes WHERE organism = ?`, one index seek: 0.003 ms at both sizes (measured 2026-11-24). Fix in src/genome/store.ts `countGenomes`.',
  },
  {
    match: /^growth\./,
    text:
      'Deep pages use `LIMIT ? OFFSET ?`, which walks every skipped row: the last page of 10,000 costs 2.6× the first (0.355 ms against 0.139 ms). Keyset pagination (`?before=<generation>`: `WHERE organism = ? AND generation < ? ORDER BY generation DESC LIMIT ?`) is flat: 0.139 ms at both sizes.',
  },
  {
    match: /^memory\./,
    text: 'Not profiled yet: take two heap snapshots of the server (`node --heapsnapshot-signal=SIGUSR2`) at the two checkpoints and compare the retained sizes by constructor.',
  },
];

export function findingFor(id: string): string {
  return FINDINGS.find((f) => f.match.test(id))?.text ?? 'Not profiled yet: run the benchmark again on a quiet machine, then profile (`node --cpu-prof`).';
}
