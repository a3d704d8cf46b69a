/**
 * A small client of the REST API. With several organisms the server answers each one's routes under
 * /organisms/:name; an older server without GET /organisms has only the top-level routes of its one organism.
 */

export type Verdict = 'ok' | 'crashed' | 'hung' | 'wrong' | 'slow' | 'oom';

export interface Run {
  id: number;
  generation: number;
  genomeId: string;
  seed: number;
  startedAt: string;
  durationMs: number;
  verdict: Verdict;
  error: string | null;
}

export interface Status {
  organism: string;
  state: string;
  generation: number;
  genomeId: string;
  lastRun: Run | null;
}

export interface ChaosResponse {
  chaos_type: string;
  line: number;
  description: string;
  expect: Verdict[];
  seed: number;
  generation: number;
  genomeId: string;
}

export interface GenomeSummary {
  id: string;
  generation: number;
  cause: string;
  summary: string;
  live: boolean;
  healthy: boolean;
}

export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const REQUEST_TIMEOUT_MS = 15_000;

/** Like fetch, but waits out a 429 (the server limits changes per minute) as its Retry-After says. */
async function fetchPatiently(url: string, init: RequestInit): Promise<Response> {
  for (let attempt = 1; ; attempt++) {
    const res = await fetch(url, { ...init, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    if (res.status !== 429 || attempt >= 5) return res;
    const seconds = Number(res.headers.get('retry-after'));
    await res.arrayBuffer();
    await new Promise((r) => setTimeout(r, (Number.isFinite(seconds) && seconds > 0 ? Math.min(seconds, 60) : 5) * 1000));
  }
}

export async function request<T>(base: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  // A server with OUROBOROS_TOKEN refuses changes (and maybe reads) without it; the one the gauntlet starts
  // inherits the same environment.
  if (process.env.OUROBOROS_TOKEN) headers.authorization = `Bearer ${process.env.OUROBOROS_TOKEN}`;
  const res = await fetchPatiently(`${base}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new ApiError(res.status, 'NOT_JSON', `${body === undefined ? 'GET' : 'POST'} ${path} -> ${res.status}: ${text.slice(0, 200)}`);
  }
  if (!res.ok) {
    const e = json as { code?: string; message?: string };
    throw new ApiError(res.status, e.code ?? 'HTTP_ERROR', `${body === undefined ? 'GET' : 'POST'} ${path} -> ${res.status}: ${e.message ?? text.slice(0, 200)}`);
  }
  return json as T;
}

/** One organism's routes. */
export class OrganismClient {
  constructor(
    readonly base: string,
    readonly name: string,
    /** '' for the top-level routes of a single-organism server, else /organisms/<name>. */
    readonly prefix: string,
  ) {}

  private get<T>(path: string): Promise<T> {
    return request<T>(this.base, `${this.prefix}${path}`);
  }

  status(): Promise<Status> {
    return this.get('/status');
  }

  async runsSince(sinceId: number, limit = 200): Promise<Run[]> {
    return (await this.get<{ runs: Run[] }>(`/runs?since=${sinceId}&limit=${limit}`)).runs;
  }

  async lastRunId(): Promise<number> {
    return (await this.get<{ runs: Run[] }>('/runs?limit=1')).runs.at(-1)?.id ?? 0;
  }

  chaos(type: string, seed: number): Promise<ChaosResponse> {
    return request(this.base, `${this.prefix}/chaos`, { chaos_type: type, seed });
  }

  genome(id: string): Promise<GenomeSummary> {
    return this.get(`/genomes/${id}`);
  }

  genomes(limit: number, offset: number): Promise<{ genomes: GenomeSummary[]; total: number }> {
    return this.get(`/genomes?limit=${limit}&offset=${offset}`);
  }

  async allGenomes(): Promise<GenomeSummary[]> {
    const out: GenomeSummary[] = [];
    for (;;) {
      const page = await this.genomes(500, out.length);
      out.push(...page.genomes);
      if (page.genomes.length === 0 || out.length >= page.total) return out;
    }
  }

  rollback(id: string): Promise<unknown> {
    return request(this.base, `${this.prefix}/genomes/${id}/rollback`, {});
  }
}

export interface Target {
  /** Whether the server runs several organisms (GET /organisms answers). */
  multi: boolean;
  organisms: OrganismClient[];
  types: string[];
}

/** Finds out which organisms and chaos types the server offers. */
export async function discover(base: string): Promise<Target> {
  const { types } = await request<{ types: { type: string }[] }>(base, '/chaos/types');
  const names = await request<{ organisms: { name: string }[] }>(base, '/organisms').then(
    (r) => r.organisms.map((o) => o.name),
    (err: unknown) => {
      if (err instanceof ApiError && err.status === 404) return null;
      throw err;
    },
  );
  if (names) {
    return { multi: true, organisms: names.map((n) => new OrganismClient(base, n, `/organisms/${n}`)), types: types.map((t) => t.type) };
  }
  const { organism } = await request<Status>(base, '/status');
  return { multi: false, organisms: [new OrganismClient(base, organism, '')], types: types.map((t) => t.type) };
}
