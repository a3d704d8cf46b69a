import { isIP } from 'node:net';

/**
 * The host name a request was addressed to (its Host header, without the port), lowercased; null when absent.
 * `[::1]:8000` gives `::1`.
 */
export function hostName(header: string | undefined): string | null {
  const h = header?.trim().toLowerCase();
  if (!h) return null;
  if (h.startsWith('[')) return h.slice(1, h.indexOf(']') > 0 ? h.indexOf(']') : undefined);
  const colon = h.lastIndexOf(':');
  // One colon is a port; more is a bare IPv6 address.
  const name = colon > 0 && h.indexOf(':') === colon ? h.slice(0, colon) : h;
  return name.endsWith('.') ? name.slice(0, -1) : name;
}

/**
 * Whether a request may be addressed to this Host. A DNS-rebinding page reaches the server under a name of its
 * own (evil.example resolving to 127.0.0.1), so only the names in `allowed` pass, and any IP address: a browser
 * sends an IP as the Host only for a page loaded from that very address. No Host at all (HTTP/1.0, a raw client)
 * is no browser's request either.
 */
export function hostAllowed(header: string | undefined, allowed: readonly string[] | '*'): boolean {
  if (allowed === '*') return true;
  const name = hostName(header);
  if (name === null || isIP(name) !== 0) return true;
  return allowed.includes(name);
}

export type OriginVerdict = 'absent' | 'allowed' | 'refused' | 'any';

/**
 * What the Origin header says about a request. Browsers send it with every cross-site POST, `no-cors` and form
 * posts included: a page on another origin is `refused` unless CORS_ORIGINS lists it. `any` when CORS_ORIGINS is
 * `*`: then only a token can vouch for the request (see guard.ts). `absent` for curl and other clients that are
 * not browsers. A page of the server's own origin (the Host the request was sent to) is `allowed`.
 */
export function judgeOrigin(origin: string | undefined, corsOrigins: readonly string[], host?: string): OriginVerdict {
  if (origin === undefined) return 'absent';
  const o = origin.trim().replace(/\/$/, '').toLowerCase();
  if (corsOrigins.some((c) => c.replace(/\/$/, '').toLowerCase() === o)) return 'allowed';
  // A page of this server's own (the API docs' "Try it out"): same origin. Safe because the Host was checked first.
  if (host !== undefined && sameHost(o, host)) return 'allowed';
  return corsOrigins.includes('*') ? 'any' : 'refused';
}

function sameHost(origin: string, host: string): boolean {
  try {
    return new URL(origin).host === new URL(`http://${host.trim().toLowerCase()}`).host;
  } catch {
    return false;
  }
}
