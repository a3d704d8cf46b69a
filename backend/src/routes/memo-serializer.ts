import { serializerCompiler } from 'fastify-type-provider-zod';

type Compiler = typeof serializerCompiler;

export interface MemoOptions {
  /** Distinct answers remembered per route and status code (a route may serve several organisms). */
  entries?: number;
  /** Answers longer than this (as JSON) are not remembered: a memo must not hold megabytes. */
  maxChars?: number;
}

/**
 * The zod serializer (every answer checked against its route's schema), remembering its last few outputs by
 * their input's JSON. Dashboards poll the same answer many times a second (/status changes once a run, an
 * empty /logs?since= never): a repeat costs one JSON.stringify instead of a zod pass and a second stringify.
 * An answer that fails its schema is never remembered, so every bad answer still throws.
 */
export function memoSerializerCompiler(opts: MemoOptions = {}, compile: Compiler = serializerCompiler): Compiler {
  const entries = opts.entries ?? 4;
  const maxChars = opts.maxChars ?? 64 * 1024;
  return (route) => {
    const serialize = compile(route);
    const memo = new Map<string, string>();
    return (data: unknown) => {
      const raw = JSON.stringify(data);
      const hit = raw === undefined ? undefined : memo.get(raw);
      if (hit !== undefined) return hit;
      const out = serialize(data);
      if (raw !== undefined && raw.length <= maxChars) {
        if (memo.size >= entries) memo.delete(memo.keys().next().value!);
        memo.set(raw, out);
      }
      return out;
    };
  };
}
