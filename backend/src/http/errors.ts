import type { FastifyReply } from 'fastify';
import { DomainError, type DomainErrorCode } from '../errors.js';
import { SourceTooLarge } from '../files/source-size.js';
import { StaleLiveGenomeError } from '../genome/store.js';

/**
 * Every error code the API answers with, and its status: clients branch on the code, people read the message.
 * A domain error's code missing here fails the typecheck (`satisfies`), so none can reach a client as a 500.
 */
export const ERROR_STATUS = {
  // The request itself.
  INVALID_REQUEST: 400,
  UNKNOWN_CHAOS_TYPE: 400,
  INVALID_ORGANISM_NAME: 400,
  INVALID_CURSOR: 400,
  INVALID_EVENT_TYPES: 400,
  UNAUTHORIZED: 401,
  HOST_NOT_ALLOWED: 403,
  ORIGIN_NOT_ALLOWED: 403,
  TOKEN_REQUIRED: 403,
  NOT_FOUND: 404,
  GENOME_NOT_FOUND: 404,
  ORGANISM_NOT_FOUND: 404,
  PROPOSAL_NOT_FOUND: 404,
  SOURCE_TOO_LARGE: 422,
  RATE_LIMITED: 429,
  TOO_MANY_STREAMS: 429,
  // The state of the organism or the server.
  CHAOS_NOT_APPLICABLE: 409,
  PAUSED: 409,
  BUSY: 409,
  ALREADY_LIVE: 409,
  NOT_HEALTHY: 409,
  NOTHING_TO_HEAL: 409,
  NO_FITNESS: 409,
  SHUTTING_DOWN: 409,
  EVOLUTION_RUNNING: 409,
  NO_EVOLUTION_RUNNING: 409,
  LLM_NOT_CONFIGURED: 409,
  PROPOSAL_DECIDED: 409,
  PROPOSAL_STALE: 409,
  INTERNAL: 500,
  STORAGE_UNAVAILABLE: 503,
} as const satisfies Record<string, number>;
export type ErrorCode = keyof typeof ERROR_STATUS;
// Every domain code has a status.
const _everyDomainCode: Record<DomainErrorCode, number> = ERROR_STATUS;
void _everyDomainCode;

/** An error answered to the client as it is: its code's status, the code, the message. */
export class ApiError extends Error {
  override name = 'ApiError';

  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }

  get statusCode(): number {
    return ERROR_STATUS[this.code];
  }
}

/** The API's one error shape. */
export function sendError(reply: FastifyReply, code: ErrorCode, message: string): FastifyReply {
  const statusCode = ERROR_STATUS[code];
  return reply.code(statusCode).send({ statusCode, code, message });
}

/** The errors routes answer with, each message saying what to do next. */
export const errors = {
  unknownChaosType: (given: string, valid: readonly string[]) =>
    new ApiError('UNKNOWN_CHAOS_TYPE', `Unknown chaos_type "${given}". Valid types: ${valid.join(', ')}.`),
  chaosNotApplicable: (type: string, why: string) =>
    new ApiError('CHAOS_NOT_APPLICABLE', `Chaos "${type}" cannot be applied to the live genome: ${why}`),
  paused: () => new ApiError('PAUSED', 'The watcher is paused, so chaos is refused. Resume it with POST /resume first.'),
  busy: (what: string) => new ApiError('BUSY', `Another change to the genome is in progress (${what}). Try again in a moment.`),
  genomeNotFound: (id: string) => new ApiError('GENOME_NOT_FOUND', `No genome with id "${id}". List genomes with GET /genomes.`),
  rollbackToLive: (id: string) =>
    new ApiError('ALREADY_LIVE', `Genome "${id}" is already the live genome; there is nothing to roll back.`),
  rollbackToUnhealthy: (id: string) =>
    new ApiError(
      'NOT_HEALTHY',
      `Genome "${id}" is not verified (it failed its verification suite or a run, was demoted by a counterexample, or was never judged), so rolling back to it could not be proven safe. Pick a genome marked verified.`,
    ),
  healRefused: (why: string) => new ApiError('NOTHING_TO_HEAL', `Nothing to heal now: ${why}.`),
  notFound: (method: string, url: string) => new ApiError('NOT_FOUND', `No route ${method} ${url}. GET / lists the endpoints.`),
  invalidCursor: (why: string) => new ApiError('INVALID_CURSOR', why),
  tooManyStreams: (max: number) =>
    new ApiError(
      'TOO_MANY_STREAMS',
      `This address already holds ${max} open event streams (EVENTS_MAX_STREAMS_PER_CLIENT): close one (a dashboard tab holds one), or raise the limit.`,
    ),
  invalidEventTypes: (why: string) => new ApiError('INVALID_EVENT_TYPES', why),
} as const;

/**
 * The answer for an error domain code raised, or null when it is not one:
 * - a domain error: its code;
 * - a change that lost the race for the live genome (a heal, chaos or an outside edit was promoted while it waited
 *   its turn): 409 BUSY, nothing changed; the client may try again on the new live genome;
 * - a genome that would be over MAX_SOURCE_BYTES (chaos that grows a large genome): 422 SOURCE_TOO_LARGE.
 */
export function domainAnswer(err: unknown): ApiError | null {
  if (err instanceof ApiError) return err;
  if (err instanceof DomainError) return new ApiError(err.code, err.message);
  if (err instanceof StaleLiveGenomeError) {
    return errors.busy(`genome ${err.actual ?? '?'} became live while this change waited its turn; nothing was changed`);
  }
  if (err instanceof SourceTooLarge) {
    return new ApiError('SOURCE_TOO_LARGE', `${err.message}; nothing was changed. Raise MAX_SOURCE_BYTES if genomes this large are meant to be.`);
  }
  return null;
}
