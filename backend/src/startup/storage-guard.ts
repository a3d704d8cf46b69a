import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import { HttpError } from '../errors.js';
import { changesSomething } from '../security/guard.js';
import { freeBytes, MIN_FREE_BYTES, probeWrite } from './preflight.js';
import { classifyStorageError, describeProblem, remedy, StorageError, type StorageFault } from './storage-fault.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** The health of DATA_DIR's disk and of the store while the server runs (see src/startup/storage-guard.ts). */
    storage: StorageMonitor;
  }
}

const CHECK_EVERY_MS = 2000;

/**
 * Watches DATA_DIR while the server runs: every two seconds its free space (statfs) and a small write with fsync.
 * Together with the store's own fault (its newest failed write) and the failures the API answered, it says whether
 * the storage works, and what is wrong when it does not.
 */
export class StorageMonitor {
  /** From the periodic check: the disk is full, read-only, failing. Writes are refused while it is set. */
  private diskFault: StorageFault | null = null;
  /** A file under DATA_DIR that could not be written while answering a request; cleared by the next good check. */
  private seenFault: StorageFault | null = null;
  private timer: NodeJS.Timeout | null = null;
  private checking: Promise<void> | null = null;
  private reported: string | null = null;

  constructor(
    private readonly dataDir: string,
    private readonly store: { readonly fault: StorageFault | null },
    private readonly onChange: (fault: StorageFault | null) => void = () => {},
  ) {}

  start(intervalMs = CHECK_EVERY_MS): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.check(), intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.checking;
  }

  /** Checks now (once at a time). */
  check(): Promise<void> {
    this.checking ??= this.checkOnce().finally(() => {
      this.checking = null;
    });
    return this.checking;
  }

  private async checkOnce(): Promise<void> {
    const subject = `DATA_DIR=${this.dataDir}`;
    const free = await freeBytes(this.dataDir);
    if (free !== null && free < MIN_FREE_BYTES) {
      this.diskFault = {
        problem: 'disk-full',
        code: 'ENOSPC',
        message: `${subject}: the disk is full (${Math.floor(free / 1024)} KiB free). Changes are refused until there is room again; reads keep working. ${remedy('disk-full')}`,
        at: this.diskFault?.problem === 'disk-full' ? this.diskFault.at : new Date().toISOString(),
      };
    } else {
      try {
        await probeWrite(this.dataDir);
        this.diskFault = null;
        this.seenFault = null;
      } catch (err) {
        const c = classifyStorageError(err);
        this.diskFault = {
          problem: c?.problem ?? 'io-error',
          code: c?.code ?? 'UNKNOWN',
          message: `${subject} cannot be written: ${c ? describeProblem(c.problem, c.code) : (err as Error).message}. Changes are refused until it can; reads keep working. ${c ? remedy(c.problem) : ''}`.trim(),
          at: this.diskFault?.at ?? new Date().toISOString(),
        };
      }
    }
    this.report();
  }

  /** A storage failure met while answering a request (the store's own failures it remembers itself). */
  note(fault: StorageFault): void {
    this.seenFault = fault;
    this.report();
  }

  /** The fault that makes any change pointless: changes are refused before they start. */
  get blocking(): StorageFault | null {
    return this.diskFault;
  }

  /** What is wrong with the storage now, or null. */
  get current(): StorageFault | null {
    return this.diskFault ?? this.store.fault ?? this.seenFault;
  }

  private report(): void {
    const now = this.current;
    const key = now ? `${now.problem}:${now.code}` : null;
    if (key === this.reported) return;
    this.reported = key;
    this.onChange(now);
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
    done(fault ? new HttpError(503, 'STORAGE_UNAVAILABLE', `${fault.message} Nothing was changed.`) : undefined);
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
