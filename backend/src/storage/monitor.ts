import { freeBytes, MIN_FREE_BYTES, probeWrite } from './probe.js';
import { classifyStorageError, describeProblem, remedy, type StorageFault } from './fault.js';

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
  private readonly listeners = new Set<(fault: StorageFault | null) => void>();

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

  /** Told, besides the constructor's listener, whenever the storage fails or works again; returns the unsubscribe. */
  subscribe(listener: (fault: StorageFault | null) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
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
    for (const l of this.listeners) l(now);
  }
}
