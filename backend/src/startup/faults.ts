import type { FastifyInstance, FastifyReply } from 'fastify';
import { errors } from '../errors.js';
import { SourceTooLarge } from '../files/source-size.js';
import { StaleLiveGenomeError } from '../genome/store.js';
import { storageFailureBody } from './storage-guard.js';

/**
 * The faults a request can meet that are not its own mistake, answered with a status that says so instead of a 500:
 *
 * - a storage failure (a full disk, a read-only file system, a locked or damaged store): 503 STORAGE_UNAVAILABLE,
 *   naming the file and the problem, and remembered for /health;
 * - a change that lost the race for the live genome (a heal, chaos or an outside edit was promoted while it waited
 *   its turn): 409 BUSY, nothing changed; the client may try again on the new live genome;
 * - a genome that would be over MAX_SOURCE_BYTES (chaos that grows a large genome): 422 SOURCE_TOO_LARGE, nothing changed.
 *
 * Returns null for any other error.
 */
export function replyFault(app: FastifyInstance, err: unknown, reply: FastifyReply): FastifyReply | null {
  if (err instanceof StaleLiveGenomeError) {
    const e = errors.busy(`genome ${err.actual ?? '?'} became live while this change waited its turn; nothing was changed`);
    return reply.code(e.statusCode).send({ statusCode: e.statusCode, code: e.code, message: e.message });
  }
  if (err instanceof SourceTooLarge) {
    const message = `${err.message}; nothing was changed. Raise MAX_SOURCE_BYTES if genomes this large are meant to be.`;
    return reply.code(422).send({ statusCode: 422, code: 'SOURCE_TOO_LARGE', message });
  }
  const body = storageFailureBody(err);
  if (!body) return null;
  if (app.hasDecorator('storage')) app.storage.note(body.fault);
  reply.request.log.warn({ err }, 'storage failure');
  return reply.code(503).send({ statusCode: body.statusCode, code: body.code, message: body.message });
}
