/**
 * The access token (the backend's OUROBOROS_TOKEN), kept for this browser tab's session only: never in a
 * build, a URL or localStorage.
 */
const KEY = 'ouroboros.token';

export function readToken(): string | null {
  if (typeof window === 'undefined') return null;
  try {
    const t = window.sessionStorage.getItem(KEY);
    return t && t.trim() !== '' ? t.trim() : null;
  } catch {
    return null;
  }
}

export function saveToken(token: string): void {
  window.sessionStorage.setItem(KEY, token.trim());
}

export function forgetToken(): void {
  window.sessionStorage.removeItem(KEY);
}
