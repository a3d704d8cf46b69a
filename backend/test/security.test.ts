import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CHAOS_OPERATORS } from '../src/chaos/index.js';
import { ChaosNotApplicable } from '../src/chaos/types.js';
import { createRng } from '../src/lib/rng.js';
import { getJson, useApp } from './helpers/app.js';

const build = useApp();
const TOKEN = 'test-token-0123456789abcdef';
const chaos = (headers: Record<string, string> = {}) => ({
  method: 'POST' as const,
  url: '/chaos',
  headers: { 'content-type': 'application/json', ...headers },
  payload: '{"chaos_type":"delete_line"}',
});

describe('who may change code', () => {
  it('refuses changes with 403 when listening beyond loopback without a token, and keeps reads open', async () => {
    const { app } = await build({ host: '::', token: null }, { startWatcher: false });
    const res = await app.inject(chaos());
    expect(res.statusCode).toBe(403);
    expect(res.json()).toMatchObject({ code: 'TOKEN_REQUIRED' });
    expect(res.json().message).toMatch(/Set OUROBOROS_TOKEN/);
    expect((await getJson(app, '/genomes')).total).toBe(1);
    expect((await app.inject('/status')).statusCode).toBe(200);
  });

  it('requires the bearer token for every change, and changes nothing without it', async () => {
    const { app } = await build({ host: '::', token: TOKEN }, { startWatcher: false });
    const missing = await app.inject(chaos());
    expect(missing.statusCode).toBe(401);
    expect(missing.json().message).toMatch(/Authorization: Bearer/);
    for (const wrong of ['x', TOKEN.slice(0, -1), `${TOKEN}x`, TOKEN.toUpperCase()]) {
      expect((await app.inject(chaos({ authorization: `Bearer ${wrong}` }))).statusCode).toBe(401);
    }
    for (const url of ['/emergency-stop', '/resume', '/heal', '/genomes/0123456789abcdef/rollback', '/organisms/bubble-sort/chaos']) {
      expect((await app.inject({ method: 'POST', url })).statusCode).toBe(401);
    }
    expect((await getJson(app, '/genomes')).total).toBe(1);
    const ok = await app.inject(chaos({ authorization: `Bearer ${TOKEN}` }));
    expect(ok.statusCode).toBe(200);
    expect((await getJson(app, '/genomes')).total).toBe(2);
  });

  it('answers an unauthorised request before looking at its body', async () => {
    const { app } = await build({ token: TOKEN }, { startWatcher: false });
    const res = await app.inject({ method: 'POST', url: '/chaos', headers: { 'content-type': 'application/json' }, payload: '{oops' });
    expect(res.statusCode).toBe(401);
  });

  it('does not take CORS for authentication: a foreign origin without a token gets 401 and no CORS grant', async () => {
    const { app } = await build({ token: TOKEN }, { startWatcher: false });
    const res = await app.inject(chaos({ origin: 'http://evil.example' }));
    expect(res.statusCode).toBe(401);
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
    const allowed = await app.inject({ method: 'GET', url: '/status', headers: { origin: 'http://localhost:3000' } });
    expect(allowed.headers['access-control-allow-origin']).toBe('http://localhost:3000');
  });

  it('protects reads too with OUROBOROS_PROTECT_READS, but never /health', async () => {
    const { app } = await build({ token: TOKEN, protectReads: true });
    expect((await app.inject('/status')).statusCode).toBe(401);
    expect((await app.inject({ url: '/status', headers: { authorization: `Bearer ${TOKEN}` } })).statusCode).toBe(200);
    expect((await app.inject('/health')).statusCode).toBe(200);
  });
});

describe('rate limits, headers and limits', () => {
  it('limits changes with 429 and Retry-After, while /health and reads keep answering', async () => {
    const { app } = await build({ rateLimitPerMinute: 2 }, { startWatcher: false });
    const codes = [];
    for (let i = 0; i < 3; i++) codes.push((await app.inject({ method: 'POST', url: '/chaos', payload: { chaos_type: 'delete_line' } })).statusCode);
    expect(codes).toEqual([200, 200, 429]);
    const limited = await app.inject({ method: 'POST', url: '/chaos', payload: { chaos_type: 'delete_line' } });
    expect(limited.json()).toMatchObject({ statusCode: 429, code: 'RATE_LIMITED' });
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    for (let i = 0; i < 10; i++) expect((await app.inject('/health')).statusCode).not.toBe(429);
    const read = await app.inject('/status');
    expect(read.statusCode).toBe(200);
    // Reads are not even counted (no rate-limit hook on read-only routes).
    expect(read.headers['x-ratelimit-limit']).toBeUndefined();
    expect(limited.headers['x-ratelimit-limit']).toBe('2');
  });

  it('sends security headers, with a strict CSP on the API and a working one on /docs', async () => {
    const { app } = await build({}, { startWatcher: false });
    const res = await app.inject('/status');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-frame-options']).toBe('DENY');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    expect(res.headers['strict-transport-security']).toMatch(/^max-age=\d+/);
    expect(res.headers['content-security-policy']).toBe("default-src 'none'; frame-ancestors 'none'");
    // Errors too, including those a hook answers before any route runs.
    for (const bad of [await app.inject('/no/such/route'), await app.inject('/logs?limit=zero')]) {
      expect(bad.statusCode).toBeGreaterThanOrEqual(400);
      expect(bad.headers['content-security-policy']).toBe("default-src 'none'; frame-ancestors 'none'");
      expect(bad.headers['x-content-type-options']).toBe('nosniff');
    }
    const docs = await app.inject('/docs/');
    expect(docs.statusCode).toBe(200);
    expect(docs.headers['content-security-policy']).not.toContain("default-src 'none'");
    expect(docs.headers['x-frame-options']).toBe('SAMEORIGIN');
  });
});

describe('bad input never reaches a 500 and changes nothing', () => {
  it('survives fuzzed query strings, bodies, ids and organism names', async () => {
    const { app } = await build({}, { startWatcher: false });
    const text = fc.string({ maxLength: 40 });
    const urls = fc.oneof(
      text.map((v) => `/logs?limit=${encodeURIComponent(v)}`),
      text.map((v) => `/logs?since=${encodeURIComponent(v)}&limit=5`),
      text.map((v) => `/runs?since=${encodeURIComponent(v)}`),
      text.map((v) => `/genomes?offset=${encodeURIComponent(v)}`),
      text.map((v) => `/genomes/${encodeURIComponent(v)}`),
      text.map((v) => `/organisms/${encodeURIComponent(v)}/status`),
      fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }), text).map((q) => `/logs?${new URLSearchParams(q)}`),
    );
    await fc.assert(
      fc.asyncProperty(urls, async (url) => {
        const res = await app.inject(url);
        expect(res.statusCode, url).toBeLessThan(500);
        expect(res.json().message ?? 'ok').toBeTypeOf('string');
      }),
      { numRuns: 300 },
    );
    const bodies = fc.oneof(
      fc.json(),
      fc.string({ maxLength: 200 }),
      fc.record({ chaos_type: fc.oneof(fc.string(), fc.integer(), fc.constant(null)), seed: fc.oneof(fc.integer(), fc.string(), fc.double()) }, { requiredKeys: [] }).map((o) => JSON.stringify(o)),
      fc.constant('{"__proto__":{"polluted":true},"chaos_type":"random"}'),
      fc.constant('{"constructor":{"prototype":{"polluted":true}}}'),
    );
    await fc.assert(
      fc.asyncProperty(bodies, fc.constantFrom('application/json', 'text/plain', 'application/x-www-form-urlencoded'), async (payload, type) => {
        const res = await app.inject({ method: 'POST', url: '/organisms/bubble-sort/chaos', headers: { 'content-type': type }, payload });
        expect(res.statusCode, `${type} ${payload}`).toBeLessThan(500);
      }),
      { numRuns: 300 },
    );
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('has chaos operators that never throw on arbitrary text, only say they cannot apply', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 300 }), fc.lorem({ maxCount: 20 }).map((w) => `function f(a) {\n  ${w};\n}\n`)), fc.nat(), (source, seed) => {
        for (const op of CHAOS_OPERATORS) {
          try {
            const r = op.apply(source, createRng(seed));
            expect(typeof r.source).toBe('string');
            expect(r.source).not.toBe(source);
          } catch (err) {
            expect(err, `${op.type} threw on ${JSON.stringify(source)}`).toBeInstanceOf(ChaosNotApplicable);
          }
        }
      }),
      { numRuns: 200 },
    );
  });
});
