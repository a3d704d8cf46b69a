import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CHAOS_OPERATORS } from '../src/chaos/index.js';
import { ChaosNotApplicable } from '../src/chaos/types.js';
import { createRng } from '../src/lib/rng.js';
import { getJson, useApp } from './helpers/app.js';
import { REAL_ORGANISMS } from './helpers/fixtures.js';

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

  it('does not take CORS for authentication: a foreign origin gets no CORS grant, and its changes are refused', async () => {
    const { app } = await build({ token: TOKEN }, { startWatcher: false });
    const res = await app.inject(chaos({ origin: 'http://evil.example' }));
    expect(res.statusCode).toBe(403);
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

describe('the browser boundary: Origin and Host', () => {
  const ATTACKS = ['/chaos', '/emergency-stop', '/resume', '/evolve', '/heal', '/organisms/bubble-sort/chaos'];

  it('refuses a change from a page on another origin on the default loopback setup (no token), and changes nothing', async () => {
    const { app } = await build({}, { startWatcher: false });
    for (const url of ATTACKS) {
      const res = await app.inject({ method: 'POST', url, headers: { origin: 'http://evil.example', 'content-type': 'text/plain' }, payload: '{"chaos_type":"delete_line"}' });
      expect(res.statusCode, url).toBe(403);
      expect(res.json().code).toBe('ORIGIN_NOT_ALLOWED');
      expect(res.json().message).toMatch(/CORS_ORIGINS/);
    }
    expect((await getJson(app, '/genomes')).total).toBe(1);
    expect((await getJson(app, '/status')).state).not.toBe('paused');
    // The dashboard's origin, and curl (no Origin at all), are served as before.
    expect((await app.inject(chaos({ origin: 'http://localhost:3000' }))).statusCode).toBe(200);
    expect((await app.inject(chaos())).statusCode).toBe(200);
    expect((await getJson(app, '/genomes')).total).toBe(3);
  });

  it('refuses a foreign origin with the right token too', async () => {
    const { app } = await build({ token: TOKEN }, { startWatcher: false });
    const res = await app.inject(chaos({ origin: 'https://evil.example', authorization: `Bearer ${TOKEN}` }));
    expect(res.statusCode).toBe(403);
    expect((await app.inject(chaos({ origin: 'http://localhost:3000', authorization: `Bearer ${TOKEN}` }))).statusCode).toBe(200);
  });

  it('with CORS_ORIGINS=*, lets any page read, and change code only with the token', async () => {
    const open = await build({ corsOrigins: ['*'] }, { startWatcher: false });
    expect((await open.app.inject({ url: '/status', headers: { origin: 'https://any.example' } })).statusCode).toBe(200);
    const refused = await open.app.inject(chaos({ origin: 'https://any.example' }));
    expect(refused.statusCode).toBe(403);
    expect(refused.json().message).toMatch(/CORS_ORIGINS=\* .*OUROBOROS_TOKEN/);
    const withToken = await build({ corsOrigins: ['*'], token: TOKEN }, { startWatcher: false });
    expect((await withToken.app.inject(chaos({ origin: 'https://any.example', authorization: `Bearer ${TOKEN}` }))).statusCode).toBe(200);
  });

  it('refuses a Host outside ALLOWED_HOSTS (DNS rebinding), reads included, but never /health', async () => {
    const { app } = await build({}, { startWatcher: false });
    const rebound = { host: 'rebind.evil.example:8000' };
    const change = await app.inject({ ...chaos(rebound) });
    expect(change.statusCode).toBe(403);
    expect(change.json().code).toBe('HOST_NOT_ALLOWED');
    expect(change.json().message).toMatch(/ALLOWED_HOSTS/);
    const read = await app.inject({ url: '/genomes', headers: rebound });
    expect(read.statusCode).toBe(403);
    expect((await app.inject({ url: '/health', headers: rebound })).json().status).toBeDefined();
    expect((await getJson(app, '/genomes')).total).toBe(1);
    for (const host of ['localhost:8000', '127.0.0.1:8000', '[::1]:8000', '10.1.2.3', 'LOCALHOST.']) {
      expect((await app.inject({ url: '/status', headers: { host } })).statusCode, host).toBe(200);
    }
  });

  it('answers a deployment under its public name once ALLOWED_HOSTS names it', async () => {
    const { app } = await build({ host: '::', token: TOKEN, allowedHosts: ['ouroboros.up.railway.app'] }, { startWatcher: false });
    const headers = { host: 'ouroboros.up.railway.app', origin: 'http://localhost:3000', authorization: `Bearer ${TOKEN}` };
    expect((await app.inject(chaos(headers))).statusCode).toBe(200);
    expect((await app.inject({ url: '/status', headers: { host: 'other.example' } })).statusCode).toBe(403);
  });
});

describe('failed authentications', () => {
  it('count against the address: wrong tokens on reads too end in 429, even for the right token, until the window ends', async () => {
    const { app } = await build({ token: TOKEN, protectReads: true, rateLimitPerMinute: 3 }, { startWatcher: false });
    const codes: number[] = [];
    for (let i = 0; i < 5; i++) codes.push((await app.inject({ url: '/status', headers: { authorization: `Bearer wrong-token-${i}-0123456789` } })).statusCode);
    expect(codes).toEqual([401, 401, 401, 429, 429]);
    const blocked = await app.inject({ url: '/status', headers: { authorization: `Bearer ${TOKEN}` } });
    expect(blocked.statusCode).toBe(429);
    expect(blocked.json().code).toBe('RATE_LIMITED');
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    // Another address is not affected, and /health always answers.
    expect((await app.inject({ url: '/status', remoteAddress: '127.0.0.9', headers: { authorization: `Bearer ${TOKEN}` } })).statusCode).toBe(200);
    expect((await app.inject('/health')).json().status).toBeDefined();
  });
});

describe('MAX_SOURCE_BYTES', () => {
  it('refuses a chaos that would grow the genome past it, with 422 and nothing changed', async () => {
    // A cap just above genome 0: the smallest insertion crosses it.
    const seed = readFileSync(path.join(REAL_ORGANISMS, 'bubble-sort', 'genome.js'));
    const tight = await build({ maxSourceBytes: seed.length + 8 }, { startWatcher: false });
    const res = await tight.app.inject({ method: 'POST', url: '/chaos', payload: { chaos_type: 'infinite_loop', seed: 1 } });
    expect(res.statusCode).toBe(422);
    expect(res.json().code).toBe('SOURCE_TOO_LARGE');
    expect(res.json().message).toMatch(/over MAX_SOURCE_BYTES=\d+; nothing was changed/);
    expect((await getJson(tight.app, '/genomes')).total).toBe(1);
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
