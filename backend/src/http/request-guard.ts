import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Config } from '../config.js';
import { ApiError } from './errors.js';
import { AuthFailures } from './auth-failures.js';
import { hostAllowed, hostName, judgeOrigin } from './origin.js';
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
 * Who may change code. Every request must be addressed to an allowed Host (ALLOWED_HOSTS: against DNS
 * rebinding); a change coming from a web page must come from an origin in CORS_ORIGINS (against cross-site
 * requests, which browsers send with an Origin header even in `no-cors` mode), token or not. Every route that
 * is not a read needs `Authorization: Bearer <OUROBOROS_TOKEN>`; reads need it too with OUROBOROS_PROTECT_READS.
 * Without a token configured, changes are allowed only while the server listens on loopback (local
 * development). Wrong tokens count against the client's address: past RATE_LIMIT_PER_MINUTE of them in a
 * minute, its requests that need the token answer 429. Runs on onRequest, before the body is even parsed, so an
 * unauthorised request learns nothing about what its body would have done.
 */
const guard: FastifyPluginAsync<{ config: Config }> = async (app, { config }) => {
  const openWithoutToken = isLoopback(config.host);
  const failures = new AuthFailures(config.rateLimitPerMinute);
  // A callback hook, not an async one: it runs on every request, and most of them are reads it lets through.
  app.addHook('onRequest', (req, reply, done) => {
    const refused = refusal(req, config, openWithoutToken, failures);
    if (refused?.code === 'RATE_LIMITED') reply.header('retry-after', String(Math.ceil(failures.blockedFor(req.ip) / 1000)));
    done(refused ?? undefined);
  });
};

/** Why this request may not go on, or null when it may. */
function refusal(req: FastifyRequest, config: Config, openWithoutToken: boolean, failures: AuthFailures): ApiError | null {
  if (req.method === 'OPTIONS' || ALWAYS_OPEN.has(req.routeOptions.url ?? '')) return null;
  if (!hostAllowed(req.headers.host, config.allowedHosts)) {
    const name = hostName(req.headers.host) ?? '';
    return new ApiError(
      'HOST_NOT_ALLOWED',
      `This server does not answer to the host name "${name.slice(0, 100)}" (a web page reaching it under a name of its own is a DNS-rebinding attack). ` +
        `Allowed: any IP address and ${(config.allowedHosts as readonly string[]).join(', ')}. If that is this server's public name, add it to ALLOWED_HOSTS.`,
    );
  }
  const mutation = changesSomething(req);
  if (mutation) {
    const origin = judgeOrigin(req.headers.origin, config.corsOrigins, req.headers.host);
    // With CORS_ORIGINS=* any page may read; a change from a page needs the token to vouch for it.
    if (origin === 'refused' || (origin === 'any' && config.token === null)) {
      return new ApiError(
        'ORIGIN_NOT_ALLOWED',
        `Changes from a web page on ${String(req.headers.origin).slice(0, 200)} are refused: that origin is not in CORS_ORIGINS` +
          `${origin === 'any' ? ' (CORS_ORIGINS=* lets any page read, and lets pages change code only with OUROBOROS_TOKEN)' : ''}. Nothing was changed. ` +
          'If it is your dashboard, add its origin to CORS_ORIGINS.',
      );
    }
  }
  if (!mutation && !config.protectReads) return null;
  if (config.token === null) {
    if (openWithoutToken || !mutation) return null;
    return new ApiError(
      'TOKEN_REQUIRED',
      `This server listens on ${config.host} without OUROBOROS_TOKEN, so routes that change code are refused. ` +
        'Set OUROBOROS_TOKEN to a long random secret (for example the output of `openssl rand -hex 32`), restart, and send it as `Authorization: Bearer <token>`.',
    );
  }
  const given = bearerToken(req.headers.authorization);
  if (given !== null && failures.blockedFor(req.ip) > 0) {
    return new ApiError('RATE_LIMITED', `Too many wrong tokens from this address: at most ${config.rateLimitPerMinute} a minute. Try again later.`);
  }
  if (given === null) {
    return new ApiError('UNAUTHORIZED', `${mutation ? 'This route changes code' : 'Reads are protected on this server'}: send the server's token as \`Authorization: Bearer <OUROBOROS_TOKEN>\`.`);
  }
  if (!tokensMatch(given, config.token)) {
    failures.note(req.ip);
    return new ApiError('UNAUTHORIZED', 'The bearer token does not match OUROBOROS_TOKEN; nothing was changed.');
  }
  return null;
}

export const requestGuard = fp(guard, { name: 'request-guard' });
