/**
 * The loop's wait between runs, cut short by `wake()`: a new live genome is judged at once. A wake that comes while
 * nobody sleeps is kept for the next sleep.
 */
export class Sleeper {
  private pending = false;
  private wakeSleeper: (() => void) | null = null;
  private closed = false;

  sleep(ms: number): Promise<void> {
    if (this.pending || this.closed) {
      this.pending = false;
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wakeSleeper = () => {
        this.wakeSleeper = null;
        done();
      };
    }).then(() => {
      this.pending = false;
    });
  }

  wake(): void {
    this.pending = true;
    this.wakeSleeper?.();
  }

  /** Wakes the sleeper and makes every later sleep return at once. */
  close(): void {
    this.closed = true;
    this.wake();
  }
}
