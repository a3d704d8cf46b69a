/**
 * Keeps the first and the last bytes of a stream and counts the rest, so that a run that prints without end
 * costs bounded memory while its first lines (the error) and its last line (the answer) survive.
 */
export class CappedBuffer {
  private head: Buffer[] = [];
  private headBytes = 0;
  private tail: Buffer[] = [];
  private tailBytes = 0;
  total = 0;

  constructor(private readonly cap: number) {}

  get truncated(): boolean {
    return this.total > this.cap;
  }

  push(chunk: Buffer): void {
    this.total += chunk.length;
    const headCap = Math.floor(this.cap / 2);
    if (this.headBytes < headCap) {
      const take = chunk.subarray(0, headCap - this.headBytes);
      this.head.push(take);
      this.headBytes += take.length;
      chunk = chunk.subarray(take.length);
      if (chunk.length === 0) return;
    }
    const tailCap = this.cap - headCap;
    this.tail.push(chunk.length > tailCap ? chunk.subarray(chunk.length - tailCap) : chunk);
    this.tailBytes += Math.min(chunk.length, tailCap);
    while (this.tailBytes > tailCap && this.tail.length > 0) {
      const first = this.tail[0] as Buffer;
      const excess = this.tailBytes - tailCap;
      if (first.length <= excess) {
        this.tail.shift();
        this.tailBytes -= first.length;
      } else {
        this.tail[0] = first.subarray(excess);
        this.tailBytes -= excess;
      }
    }
  }

  /** The kept text; a marker stands where bytes were dropped. */
  toString(): string {
    const head = Buffer.concat(this.head).toString('utf8');
    const tail = Buffer.concat(this.tail).toString('utf8');
    const dropped = this.total - this.headBytes - this.tailBytes;
    return dropped > 0 ? `${head}\n…[${dropped} bytes dropped]…\n${tail}` : head + tail;
  }

  /** Only the last bytes: where a program's final line (its answer) is. */
  tailText(): string {
    return this.tail.length > 0 ? Buffer.concat(this.tail).toString('utf8') : Buffer.concat(this.head).toString('utf8');
  }
}
