/**
 * A client of the original Ouroboros API, written against its shapes only (README, "Compatible with the original
 * Ouroboros clients"), as the original's test script checked its server: the root, the health check, the vital
 * signs, the log, each chaos type and the recovery after it, and the genome's versions. It knows nothing of our
 * own fields.
 */

export interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

interface OriginalStatus {
  generation: number;
  status: string;
  last_mutation: string;
  crash_count: number;
  successful_runs: number;
  avg_execution_time: number;
  recent_execution_times: number[];
  uptime: number;
  last_error: string | null;
}

const CHAOS_TYPES = ['delete_line', 'syntax_error', 'division_by_zero', 'random'] as const;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function getJson(base: string, path: string): Promise<{ status: number; body: any }> {
  const res = await fetch(`${base}${path}`);
  return { status: res.status, body: await res.json().catch(() => null) };
}

/** The type errors the original dashboard would have hit on this answer, or none. */
export function statusProblems(s: any): string[] {
  const problems: string[] = [];
  const want = (field: string, ok: boolean, what: string) => {
    if (!ok) problems.push(`${field} is ${JSON.stringify(s?.[field])}, not ${what}`);
  };
  const int = (v: unknown) => Number.isInteger(v);
  want('status', ['ALIVE', 'CRASHED', 'MUTATING'].includes(s?.status), 'ALIVE, CRASHED or MUTATING');
  want('generation', int(s?.generation), 'an integer');
  want('last_mutation', typeof s?.last_mutation === 'string', 'a string');
  want('crash_count', int(s?.crash_count), 'an integer');
  want('successful_runs', int(s?.successful_runs), 'an integer');
  want('avg_execution_time', typeof s?.avg_execution_time === 'number' && Number.isFinite(s.avg_execution_time), 'a number (seconds)');
  want(
    'recent_execution_times',
    Array.isArray(s?.recent_execution_times) && s.recent_execution_times.length <= 5 && s.recent_execution_times.every((t: unknown) => typeof t === 'number'),
    'at most five numbers',
  );
  want('uptime', int(s?.uptime), 'an integer');
  want('last_error', s?.last_error === null || typeof s?.last_error === 'string', 'a string or null');
  return problems;
}

/** Polls /status until `accept` says so, or gives up after `timeoutMs`. */
async function waitForStatus(base: string, accept: (s: OriginalStatus) => boolean, timeoutMs: number): Promise<{ seen: OriginalStatus[]; ok: boolean }> {
  const seen: OriginalStatus[] = [];
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const { body } = await getJson(base, '/status');
    seen.push(body);
    if (accept(body)) return { seen, ok: true };
    await sleep(100);
  }
  return { seen, ok: false };
}

/** Runs every check of the original's test script against `base`; `log` receives one line per check. */
export async function runOriginalClient(base: string, log: (line: string) => void = () => {}, recoveryTimeoutMs = 60_000): Promise<Check[]> {
  const checks: Check[] = [];
  const check = (name: string, ok: boolean, detail: string) => {
    checks.push({ name, ok, detail });
    log(`${ok ? 'PASS' : 'FAIL'} ${name}: ${detail}`);
  };

  const root = await getJson(base, '/');
  check('GET / names the project', root.status === 200 && root.body?.project === 'Ouroboros' && root.body?.status === 'alive' && typeof root.body?.message === 'string', JSON.stringify({ project: root.body?.project, status: root.body?.status }));

  const health = await getJson(base, '/health');
  check('GET /health answers 200', health.status === 200, `HTTP ${health.status}`);

  const first = await getJson(base, '/status');
  const problems = statusProblems(first.body);
  check('GET /status has every field the dashboard reads', first.status === 200 && problems.length === 0, problems.join('; ') || `status ${first.body.status}, generation ${first.body.generation}`);
  // What the original dashboard renders: the average with toFixed(3), the success rate, the recent times.
  const runs = first.body.successful_runs + first.body.crash_count;
  check(
    'the dashboard can render the vital signs',
    typeof first.body.avg_execution_time?.toFixed === 'function' && /^\d+\.\d{3}$/.test(first.body.avg_execution_time.toFixed(3)) && Number.isFinite(runs),
    `avg ${first.body.avg_execution_time?.toFixed?.(3)}s, success rate ${runs > 0 ? ((first.body.successful_runs / runs) * 100).toFixed(1) : '-'}%`,
  );

  const logs = await getJson(base, '/logs?limit=20');
  check(
    'GET /logs?limit=20 answers lines of text',
    logs.status === 200 && Array.isArray(logs.body?.logs) && logs.body.logs.length <= 20 && logs.body.logs.every((l: unknown) => typeof l === 'string') && logs.body.count === logs.body.logs.length,
    `${logs.body?.logs?.length} lines, count ${logs.body?.count}`,
  );

  for (const chaosType of CHAOS_TYPES) {
    const healthy = await waitForStatus(base, (s) => s.status === 'ALIVE', recoveryTimeoutMs);
    const before = healthy.seen.at(-1)!;
    const res = await fetch(`${base}/chaos`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(chaosType === 'random' ? {} : { chaos_type: chaosType }) });
    const body = (await res.json().catch(() => null)) as { message?: unknown; chaos_type?: unknown } | null;
    const answered = res.ok && typeof body?.message === 'string' && typeof body.chaos_type === 'string' && (chaosType === 'random' || body.chaos_type === chaosType);
    check(`POST /chaos ${chaosType === 'random' ? '(no type: random)' : chaosType} answers a message and the type`, answered, `HTTP ${res.status}: ${JSON.stringify(body)?.slice(0, 160)}`);
    // Damage shows (CRASHED or MUTATING, or a new generation), then the organism is ALIVE again, further on.
    const recovered = await waitForStatus(base, (s) => s.status === 'ALIVE' && s.generation > before.generation, recoveryTimeoutMs);
    const last = recovered.seen.at(-1)!;
    check(
      `after ${chaosType} the organism recovers`,
      recovered.ok && recovered.seen.every((s) => statusProblems(s).length === 0),
      `generation ${before.generation} -> ${last.generation}, states seen ${[...new Set(recovered.seen.map((s) => s.status))].join(', ')}; last mutation: ${last.last_mutation.slice(0, 80)}`,
    );
  }

  const after = await getJson(base, '/status');
  check(
    'the counts and times move',
    after.body.successful_runs > 0 && after.body.recent_execution_times.length > 0 && after.body.recent_execution_times.every((t: number) => t > 0 && t < 60) && after.body.last_mutation !== 'None',
    `${after.body.successful_runs} ok, ${after.body.crash_count} crashed, recent ${JSON.stringify(after.body.recent_execution_times)} s, last error ${JSON.stringify(after.body.last_error)?.slice(0, 80)}`,
  );

  const genome = await getJson(base, '/genome');
  const versions = genome.body?.versions;
  check(
    'GET /genome lists the versions',
    genome.status === 200 &&
      Array.isArray(versions) &&
      versions.length > 0 &&
      genome.body.count === versions.length &&
      versions.every((v: any) => Number.isInteger(v.generation) && typeof v.timestamp === 'string' && !Number.isNaN(Date.parse(v.timestamp)) && typeof v.context === 'string'),
    `${versions?.length} versions, the newest generation ${versions?.at(-1)?.generation}: ${versions?.at(-1)?.context?.slice(0, 80)}`,
  );
  return checks;
}
