import type { FastifyInstance } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { domainAnswer, errors, sendError } from './errors.js';
import { storageFailureBody } from './storage-guard.js';

/**
 * Every error becomes the API's one shape, `{ statusCode, code, message }`: the errors of the table (errors.ts),
 * a storage failure (503 naming the problem, remembered for /health), an invalid request (400 naming each field),
 * Fastify's own 4xx (a body too large...), else 500 with the details only in the log. An unknown route is 404.
 */
export function registerErrorHandlers(app: FastifyInstance): void {
  app.setErrorHandler((err, req, reply) => {
    const known = domainAnswer(err);
    if (known) return sendError(reply, known.code, known.message);
    const storage = storageFailureBody(err);
    if (storage) {
      if (app.hasDecorator('storage')) app.storage.note(storage.fault);
      req.log.warn({ err }, 'storage failure');
      return sendError(reply, storage.code, storage.message);
    }
    if (hasZodFastifySchemaValidationErrors(err)) {
      const where = err.validationContext ?? 'request';
      const message = err.validation
        .map((i) => {
          const field = i.instancePath.split('/').filter(Boolean).join('.');
          return `${field ? `${where}.${field}` : where}: ${i.message}`;
        })
        .join('; ');
      return sendError(reply, 'INVALID_REQUEST', `Invalid request. ${message}`);
    }
    const status = (err as { statusCode?: number }).statusCode;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      const code = (err as { code?: string }).code ?? 'BAD_REQUEST';
      return reply.code(status).send({ statusCode: status, code, message: (err as Error).message });
    }
    req.log.error({ err }, 'request failed');
    return sendError(reply, 'INTERNAL', 'The server failed to answer this request; the details are in its log.');
  });
  app.setNotFoundHandler((req, reply) => {
    const e = errors.notFound(req.method, req.url.split('?')[0] ?? req.url);
    return sendError(reply, e.code, e.message);
  });
}
