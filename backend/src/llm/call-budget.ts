/** At most `limit` calls in any sliding hour: a runaway failure loop must not run up an LLM bill. */
export class CallBudget {
  private readonly calls: number[] = [];

  constructor(
    readonly limit: number,
    private readonly windowMs = 3_600_000,
    private readonly now: () => number = Date.now,
  ) {}

  private prune(): void {
    const since = this.now() - this.windowMs;
    while (this.calls.length > 0 && (this.calls[0] as number) <= since) this.calls.shift();
  }

  get remaining(): number {
    this.prune();
    return Math.max(0, this.limit - this.calls.length);
  }

  /** Takes one call from the budget; false when it is spent. */
  take(): boolean {
    if (this.remaining === 0) return false;
    this.calls.push(this.now());
    return true;
  }

  /** Milliseconds until the next call is allowed (0 when one is). */
  get retryInMs(): number {
    this.prune();
    if (this.calls.length < this.limit) return 0;
    return (this.calls[0] as number) + this.windowMs - this.now();
  }
}
