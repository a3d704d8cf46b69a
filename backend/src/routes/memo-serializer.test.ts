import { serializerCompiler } from 'fastify-type-provider-zod';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { memoSerializerCompiler } from './memo-serializer.js';

/** A route's 200 schema whose checks count how often zod actually ran. */
function counted() {
  const seen = { checks: 0 };
  const schema = z
    .object({ state: z.enum(['healthy', 'sick']), generation: z.number().int() })
    .refine(() => ++seen.checks > 0);
  return { seen, schema };
}

const route = (schema: z.ZodType) => ({ schema, method: 'GET', url: '/status', httpStatus: '200' }) as Parameters<typeof serializerCompiler>[0];

describe('memoSerializerCompiler', () => {
  it('checks an answer once and serves its repeats from memory, byte for byte', () => {
    const { seen, schema } = counted();
    const serialize = memoSerializerCompiler()(route(schema));
    const plain = serializerCompiler(route(schema));
    const a = { state: 'healthy', generation: 3, extra: 'dropped by the schema' };
    const first = serialize(a);
    expect(first).toBe(plain(a));
    expect(JSON.parse(first)).toEqual({ state: 'healthy', generation: 3 });
    const checks = seen.checks;
    for (let i = 0; i < 5; i++) expect(serialize({ ...a })).toBe(first);
    expect(seen.checks).toBe(checks);
    serialize({ state: 'sick', generation: 3 });
    expect(seen.checks).toBe(checks + 1);
  });

  it('never remembers an answer that breaks its schema: every repeat throws', () => {
    const { schema } = counted();
    const serialize = memoSerializerCompiler()(route(schema));
    const bad = { state: 'exploded', generation: 1 };
    for (let i = 0; i < 3; i++) expect(() => serialize(bad)).toThrow(/did not match schema|Response doesn't match/i);
  });

  it('keeps only its last few answers, and none longer than its limit', () => {
    const { seen, schema } = counted();
    const serialize = memoSerializerCompiler({ entries: 2 })(route(schema));
    const s = (generation: number) => serialize({ state: 'healthy', generation });
    s(1);
    s(2);
    s(3); // forgets 1
    const checks = seen.checks;
    s(3);
    s(2);
    expect(seen.checks).toBe(checks);
    s(1);
    expect(seen.checks).toBe(checks + 1);

    const big = z.object({ text: z.string() }).refine(() => ++seen.checks > 0);
    const serializeBig = memoSerializerCompiler({ maxChars: 100 })(route(big));
    const before = seen.checks;
    serializeBig({ text: 'x'.repeat(200) });
    serializeBig({ text: 'x'.repeat(200) });
    expect(seen.checks).toBe(before + 2);
  });
});
