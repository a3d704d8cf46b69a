import type { FastifyRequest } from 'fastify';
import type { Supervisor } from '../watcher/supervisor.js';

/**
 * How a resource plugin finds its organism: the default one for the top-level routes, the one named in
 * the URL under /organisms/:name. `scope: 'all'` marks the top level, where fleet-wide controls (emergency
 * stop, resume) act on every organism.
 */
export interface OrganismScope {
  resolve(req: FastifyRequest): Supervisor;
  scope: 'all' | 'one';
}
