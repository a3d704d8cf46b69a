/**
 * Every error the API answers with is declared here, with a stable code and a status, so that clients can
 * branch on the code and people can read the message.
 */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export const errors = {
  unknownChaosType: (given: string, valid: readonly string[]) =>
    new HttpError(400, 'UNKNOWN_CHAOS_TYPE', `Unknown chaos_type "${given}". Valid types: ${valid.join(', ')}.`),
  chaosNotApplicable: (type: string, why: string) =>
    new HttpError(409, 'CHAOS_NOT_APPLICABLE', `Chaos "${type}" cannot be applied to the live genome: ${why}`),
  paused: () =>
    new HttpError(409, 'PAUSED', 'The watcher is paused, so chaos is refused. Resume it with POST /resume first.'),
  busy: (what: string) =>
    new HttpError(409, 'BUSY', `Another change to the genome is in progress (${what}). Try again in a moment.`),
  genomeNotFound: (id: string) =>
    new HttpError(404, 'GENOME_NOT_FOUND', `No genome with id "${id}". List genomes with GET /genomes.`),
  rollbackToLive: (id: string) =>
    new HttpError(409, 'ALREADY_LIVE', `Genome "${id}" is already the live genome; there is nothing to roll back.`),
  rollbackToUnhealthy: (id: string) =>
    new HttpError(
      409,
      'NOT_HEALTHY',
      `Genome "${id}" is not verified (it failed its verification suite or a run, was demoted by a counterexample, or was never judged), so rolling back to it could not be proven safe. Pick a genome marked verified.`,
    ),
  healRefused: (why: string) => new HttpError(409, 'NOTHING_TO_HEAL', `Nothing to heal now: ${why}.`),
  notFound: (method: string, url: string) =>
    new HttpError(404, 'NOT_FOUND', `No route ${method} ${url}. GET / lists the endpoints.`),
} as const;
