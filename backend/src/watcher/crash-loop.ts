/**
 * systemd's StartLimitBurst/StartLimitIntervalSec: `burst` failures within `windowMs` is a crash loop.
 * Here a crash loop does not give up; it sends the organism straight to the repair ladder.
 */
export class CrashLoopDetector {
  private readonly failures: number[] = [];

  constructor(
    private readonly burst: number,
    private readonly windowMs: number,
  ) {}

  /** Records a failure at time `now`; true when the failures in the window reach the burst. */
  recordFailure(now: number): boolean {
    this.failures.push(now);
    return this.looping(now);
  }

  looping(now: number): boolean {
    while (this.failures.length > 0 && (this.failures[0] as number) <= now - this.windowMs) this.failures.shift();
    return this.failures.length >= this.burst;
  }

  reset(): void {
    this.failures.length = 0;
  }
}
