/** The default of MAX_SOURCE_BYTES: a genome is a small script; 256 KiB is a hundred times the organisms here. */
export const DEFAULT_MAX_SOURCE_BYTES = 256 * 1024;

/** A source over MAX_SOURCE_BYTES: never written, run or stored. */
export class SourceTooLarge extends Error {
  override name = 'SourceTooLarge';

  constructor(
    readonly bytes: number,
    readonly maxBytes: number,
    what: string,
  ) {
    super(`${what} is ${bytes} bytes, over MAX_SOURCE_BYTES=${maxBytes}`);
  }
}

export function checkSourceSize(source: string, maxBytes: number, what = 'the source'): void {
  // Cheap first: a string of n UTF-16 units is at most 3n bytes of UTF-8 and at least n.
  if (source.length * 3 <= maxBytes) return;
  const bytes = Buffer.byteLength(source, 'utf8');
  if (bytes > maxBytes) throw new SourceTooLarge(bytes, maxBytes, what);
}
