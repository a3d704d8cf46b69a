import { describe, expect, it, vi } from 'vitest';
import { ApiError, apiBaseUrl, createApiClient, DEFAULT_API_URL } from './api';
import { makeRun, makeStatus } from '@/test/fixtures';

function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
}

describe('api client', () => {
  it('defaults to localhost:8000 and strips a trailing slash', () => {
    const before = process.env.NEXT_PUBLIC_API_URL;
    delete process.env.NEXT_PUBLIC_API_URL;
    expect(apiBaseUrl()).toBe(DEFAULT_API_URL);
    process.env.NEXT_PUBLIC_API_URL = 'http://10.0.0.1:9000/';
    expect(apiBaseUrl()).toBe('http://10.0.0.1:9000');
    if (before === undefined) delete process.env.NEXT_PUBLIC_API_URL;
    else process.env.NEXT_PUBLIC_API_URL = before;
  });

  it('parses a valid answer and builds query strings', async () => {
    const fetchMock = vi.fn(async (_url: RequestInfo | URL, _init?: RequestInit) => json({ runs: [makeRun(8)], count: 1 }));
    const api = createApiClient('http://api.test/', fetchMock);
    const res = await api.runs({ limit: 60, since: 7 });
    expect(res.runs[0]?.id).toBe(8);
    expect(String(fetchMock.mock.calls[0]?.[0])).toBe('http://api.test/runs?limit=60&since=7');
    await api.runs({ limit: 60, since: null });
    expect(String(fetchMock.mock.calls[1]?.[0])).toBe('http://api.test/runs?limit=60');
  });

  it('asks for the audit trail and the alerts at the top level, whichever organism is in view', async () => {
    const fetchMock = vi.fn(async (url: RequestInfo | URL) =>
      String(url).includes('/audit')
        ? json({ entries: [], next: null })
        : json({ enabled: false, signed: false, webhooks: [], pending: 0, failed: 0, alerts: [] }),
    );
    const sieve = createApiClient('http://api.test', fetchMock).forOrganism('prime-sieve');
    expect(await sieve.audit!({ before: 41, limit: 20 })).toEqual({ entries: [], next: null });
    expect((await sieve.alerts!({ limit: 8 })).enabled).toBe(false);
    expect(fetchMock.mock.calls.map((c) => String(c[0]))).toEqual(['http://api.test/audit?before=41&limit=20', 'http://api.test/alerts?limit=8']);
  });

  it('scopes organism resources under /organisms/:name and keeps the catalogue and the list at the top', async () => {
    const fetchMock = vi.fn(async (_url: RequestInfo | URL, _init?: RequestInit) => json({ runs: [], count: 0 }));
    const root = createApiClient('http://api.test', fetchMock);
    expect(root.forOrganism(null)).toBe(root);
    const sieve = root.forOrganism('prime-sieve');
    expect(sieve.organism).toBe('prime-sieve');
    await sieve.runs({ limit: 5 });
    await sieve.rollback('abc').catch(() => {});
    await sieve.chaosTypes().catch(() => {});
    await sieve.organisms().catch(() => {});
    expect(fetchMock.mock.calls.map((c) => String(c[0]))).toEqual([
      'http://api.test/organisms/prime-sieve/runs?limit=5',
      'http://api.test/organisms/prime-sieve/genomes/abc/rollback',
      'http://api.test/chaos/types',
      'http://api.test/organisms',
    ]);
  });

  it('sends the tab\'s token as a bearer header when there is one, and none otherwise', async () => {
    const fetchMock = vi.fn(async (_url: RequestInfo | URL, _init?: RequestInit) => json({ runs: [], count: 0 }));
    let token: string | null = null;
    const api = createApiClient('http://api.test', fetchMock, undefined, null, () => token);
    await api.runs();
    token = 'tab-token';
    await api.forOrganism('prime-sieve').runs();
    const headers = fetchMock.mock.calls.map((c) => (c[1]?.headers ?? {}) as Record<string, string>);
    expect(headers[0]?.authorization).toBeUndefined();
    expect(headers[1]?.authorization).toBe('Bearer tab-token');
  });

  it('turns an error body into an ApiError carrying the backend message and code', async () => {
    const api = createApiClient('http://api.test', async () =>
      json({ statusCode: 400, code: 'UNKNOWN_CHAOS_TYPE', message: 'Unknown chaos type "x"; valid: off-by-one, random.' }, 400),
    );
    const err = await api.triggerChaos('x').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ kind: 'http', status: 400, code: 'UNKNOWN_CHAOS_TYPE' });
    expect((err as ApiError).message).toContain('valid: off-by-one');
  });

  it('sends chaos_type as JSON and an empty object for random', async () => {
    const fetchMock = vi.fn(async (_url: RequestInfo | URL, _init?: RequestInit) =>
      json({ message: 'd', chaos_type: 'random', line: 1, before: 'a', after: 'b', description: 'd', expect: ['crashed'], seed: 3, generation: 1, genomeId: 'g' }),
    );
    const api = createApiClient('http://api.test', fetchMock);
    await api.triggerChaos('off-by-one');
    await api.triggerChaos();
    expect(fetchMock.mock.calls[0]?.[1]?.body).toBe('{"chaos_type":"off-by-one"}');
    expect(fetchMock.mock.calls[1]?.[1]?.body).toBe('{}');
    expect(fetchMock.mock.calls[1]?.[1]?.method).toBe('POST');
  });

  it('reports an unreachable backend as a network error naming the URL', async () => {
    const api = createApiClient('http://api.test', async () => {
      throw new TypeError('Failed to fetch');
    });
    const err = await api.status().catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: 'network' });
    expect((err as Error).message).toContain('http://api.test');
  });

  it('times out a request that never answers', async () => {
    const api = createApiClient(
      'http://api.test',
      (_url, init) =>
        new Promise<Response>((_resolve, reject) => {
          init?.signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')));
        }),
      20,
    );
    const err = await api.status().catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: 'network' });
    expect((err as Error).message).toContain('no answer within');
  });

  it('takes a state it has no colour for, as a newer backend may send', async () => {
    const api = createApiClient('http://api.test', async () => json({ ...makeStatus(), state: 'verifying' }));
    expect((await api.status()).state).toBe('verifying');
  });

  it('reports a contract break as a contract error naming the field', async () => {
    const api = createApiClient('http://api.test', async () => json({ ...makeStatus(), state: 42 }));
    const err = await api.status().catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: 'contract', endpoint: 'GET /status' });
    expect((err as Error).message).toContain('state');
  });

  it('describes an error status without a JSON body', async () => {
    const api = createApiClient('http://api.test', async () => new Response('Bad Gateway', { status: 502 }));
    const err = await api.genomes().catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: 'http', status: 502 });
    expect((err as Error).message).toContain('HTTP 502');
  });
});
