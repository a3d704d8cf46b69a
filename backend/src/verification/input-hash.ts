import { createHash } from 'node:crypto';

/**
 * JSON with object keys sorted at every level: two inputs that are the same value give the same text, whatever order
 * their fields were written in.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
    const o = v as Record<string, unknown>;
    return Object.fromEntries(Object.keys(o).sort().map((k) => [k, o[k]]));
  });
}

/** The identity of an input: a counterexample is stored once per organism, and a suite is fingerprinted by these. */
export function inputHash(input: unknown): string {
  return createHash('sha256').update(canonicalJson(input)).digest('hex').slice(0, 24);
}

/** How big an input is, for people and for the shrinker: the length of its JSON. */
export function inputSize(input: unknown): number {
  return canonicalJson(input)?.length ?? 0;
}
