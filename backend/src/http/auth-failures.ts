/**
 * Failed authentications per client address, in fixed windows (as @fastify/rate-limit counts changes): past `max`
 * within a window, the address is refused until the window ends. Bounded: at most `maxKeys` addresses are
 * remembered, the oldest windows forgotten first.
 */
export class AuthFailures {
  private readonly windows = new Map<string, { count: number; resetAt: number }>();

  constructor(
    private readonly max: number,
    private readonly windowMs = 60_000,
    private readonly maxKeys = 10_000,
  ) {}

  /** Records a failure of `key` at `now`. */
  note(key: string, now = Date.now()): void {
    const w = this.windows.get(key);
    if (w && w.resetAt > now) {
      w.count++;
      return;
    }
    this.windows.delete(key);
    if (this.windows.size >= this.maxKeys) this.forgetOldest(now);
    this.windows.set(key, { count: 1, resetAt: now + this.windowMs });
  }

  /** Milliseconds until `key` may try again, or 0 when it may now. */
  blockedFor(key: string, now = Date.now()): number {
    const w = this.windows.get(key);
    if (!w) return 0;
    if (w.resetAt <= now) {
      this.windows.delete(key);
      return 0;
    }
    return w.count >= this.max ? w.resetAt - now : 0;
  }

  private forgetOldest(now: number): void {
    for (const [k, w] of this.windows) if (w.resetAt <= now) this.windows.delete(k);
    // Map order is insertion order: the first entries are the oldest windows.
    for (const k of this.windows.keys()) {
      if (this.windows.size < this.maxKeys) break;
      this.windows.delete(k);
    }
  }
}
