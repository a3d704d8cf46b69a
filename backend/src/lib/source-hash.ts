import { createHash } from 'node:crypto';

/** A genome's identity by content: the same source is the same genome wherever it was made (sha-256, hex). */
export function sourceHash(source: string): string {
  return createHash('sha256').update(source).digest('hex');
}
