import { describe, expect, it } from 'vitest';
import { contentSecurityPolicy, dashboardHeaders } from './security-headers';

describe('the dashboard security headers', () => {
  it('limit connections to the page itself and the API the build was given, and refuse framing', () => {
    const csp = contentSecurityPolicy('https://ouroboros.up.railway.app/');
    expect(csp).toContain("connect-src 'self' https://ouroboros.up.railway.app;");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("object-src 'none'");
    expect(csp).not.toContain('unsafe-eval');
    expect(contentSecurityPolicy('http://localhost:8000', true)).toContain("'unsafe-eval'");
    const keys = dashboardHeaders('http://localhost:8000').map((h) => `${h.key}: ${h.value}`);
    expect(keys).toEqual(expect.arrayContaining(['X-Frame-Options: DENY', 'X-Content-Type-Options: nosniff', 'Referrer-Policy: no-referrer']));
  });

  it('names a wrong NEXT_PUBLIC_API_URL at build time', () => {
    expect(() => contentSecurityPolicy('railway-app')).toThrow(/NEXT_PUBLIC_API_URL="railway-app" is not a URL/);
  });
});
