import { describe, expect, it } from 'vitest';
import { AuthFailures } from './auth-failures.js';
import { hostAllowed, hostName, judgeOrigin } from './origin.js';

describe('hostName', () => {
  it('takes the name without port, brackets or trailing dot', () => {
    expect(hostName('LocalHost:8000')).toBe('localhost');
    expect(hostName('[::1]:8000')).toBe('::1');
    expect(hostName('::1')).toBe('::1');
    expect(hostName('example.com.')).toBe('example.com');
    expect(hostName(undefined)).toBeNull();
  });
});

describe('hostAllowed', () => {
  const allowed = ['localhost', 'api.example.com'];
  it('passes the listed names and any IP address, and nothing else', () => {
    for (const h of ['localhost:8000', 'api.example.com', '127.0.0.1:8000', '10.0.0.7', '[::1]:8000', '[2001:db8::1]']) expect(hostAllowed(h, allowed), h).toBe(true);
    for (const h of ['evil.example', 'localhost.evil.example', 'api.example.com.evil.example', '127.0.0.1.nip.io']) expect(hostAllowed(h, allowed), h).toBe(false);
    expect(hostAllowed('anything', '*')).toBe(true);
  });
});

describe('judgeOrigin', () => {
  it('tells absent, listed, wildcard and foreign origins apart', () => {
    const list = ['http://localhost:3000', 'https://app.vercel.app/'];
    expect(judgeOrigin(undefined, list)).toBe('absent');
    expect(judgeOrigin('http://localhost:3000', list)).toBe('allowed');
    expect(judgeOrigin('https://APP.vercel.app', list)).toBe('allowed');
    expect(judgeOrigin('http://localhost:3001', list)).toBe('refused');
    expect(judgeOrigin('null', list)).toBe('refused');
    expect(judgeOrigin('https://x.example', ['*'])).toBe('any');
    // The server's own pages (its /docs) are same-origin; the port counts.
    expect(judgeOrigin('http://localhost:8000', list, 'localhost:8000')).toBe('allowed');
    expect(judgeOrigin('http://localhost:8001', list, 'localhost:8000')).toBe('refused');
  });
});

describe('AuthFailures', () => {
  it('blocks an address past the limit until its window ends, others not', () => {
    const f = new AuthFailures(2, 1000);
    f.note('a', 0);
    expect(f.blockedFor('a', 10)).toBe(0);
    f.note('a', 20);
    expect(f.blockedFor('a', 30)).toBe(970);
    expect(f.blockedFor('b', 30)).toBe(0);
    expect(f.blockedFor('a', 1000)).toBe(0);
  });

  it('remembers a bounded number of addresses', () => {
    const f = new AuthFailures(1, 60_000, 3);
    for (const k of ['a', 'b', 'c', 'd']) f.note(k, 0);
    expect(f.blockedFor('a', 1)).toBe(0);
    expect(f.blockedFor('d', 1)).toBeGreaterThan(0);
  });
});
