import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import { classifyStorageError, describeProblem, remedy, StorageError, type StorageFault } from '../storage/fault.js';
import { StorageMonitor } from '../storage/monitor.js';
import { ApiError } from './errors.js';
import { changesSomething } from './request-guard.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** The health of DATA_DIR's disk and of the store while the server runs (see src/storage/monitor.ts). */
    storage: StorageMonitor;
  }
}

/** The 503 answer for an error that is a storage failure (the store's, or a file under DATA_DIR); null otherwise. */
export function storageFailureBody(err: unknown): { statusCode: 503; code: 'STORAGE_UNAVAILABLE'; message: string; fault: StorageFault } | null {
  let fault: StorageFault;
  if (err instanceof StorageError) {
    fault = err.toFault();
  } else {
    const c = classifyStorageError(err);
    // Permission errors from elsewhere (a 403 from a route) are not storage failures; only errno errors with a path are.
    const file = (err as NodeJS.ErrnoException | null)?.path;
    if (!c || typeof file !== 'string') return null;
    fault = {
      problem: c.problem,
      code: c.code,
      message: `Cannot write ${file}: ${describeProblem(c.problem, c.code)}. The store is the truth: a genome it recorded is written to its live file again at the next start. ${remedy(c.problem)}`,
      at: new Date().toISOString(),
    };
  }
  return { statusCode: 503, code: 'STORAGE_UNAVAILABLE', message: fault.message, fault };
}

export interface StorageGuardOptions {
  dataDir: string;
  store: { readonly fault: StorageFault | null };
  /** Told when the storage fails or works again; by default the server's log and every organism's log stream. */
  onChange?: (fault: StorageFault | null) => void;
}

/**
 * While the storage fails: changes answer 503 STORAGE_UNAVAILABLE naming the problem (before they start when the
 * disk is full or read-only, from the error handler otherwise), reads keep working, and /health answers 503 with a
 * `storage` field that says what is wrong.
 */
const guard: FastifyPluginAsync<StorageGuardOptions> = async (app, opts) => {
  const monitor = new StorageMonitor(opts.dataDir, opts.store, opts.onChange ?? ((fault) => announce(app, fault)));
  app.decorate('storage', monitor);
  await monitor.check();
  monitor.start();
  app.addHook('onClose', async () => {
    await monitor.stop();
  });
  // Callback hooks, not async ones: they run on every request and answer at once.
  app.addHook('onRequest', (req, _reply, done) => {
    const fault = changesSomething(req) ? monitor.blocking : null;
    done(fault ? new ApiError('STORAGE_UNAVAILABLE', `${fault.message} Nothing was changed.`) : undefined);
  });
  app.addHook('onSend', (req, reply, payload, done) => {
    const fault = monitor.current;
    if (!fault || req.routeOptions.url !== '/health' || typeof payload !== 'string') return done(null, payload);
    try {
      const body = JSON.parse(payload) as Record<string, unknown>;
      reply.code(503);
      done(null, JSON.stringify({ ...body, status: 'unavailable', storage: { problem: fault.problem, code: fault.code, message: fault.message, since: fault.at } }));
    } catch {
      done(null, payload);
    }
  });
};

export const storageGuard = fp(guard, { name: 'storage-guard' });

/** In the server's log, and in each organism's log stream, where the dashboard shows it. */
function announce(app: FastifyInstance, fault: StorageFault | null): void {
  const text = fault ? `storage: ${fault.message}` : 'storage: DATA_DIR can be written again';
  if (fault) app.log.error({ storage: fault }, text);
  else app.log.info(text);
  if (!app.hasDecorator('logbook') || !app.hasDecorator('fleet')) return;
  for (const name of app.fleet.names) app.logbook.append(name, 'watcher', fault ? 'error' : 'info', text);
}
