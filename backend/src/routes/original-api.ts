/**
 * The fields and routes of the original Ouroboros (Python, FastAPI), served beside ours so that its clients (its
 * dashboard and its test script) run unmodified against this backend. Ours stay as they are; where a name clashes
 * (`endpoints` in GET /, `status` in GET /health) ours win, since no original client reads those two.
 *
 * The shapes, as the original's clients read them (see README, "Compatible with the original Ouroboros clients"):
 *   GET /status   status ALIVE | CRASHED | MUTATING, generation, last_mutation (a string, "None" before any),
 *                 crash_count, successful_runs, avg_execution_time and recent_execution_times (the last five) in
 *                 seconds, uptime (whole seconds), last_error (string or null)
 *   GET /logs     logs: one string a line, count
 *   GET /         project, status "alive", message
 *   GET /genome   versions: [{ generation, timestamp, context }], count
 *   POST /chaos   message, chaos_type
 */
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { OrganismState } from '../domain.js';
import type { GenomeRow, RunRow } from '../genome/store.js';
import type { StatusSnapshot } from '../watcher/supervisor.js';
import { ApiErrorBodySchema as ErrorBody } from '@ouroboros/contract';
import { queryInt } from './query-int.js';
import type { OrganismScope } from './scope.js';

export const ORIGINAL_STATUSES = ['ALIVE', 'CRASHED', 'MUTATING'] as const;
export type OriginalStatus = (typeof ORIGINAL_STATUSES)[number];

/**
 * Our states in the original's three words (the colour of its badge): running and answering, failing, or being
 * rewritten. One entry per state: a new state needs one here.
 */
export const ORIGINAL_STATUS: Readonly<Record<OrganismState, OriginalStatus>> = {
  healthy: 'ALIVE',
  sick: 'CRASHED',
  healing: 'MUTATING',
  // A new genome being checked against its suite: not yet trusted, not failing either; the change is still under way.
  verifying: 'MUTATING',
  backoff: 'CRASHED',
  quarantined: 'CRASHED',
  // Paused: no runs and no chaos; what was last known of the genome stands.
  paused: 'ALIVE',
};

/** How many recent run times the original reports. */
export const RECENT_RUNS = 5;

export const OriginalStatusFields = z.object({
  status: z.enum(ORIGINAL_STATUSES).describe('original clients: ALIVE, CRASHED or MUTATING'),
  last_mutation: z.string().describe('original clients: the last mutation in words, "None" before any'),
  crash_count: z.number().int().describe('original clients: failed runs'),
  successful_runs: z.number().int().describe('original clients: passing runs'),
  avg_execution_time: z.number().describe('original clients: average run time, in seconds (0 before any run)'),
  recent_execution_times: z.array(z.number()).describe(`original clients: the last ${RECENT_RUNS} run times, in seconds, oldest first`),
  uptime: z.number().int().describe('original clients: seconds since the server started'),
  last_error: z.string().nullable().describe('original clients: the last failure, or null'),
});
export type OriginalStatusFields = z.infer<typeof OriginalStatusFields>;

const seconds = (ms: number) => Math.round(ms) / 1000;

/** The original's /status fields, from our status and the organism's most recent runs. */
export function originalStatus(s: StatusSnapshot, recent: readonly Pick<RunRow, 'durationMs'>[]): OriginalStatusFields {
  return {
    status: ORIGINAL_STATUS[s.state],
    last_mutation: s.lastMutation ? `${s.lastMutation.cause} (generation ${s.lastMutation.generation}): ${s.lastMutation.summary}` : 'None',
    crash_count: s.stats.failures,
    successful_runs: s.stats.successes,
    avg_execution_time: s.stats.avgMs === null ? 0 : seconds(s.stats.avgMs),
    recent_execution_times: recent.slice(-RECENT_RUNS).map((r) => seconds(r.durationMs)),
    uptime: Math.floor(s.uptimeS),
    last_error: s.lastError?.error ?? null,
  };
}

/** One log entry as the original's one terminal line. */
export function originalLogLine(e: { time: string; level: string; source: string; text: string }): string {
  return `[${e.time}] ${e.level.toUpperCase()} ${e.source}: ${e.text}`;
}

/** A genome as one of the original's versions. */
export function originalVersion(g: Pick<GenomeRow, 'generation' | 'createdAt' | 'cause' | 'summary'>): { generation: number; timestamp: string; context: string } {
  return { generation: g.generation, timestamp: g.createdAt, context: `${g.cause}: ${g.summary}` };
}

/** The original's answer to POST /chaos, in words. */
export function originalChaosMessage(r: { description: string; generation: number }): string {
  return `Chaos injected: ${r.description} (generation ${r.generation})`;
}

/**
 * The last few run times of an organism, read from the store once per new run rather than once per poll (a
 * thousand dashboards poll /status every second).
 */
export class RecentRunTimes {
  private readonly cache = new Map<string, { lastRunId: number | null; runs: RunRow[] }>();

  constructor(private readonly read: (organism: string, limit: number) => RunRow[]) {}

  of(organism: string, lastRunId: number | null): RunRow[] {
    const hit = this.cache.get(organism);
    if (hit && hit.lastRunId === lastRunId) return hit.runs;
    const runs = lastRunId === null ? [] : this.read(organism, RECENT_RUNS);
    this.cache.set(organism, { lastRunId, runs });
    return runs;
  }
}

/** GET /genome: the original's list of versions, the newest `limit` (10 unless asked), oldest first. */
export const originalGenomeRoutes: FastifyPluginAsync<OrganismScope> = async (app, { resolve }) => {
  app.withTypeProvider<ZodTypeProvider>().get(
    '/genome',
    {
      schema: {
        summary: 'The newest versions of the genome as the original Ouroboros clients read them (ours: GET /genomes)',
        querystring: z.strictObject({ limit: queryInt(1, 100).optional() }),
        response: {
          200: z.object({
            versions: z.array(z.object({ generation: z.number().int(), timestamp: z.string(), context: z.string() })),
            count: z.number().int(),
          }),
          400: ErrorBody,
        },
      },
    },
    async (req) => {
      const versions = app.store.listGenomes(resolve(req).name, req.query.limit ?? 10, 0).reverse().map(originalVersion);
      return { versions, count: versions.length };
    },
  );
};
