/** Serialises async critical sections (promotions), first come first served. */
export class Mutex {
  private tail: Promise<unknown> = Promise.resolve();
  private held = 0;

  get locked(): boolean {
    return this.held > 0;
  }

  runExclusive<T>(fn: () => Promise<T> | T): Promise<T> {
    this.held++;
    const result = this.tail.then(fn);
    this.tail = result.catch(() => {}).finally(() => this.held--);
    return result;
  }
}
