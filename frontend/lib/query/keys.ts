/**
 * Query keys. Backend-wide answers (chaos types, organisms, the connection) are keyed by the backend's URL; the
 * rest by the backend and the organism in view, so switching organisms starts that organism's history afresh
 * while an invalidation of one organism's scope leaves the others alone.
 */
import type { ApiClient } from '../api';

type Client = Pick<ApiClient, 'baseUrl' | 'organism'>;

export const backendKey = (api: Client) => ['ouroboros', api.baseUrl] as const;
export const scopeKey = (api: Client) => [...backendKey(api), 'organism', api.organism ?? ''] as const;

export const keys = {
  connection: (api: Client) => [...backendKey(api), 'connection'] as const,
  /** How the organism in view is followed: its live event stream, or polling (see useEventStream). */
  transport: (api: Client) => [...scopeKey(api), 'transport'] as const,
  /** The organism's newest state changes as the stream told them, oldest first. */
  transitions: (api: Client) => [...scopeKey(api), 'transitions'] as const,
  accessRefused: ['ouroboros', 'access-refused'] as const,
  chaosTypes: (api: Client) => [...backendKey(api), 'chaos-types'] as const,
  organisms: (api: Client) => [...backendKey(api), 'organisms'] as const,
  status: (api: Client) => [...scopeKey(api), 'status'] as const,
  runs: (api: Client) => [...scopeKey(api), 'runs'] as const,
  logs: (api: Client) => [...scopeKey(api), 'logs'] as const,
  /** Every page of the genome history; `changeKey` says what it was asked for (see useGenomes). */
  genomes: (api: Client, changeKey?: string) =>
    changeKey === undefined ? ([...scopeKey(api), 'genomes'] as const) : ([...scopeKey(api), 'genomes', changeKey] as const),
  genome: (api: Client, id: string) => [...scopeKey(api), 'genome', id] as const,
  evolution: (api: Client) => [...scopeKey(api), 'evolution'] as const,
  proposals: (api: Client) => [...scopeKey(api), 'proposals'] as const,
  /** A page of the audit trail (server-wide): `before` null is the newest. */
  audit: (api: Client, before: number | null) => [...backendKey(api), 'audit', before ?? 'newest'] as const,
  alerts: (api: Client) => [...backendKey(api), 'alerts'] as const,
  counterexamples: (api: Client, fingerprint: string | null) => [...scopeKey(api), 'counterexamples', fingerprint ?? ''] as const,
};
