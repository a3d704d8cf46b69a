/**
 * The one client for the Ouroboros REST API. Every answer is parsed with its zod schema;
 * every failure becomes an ApiError that says what happened in words a person can act on.
 */
import { z } from 'zod';
import {
  AlertsResponseSchema,
  ApiErrorBodySchema,
  AuditResponseSchema,
  ChaosResultSchema,
  ChaosTypesResponseSchema,
  CounterexamplesResponseSchema,
  EvolutionViewSchema,
  EvolveResultSchema,
  GenomeDetailSchema,
  GenomesResponseSchema,
  LogsResponseSchema,
  ProposalDecisionSchema,
  ProposalsResponseSchema,
  RollbackResultSchema,
  RunsResponseSchema,
  type AlertsResponse,
  type AuditResponse,
  type ChaosResult,
  type ChaosTypesResponse,
  type CounterexamplesResponse,
  type EvolutionSource,
  type EvolutionView,
  type EvolveResult,
  type GenomeDetail,
  type GenomesResponse,
  type LogsResponse,
  type ProposalDecision,
  type ProposalsResponse,
  type RollbackResult,
  type RunsResponse,
} from '@ouroboros/contract';
import { OrganismsReadSchema as OrganismsResponseSchema, StatusSchema, type OrganismsResponse, type Status } from './tolerant-schemas';
import { apiBaseUrl } from './api-url';
import { readToken } from './token';

export { apiBaseUrl, DEFAULT_API_URL } from './api-url';
export const REQUEST_TIMEOUT_MS = 4000;

/**
 * - network: the backend could not be reached (refused, DNS, CORS, timeout).
 * - http: the backend answered with an error status (its message is in `message`).
 * - contract: the backend answered 2xx but the body does not match the contract.
 */
export type ApiErrorKind = 'network' | 'http' | 'contract';

export class ApiError extends Error {
  readonly kind: ApiErrorKind;
  readonly status: number | null;
  readonly code: string | null;
  readonly endpoint: string;

  constructor(opts: {
    kind: ApiErrorKind;
    message: string;
    endpoint: string;
    status?: number | null;
    code?: string | null;
  }) {
    super(opts.message);
    this.name = 'ApiError';
    this.kind = opts.kind;
    this.endpoint = opts.endpoint;
    this.status = opts.status ?? null;
    this.code = opts.code ?? null;
  }
}

export function isApiError(e: unknown): e is ApiError {
  return e instanceof ApiError;
}

/** The backend wants a token this tab has not given, or gave wrong (not: the server has none configured). */
export function needsToken(e: unknown): boolean {
  return e instanceof ApiError && e.status === 401;
}

/** A readable sentence for any thrown value. */
export function errorMessage(e: unknown): string {
  if (e instanceof Error) return e.message;
  return String(e);
}

type Query = Record<string, string | number | undefined | null>;

function withQuery(path: string, query?: Query): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v !== undefined && v !== null) params.set(k, String(v));
  }
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

export interface ApiClient {
  readonly baseUrl: string;
  /** The organism this client's status, logs, runs, chaos and genomes are about; null for the default one. */
  readonly organism: string | null;
  /** The same client, for another organism (null: the backend's default organism). */
  forOrganism(name: string | null): ApiClient;
  organisms(signal?: AbortSignal): Promise<OrganismsResponse>;
  status(signal?: AbortSignal): Promise<Status>;
  runs(q?: { limit?: number; since?: number | null }, signal?: AbortSignal): Promise<RunsResponse>;
  logs(q?: { limit?: number; since?: number | null }, signal?: AbortSignal): Promise<LogsResponse>;
  chaosTypes(signal?: AbortSignal): Promise<ChaosTypesResponse>;
  triggerChaos(chaosType?: string): Promise<ChaosResult>;
  genomes(q?: { limit?: number; offset?: number }, signal?: AbortSignal): Promise<GenomesResponse>;
  genome(id: string, signal?: AbortSignal): Promise<GenomeDetail>;
  rollback(id: string): Promise<RollbackResult>;
  /**
   * Evolution (optional, so that partial clients and test doubles need not implement it): the progress and the
   * lineage, starting a run and cancelling it.
   */
  evolution?(signal?: AbortSignal): Promise<EvolutionView>;
  /** The immune memory (optional, like evolution): every counterexample, shrunk, and the suite it is part of. */
  counterexamples?(signal?: AbortSignal): Promise<CounterexamplesResponse>;
  /** The audit trail, newest first, a page at a time (optional, like evolution): `before` is the last page's `next`. */
  audit?(q?: { before?: number | null; limit?: number }, signal?: AbortSignal): Promise<AuditResponse>;
  /** The newest alerts sent to the webhooks and their deliveries (optional, like evolution). */
  alerts?(q?: { limit?: number }, signal?: AbortSignal): Promise<AlertsResponse>;
  evolve?(options?: EvolveOptions): Promise<EvolveResult>;
  cancelEvolution?(): Promise<EvolveResult>;
  /**
   * Approval mode (optional, like evolution): the pending proposals (at the top level every organism's, under an
   * organism its own), and the decision on one.
   */
  pendingProposals?(signal?: AbortSignal): Promise<ProposalsResponse>;
  decideProposal?(id: number, decision: 'approve' | 'reject'): Promise<ProposalDecision>;
  /**
   * The organism's live event stream (GET …/events, Server-Sent Events) from after event `since` (null: from now):
   * the open body, to be read until `signal` aborts it. Optional, like evolution: without it the page polls.
   */
  events?(since: number | null, signal: AbortSignal): Promise<ReadableStream<Uint8Array>>;
}

/** What POST /evolve accepts; every field is optional (the backend's defaults). */
export interface EvolveOptions {
  generations?: number;
  population?: number;
  timeBudgetMs?: number;
  margin?: number;
  sources?: EvolutionSource[];
  seed?: number;
}

export function createApiClient(
  baseUrl: string = apiBaseUrl(),
  fetchImpl: typeof fetch = (...args) => fetch(...args),
  timeoutMs: number = REQUEST_TIMEOUT_MS,
  organism: string | null = null,
  token: () => string | null = readToken,
): ApiClient {
  const base = baseUrl.replace(/\/+$/, '');
  // The default organism answers at the top level; any other under /organisms/:name.
  const scoped = organism === null ? '' : `/organisms/${encodeURIComponent(organism)}`;

  async function request<T>(
    method: 'GET' | 'POST',
    path: string,
    schema: z.ZodType<T>,
    opts: { body?: unknown; signal?: AbortSignal } = {},
  ): Promise<T> {
    const endpoint = `${method} ${path.split('?')[0]}`;
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, timeoutMs);
    const onOuterAbort = () => controller.abort();
    opts.signal?.addEventListener('abort', onOuterAbort, { once: true });

    let res: Response;
    let text: string;
    try {
      const headers: Record<string, string> = {};
      const bearer = token();
      if (bearer !== null) headers.authorization = `Bearer ${bearer}`;
      if (opts.body !== undefined) headers['content-type'] = 'application/json';
      const init: RequestInit = { method, signal: controller.signal, cache: 'no-store', headers };
      if (opts.body !== undefined) init.body = JSON.stringify(opts.body);
      res = await fetchImpl(`${base}${path}`, init);
      // The deadline covers the body too: a body that stalls must not leave a panel loading for ever.
      text = await res.text();
    } catch (e) {
      const why = timedOut
        ? `no answer within ${timeoutMs / 1000} s`
        : opts.signal?.aborted
          ? 'request cancelled'
          : errorMessage(e);
      throw new ApiError({
        kind: 'network',
        endpoint,
        message: `Cannot reach the backend at ${base} (${why}).`,
      });
    } finally {
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onOuterAbort);
    }

    let payload: unknown = undefined;
    if (text !== '') {
      try {
        payload = JSON.parse(text);
      } catch {
        payload = undefined;
      }
    }

    if (!res.ok) {
      const body = ApiErrorBodySchema.safeParse(payload);
      if (body.success) {
        throw new ApiError({
          kind: 'http',
          endpoint,
          status: res.status,
          code: body.data.code,
          message: body.data.message,
        });
      }
      throw new ApiError({
        kind: 'http',
        endpoint,
        status: res.status,
        message: `${endpoint} failed with HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''}.`,
      });
    }

    if (payload === undefined) {
      throw new ApiError({
        kind: 'contract',
        endpoint,
        status: res.status,
        message: `${endpoint} answered HTTP ${res.status} without a JSON body.`,
      });
    }
    const parsed = schema.safeParse(payload);
    if (!parsed.success) {
      throw new ApiError({
        kind: 'contract',
        endpoint,
        status: res.status,
        message: `${endpoint} answered in an unexpected shape: ${z.prettifyError(parsed.error)}`,
      });
    }
    return parsed.data;
  }

  async function openEvents(since: number | null, signal: AbortSignal): Promise<ReadableStream<Uint8Array>> {
    const endpoint = `GET ${scoped}/events`;
    const headers: Record<string, string> = { accept: 'text/event-stream' };
    const bearer = token();
    if (bearer !== null) headers.authorization = `Bearer ${bearer}`;
    let res: Response;
    try {
      res = await fetchImpl(`${base}${withQuery(`${scoped}/events`, { since })}`, { signal, cache: 'no-store', headers });
    } catch (e) {
      throw new ApiError({ kind: 'network', endpoint, message: `Cannot open the event stream of ${base} (${signal.aborted ? 'request cancelled' : errorMessage(e)}).` });
    }
    if (!res.ok || !res.body) {
      const body = ApiErrorBodySchema.safeParse(await res.json().catch(() => undefined));
      throw new ApiError({ kind: 'http', endpoint, status: res.status, code: body.success ? body.data.code : undefined, message: body.success ? body.data.message : `${endpoint} failed with HTTP ${res.status}.` });
    }
    return res.body;
  }

  const self: ApiClient = {
    events: openEvents,
    baseUrl: base,
    organism,
    forOrganism: (name) => (name === organism ? self : createApiClient(base, fetchImpl, timeoutMs, name, token)),
    organisms: (signal) => request('GET', '/organisms', OrganismsResponseSchema, { signal }),
    status: (signal) => request('GET', `${scoped}/status`, StatusSchema, { signal }),
    runs: (q = {}, signal) =>
      request('GET', withQuery(`${scoped}/runs`, { limit: q.limit, since: q.since }), RunsResponseSchema, { signal }),
    logs: (q = {}, signal) =>
      request('GET', withQuery(`${scoped}/logs`, { limit: q.limit, since: q.since }), LogsResponseSchema, { signal }),
    chaosTypes: (signal) => request('GET', '/chaos/types', ChaosTypesResponseSchema, { signal }),
    triggerChaos: (chaosType) =>
      request('POST', `${scoped}/chaos`, ChaosResultSchema, {
        body: chaosType ? { chaos_type: chaosType } : {},
      }),
    genomes: (q = {}, signal) =>
      request('GET', withQuery(`${scoped}/genomes`, { limit: q.limit, offset: q.offset }), GenomesResponseSchema, {
        signal,
      }),
    genome: (id, signal) =>
      request('GET', `${scoped}/genomes/${encodeURIComponent(id)}`, GenomeDetailSchema, { signal }),
    rollback: (id) => request('POST', `${scoped}/genomes/${encodeURIComponent(id)}/rollback`, RollbackResultSchema),
    evolution: (signal) => request('GET', `${scoped}/evolution`, EvolutionViewSchema, { signal }),
    counterexamples: (signal) => request('GET', `${scoped}/counterexamples`, CounterexamplesResponseSchema, { signal }),
    // The trail and the alerts are the server's, whichever organism is in view.
    audit: (q = {}, signal) => request('GET', withQuery('/audit', { before: q.before, limit: q.limit }), AuditResponseSchema, { signal }),
    alerts: (q = {}, signal) => request('GET', withQuery('/alerts', { limit: q.limit }), AlertsResponseSchema, { signal }),
    evolve: (options = {}) => request('POST', `${scoped}/evolve`, EvolveResultSchema, { body: options }),
    cancelEvolution: () => request('POST', `${scoped}/evolve/cancel`, EvolveResultSchema),
    pendingProposals: (signal) => request('GET', `${scoped}/proposals?status=pending`, ProposalsResponseSchema, { signal }),
    decideProposal: (id, decision) => request('POST', `${scoped}/proposals/${id}/${decision}`, ProposalDecisionSchema),
  };
  return self;
}
