import { Backoff, RESTART_BACKOFF } from './backoff.js';
import { CrashLoopDetector } from './crash-loop.js';

export interface Quarantine {
  genomeId: string;
  reason: string;
  since: string;
  nextProbeMs: number;
}

export interface Retry {
  delayMs: number;
  attempt: number;
  reason: string;
}

export interface RecoveryLimits {
  transientRetries: number;
  crashLoopFailures: number;
  crashLoopWindowMs: number;
  quarantineMaxBackoffMs: number;
}

/**
 * How far a failing live genome has gone from healthy: retries of failures that may be transient, the crash-loop
 * window, and quarantine (the ladder gave up: probed with a growing delay). Every way out of trouble is a named
 * transition here, so the delays and flags can never be reset in one place and forgotten in another.
 */
export class Recovery {
  private quarantined: Quarantine | null = null;
  private retrying: Retry | null = null;
  private readonly transient = new Backoff(RESTART_BACKOFF);
  private readonly probes: Backoff;
  private readonly crashLoop: CrashLoopDetector;

  constructor(readonly limits: RecoveryLimits) {
    this.probes = new Backoff({ initialMs: 1000, factor: 2, maxMs: limits.quarantineMaxBackoffMs });
    this.crashLoop = new CrashLoopDetector(limits.crashLoopFailures, limits.crashLoopWindowMs);
  }

  get quarantine(): Quarantine | null {
    return this.quarantined;
  }

  get backoff(): Retry | null {
    return this.retrying;
  }

  get transientAttempts(): number {
    return this.transient.attempts;
  }

  looping(now: number): boolean {
    return this.crashLoop.looping(now);
  }

  /** A failing run; true when it makes a crash loop. */
  failed(now: number): boolean {
    return this.crashLoop.recordFailure(now);
  }

  /** A passing run of the live genome: all is forgiven. True when it ends a quarantine. */
  passed(): boolean {
    const wasQuarantined = this.quarantined !== null;
    this.retrying = null;
    this.transient.reset();
    this.probes.reset();
    this.crashLoop.reset();
    this.quarantined = null;
    return wasQuarantined;
  }

  /** A new genome was promoted: whatever the old one earned does not carry over (the crash-loop window does). */
  promoted(): void {
    this.quarantined = null;
    this.retrying = null;
    this.probes.reset();
    this.transient.reset();
  }

  /** Out of quarantine without a pass: an outside edit replaced the genome, or the operator asked for a heal. */
  release(): void {
    this.quarantined = null;
  }

  /** Waits before trying a failure that may come from the machine again; returns the retry. */
  retryTransient(reason: string): Retry {
    const delayMs = this.transient.next();
    this.retrying = { delayMs, attempt: this.transient.attempts, reason };
    return this.retrying;
  }

  /** The failure goes to the ladder: no more retries. */
  escalate(): void {
    this.retrying = null;
    this.transient.reset();
  }

  /** The ladder gave up on the genome: it is probed with a growing delay until it passes or is replaced. */
  enterQuarantine(genomeId: string, reason: string): Quarantine {
    this.quarantined = { genomeId, reason, since: new Date().toISOString(), nextProbeMs: 0 };
    return this.quarantined;
  }

  /** The delay before the next probe of a genome the ladder could not heal. */
  nextProbe(): number {
    const delay = this.probes.next();
    if (this.quarantined) this.quarantined.nextProbeMs = delay;
    return delay;
  }
}
