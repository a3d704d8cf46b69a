/**
 * The dashboard's response headers, for `next start` (next.config.ts) and Vercel (which applies next.config.ts's
 * headers to a Next.js app).
 *
 * Scripts: Next's App Router inlines its bootstrap (`self.__next_f.push(...)`) in every page. Its documentation
 * offers two ways: a per-request nonce, made in a proxy, which turns every page to dynamic rendering and cannot be
 * expressed in static headers; or 'unsafe-inline'. The dashboard renders no HTML from data (React escapes every
 * value it shows, including genome sources and logs), so 'unsafe-inline' for scripts is the trade taken here;
 * everything else is closed: no other script origin, no plugin, no base or form target elsewhere, no framing, and
 * connections only to itself and the API the build was given.
 */
export interface Header {
  key: string;
  value: string;
}

export function contentSecurityPolicy(apiUrl: string, dev = false): string {
  let api: string;
  try {
    api = new URL(apiUrl).origin;
  } catch {
    throw new Error(`NEXT_PUBLIC_API_URL=${JSON.stringify(apiUrl)} is not a URL (expected something like https://<service>.up.railway.app)`);
  }
  return [
    "default-src 'self'",
    // `next dev` needs eval for React's debugging aids; a production build does not.
    `script-src 'self' 'unsafe-inline'${dev ? " 'unsafe-eval'" : ''}`,
    // Charts and components set inline styles.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    `connect-src 'self' ${api}`,
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

export function dashboardHeaders(apiUrl: string, dev = false): Header[] {
  return [
    { key: 'Content-Security-Policy', value: contentSecurityPolicy(apiUrl, dev) },
    // For browsers without frame-ancestors; the same in vercel.json.
    { key: 'X-Frame-Options', value: 'DENY' },
    { key: 'X-Content-Type-Options', value: 'nosniff' },
    { key: 'Referrer-Policy', value: 'no-referrer' },
  ];
}
