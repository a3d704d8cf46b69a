/** Where the backend is. Apart from the client so that next.config.ts can read it without loading the contract. */

export const DEFAULT_API_URL = 'http://localhost:8000';

/** The backend base URL, from NEXT_PUBLIC_API_URL (inlined at build time), without a trailing slash. */
export function apiBaseUrl(): string {
  // Must stay a literal `process.env.NEXT_PUBLIC_API_URL` so Next can inline it into the bundle.
  const configured = process.env.NEXT_PUBLIC_API_URL;
  const url = configured && configured.trim() !== '' ? configured.trim() : DEFAULT_API_URL;
  return url.replace(/\/+$/, '');
}
