import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Config } from '../config.js';
import { HttpError } from '../errors.js';
import { bearerToken, isLoopback, tokensMatch } from './token.js';

const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
/** Always answers, token or not: the platform's health check has none. */
const ALWAYS_OPEN = new Set(['/health']);

export function changesSomething(req: FastifyRequest): boolean {
  return !READ_METHODS.has(req.method);
}

/** A route (one method or several) that can only read. */
export function onlyReads(method: string | readonly string[]): boolean {
  return (typeof method === 'string' ? [method] : method).every((m) => READ_METHODS.has(m.toUpperCase()));
}

/**
 * Who may change code. Every route that is not a read needs `Authorization: Bearer <OUROBOROS_TOKEN>`;
 * reads need it too with OUROBOROS_PROTECT_READS. Without a token configured, changes are allowed only
 * while the server listens on loopback (local development). Runs on onRequest, before the body is even
 * parsed, so an unauthorised request learns nothing about what its body would have done.
 */
const guard: FastifyPluginAsync<{ config: Config }> = async (app, { config }) => {
  const openWithoutToken = isLoopback(config.host);
  // A callback hook, not an async one: it runs on every request, and most of them are reads it lets through.
  app.addHook('onRequest', (req, _reply, done) => done(refusal(req, config, openWithoutToken) ?? undefined));
};

/** Why this request may not go on, or null when it may. */
function refusal(req: FastifyRequest, config: Config, openWithoutToken: boolean): HttpError | null {
  if (req.method === 'OPTIONS' || ALWAYS_OPEN.has(req.routeOptions.url ?? '')) return null;
  const mutation = changesSomething(req);
  if (!mutation && !config.protectReads) return null;
  if (config.token === null) {
    if (openWithoutToken || !mutation) return null;
    return new HttpError(
      403,
      'TOKEN_REQUIRED',
      `This server listens on ${config.host} without OUROBOROS_TOKEN, so routes that change code are refused. ` +
        'Set OUROBOROS_TOKEN to a long random secret (for example the output of `openssl rand -hex 32`), restart, and send it as `Authorization: Bearer <token>`.',
    );
  }
  const given = bearerToken(req.headers.authorization);
  if (given === null) {
    return new HttpError(401, 'UNAUTHORIZED', `${mutation ? 'This route changes code' : 'Reads are protected on this server'}: send the server's token as \`Authorization: Bearer <OUROBOROS_TOKEN>\`.`);
  }
  if (!tokensMatch(given, config.token)) {
    return new HttpError(401, 'UNAUTHORIZED', 'The bearer token does not match OUROBOROS_TOKEN; nothing was changed.');
  }
  return null;
}

export const requestGuard = fp(guard, { name: 'request-guard' });
