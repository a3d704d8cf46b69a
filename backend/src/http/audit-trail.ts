/**
 * Records every request that changes something in the audit trail, whatever the route: its action (the route's
 * `config.audit.action`, else the last word of its URL: /genomes/:id/rollback is "rollback"), the organism, the
 * live genome before and after, the answer's status, the client address (X-Forwarded-For with TRUST_PROXY) and a
 * fingerprint of the bearer token sent. The organism is the URL's (/organisms/:name/...), else the default one; a
 * route that acts on every organism says so (`config.audit.fleet`): one entry per organism. Requests refused for their rate (429) are not recorded, so a flood cannot push the trail out.
 */
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { AuditStore } from '../audit/audit-store.js';
import type { Fleet } from '../watcher/fleet.js';
import { changesSomething } from './request-guard.js';
import { bearerToken, tokenFingerprint } from './token.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * How the audit trail names this route's requests: `action` (else the URL's last word); `fleet`: it acts on
     * every organism; `organism`: which one, for a top-level route that finds it otherwise (a proposal by its id).
     */
    audit?: { action?: string; fleet?: boolean; organism?: (req: FastifyRequest) => string | null };
  }
  interface FastifyRequest {
    auditBefore?: { organism: string; genome: string | null }[];
  }
}

const DETAIL_MAX = 500;

/** The last word of a route's URL that is not a parameter. */
export function actionOf(url: string): string {
  const words = url.split('/').filter((w) => w && !w.startsWith(':'));
  const last = words[words.length - 1] ?? 'request';
  // /evolve/cancel: the word alone would not say what was cancelled.
  return last === 'cancel' && words.length > 1 ? `${words[words.length - 2]}-cancel` : last;
}

const trail: FastifyPluginAsync<{ audit: AuditStore; fleet: Fleet }> = async (app, { audit, fleet }) => {
  const liveOf = (name: string): string | null => {
    try {
      return fleet.get(name).liveGenome.id;
    } catch {
      return null; // not an organism (the request answers 404)
    }
  };
  const organismsOf = (req: FastifyRequest): string[] => {
    const named = (req.params as { name?: unknown } | undefined)?.name;
    if (typeof named === 'string') return [named.slice(0, 64)];
    const declared = req.routeOptions.config.audit;
    if (declared?.fleet) return fleet.names;
    return [declared?.organism?.(req) ?? fleet.default.name];
  };

  // Before the guards (registered first): a refused request is recorded too, with the genome it did not change.
  app.addHook('onRequest', (req, _reply, done) => {
    if (changesSomething(req) && req.routeOptions.url !== undefined) {
      req.auditBefore = organismsOf(req).map((organism) => ({ organism, genome: liveOf(organism) }));
    }
    done();
  });

  app.addHook('onResponse', (req, reply, done) => {
    const before = req.auditBefore;
    if (!before || reply.statusCode === 429) return done();
    const url = req.routeOptions.url as string;
    const token = bearerToken(req.headers.authorization);
    const body = req.body === undefined || req.body === null ? null : JSON.stringify(req.body).slice(0, DETAIL_MAX);
    try {
      for (const b of before) {
        audit.record({
          action: req.routeOptions.config.audit?.action ?? actionOf(url),
          method: req.method,
          path: req.url.split('?')[0]?.slice(0, 300) ?? url,
          organism: b.organism,
          genomeBefore: b.genome,
          genomeAfter: liveOf(b.organism),
          status: reply.statusCode,
          client: req.ip,
          tokenFingerprint: token ? tokenFingerprint(token) : null,
          detail: body ? { body } : {},
        });
      }
    } catch (err) {
      req.log.error({ err }, `audit: could not record ${req.method} ${url}`);
    }
    done();
  });
};

export const auditTrail = fp(trail, { name: 'audit-trail' });
